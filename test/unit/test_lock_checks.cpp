// The plan/lock contract (spec/plan.h): every field's type is checked and named, a
// required field must be there, an unknown key is refused, and what lk writes reads
// back to the same bytes.
#include <doctest/doctest.h>

#include "base/error.h"
#include "spec/plan.h"
#include "spec/plan_builder.h"

using lk::spec::Stage;
using nlohmann::json;

namespace {

const std::string kDigest = "sha256:" + std::string(64, 'a');

// A lock with one of everything, as lk-pull writes it.
json full_lock() {
  json image = {{"image", "lk/x:1"},
                {"at", "s.yml:1:1"},
                {"reference", "docker.io/lk/x:1"},
                {"digest", kDigest},
                {"platform", "linux/amd64"}};
  json container = image;
  container["name"] = "a";
  container["field_at"] = {{"name", "s.yml:2:3"}};
  container["config"] = json::parse(R"({
    "capabilities": ["CAP_SYS_ADMIN"], "capabilities.add": ["CAP_NET_ADMIN"], "ambient": [],
    "mounts": [{"destination": "/m", "type": "bind", "source": "/s", "options": ["ro"],
                "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}],
    "binds": ["/a:/b"], "binds.add": ["/c:/d:ro"], "tmpfs": ["/t:size=1m"], "command": ["x"], "env": ["A=1"],
    "cwd": "/", "net": "host", "pid": "host", "ipc": "new", "uts": "new", "userns": "new", "hostname": "h",
    "readonly": true, "maskedPaths": ["/p"], "readonlyPaths": ["/q"], "uid": 100, "gid": 0,
    "additionalGids": [7], "noNewPrivileges": true, "oomScoreAdj": -5, "disableOOMKiller": false,
    "rootfsPropagation": "shared", "cgroupsPath": "/c",
    "resources": {"devices": [{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"}],
                  "memory": {"limit": 1000, "disableOOMKiller": true}, "cpu": {"shares": 2, "cpus": "0"},
                  "pids": {"limit": 9}, "blockio": {"weight": 10, "weightDevice": [{"major": 8, "minor": 0, "weight": 5}],
                  "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1}]},
                  "hugepageLimits": [{"pageSize": "2MB", "limit": 1}],
                  "network": {"classID": 1, "priorities": [{"name": "eth0", "priority": 1}]}, "rdma": {"k": "v"}},
    "sysctl": {"net.ipv4.ip_forward": "1"},
    "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": 18446744073709551615}],
    "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}], "annotations": {"a": "b"},
    "devices": [{"path": "/dev/null", "type": "c", "major": 1, "minor": 3, "mode": 438}],
    "runtime": {"cgroups": ["x"], "mounts": [{"destination": "/r"}], "mkdir": ["/d"],
                "interfaces": [{"name": "eth0", "add": "veth", "peer": "p", "createInRoot": true}],
                "bindNS": {"net": "/run/netns/x"}, "namespace": "ns"}})");
  json kernel = image;
  kernel.update(
      {{"cmdline", "console=ttyS0"}, {"binaries", {"kernel", "bzImage"}}, {"tar", "kernel.tar"}, {"ucode", nullptr}});
  json volume = image;
  volume.erase("platform");
  volume.update({{"name", "v"},
                 {"format", "oci"},
                 {"readonly", true},
                 {"platforms", {"linux/amd64"}},
                 {"manifests", {{{"digest", kDigest}, {"platform", "linux/amd64"}}}}});
  json file = {{"path", "etc/x"},
               {"contents", "x"},
               {"mode", 420},
               {"uid", 0},
               {"gid", 0},
               {"optional", false},
               {"at", "s.yml:9:3"},
               {"field_at", {{"path", "s.yml:9:5"}}},
               {"source_path", "./x"}};
  json init = image;
  return {{"schema", "lk.lock/v1"},
          {"specs", {"s.yml"}},
          {"platform", "linux/amd64"},
          {"kernel", kernel},
          {"init", {init}},
          {"onboot", {container}},
          {"onshutdown", json::array()},
          {"services", {container}},
          {"volumes", {volume, {{"name", "empty"}}}},
          {"files", {file}},
          {"formats", {"iso-bios"}},
          {"packages", {{"lk/x:1", "pkg/x"}}},
          {"ids", {{"a", 100}}},
          {"spec", {{"kernel", {{"image", "lk/x:1"}}}}}};
}

std::string error_of(const json& j, Stage stage = Stage::kLock) {
  try {
    lk::spec::from_json(j, stage, "lock.json");
  } catch (const lk::InputError& e) {
    return e.what();
  }
  return "ok";
}

// The message for the full lock with EDIT applied at the JSON pointer PTR.
std::string with(const std::string& ptr, const json& value) {
  json j = full_lock();
  j[json::json_pointer(ptr)] = value;
  return error_of(j);
}
std::string without(const std::string& ptr) {
  json j = full_lock();
  json::json_pointer p(ptr);
  j[p.parent_pointer()].erase(p.back());
  return error_of(j);
}

}  // namespace

TEST_CASE("contract: a full lock reads, and writes back the same bytes") {
  json j = full_lock();
  REQUIRE(error_of(j) == "ok");
  auto lock = lk::spec::from_json(j, Stage::kLock, "lock.json");
  CHECK(lock.services[0].config.rlimits->at(0).hard == UINT64_MAX);
  CHECK(lock.volumes[0].is_oci());
  CHECK(lock.volumes[1].image.empty());
  CHECK(lk::spec::to_json(lock) == j);
  CHECK(lk::spec::document_text(lock) == j.dump(2) + "\n");
}

TEST_CASE("contract: the plan lk-parse makes round-trips to identical bytes") {
  auto plan = lk::spec::build_plan(
                  {{"t.yml",
                    "kernel:\n  image: lk/k:1\n  cmdline: c\n"
                    "init: [lk/i:1]\n"
                    "onboot:\n  - name: o\n    image: lk/o:1\n    sysctl: [a=1]\n    rlimits: [\"nofile,1,2\"]\n"
                    "services:\n  - name: s\n    image: lk/s:1\n    uid: o\n    binds: [v:/v]\n"
                    "volumes:\n  - name: v\n    image: lk/v:1\n    format: oci\n"
                    "files:\n  - path: /etc/x\n    contents: x\n  - path: m\n    metadata: yaml\n",
                    "."}},
                  lk::spec::PlanOptions{})
                  .plan;
  std::string text = lk::spec::document_text(plan);
  CHECK(lk::spec::document_text(lk::spec::parse_document(text, Stage::kPlan, "plan.json")) == text);
  CHECK(text.find("\"schema\": \"lk.plan/v1\"") != std::string::npos);
}

TEST_CASE("contract: the schema says which document it is") {
  json j = full_lock();
  CHECK(error_of(j, Stage::kPlan) ==
        "lock.json: not an lk-parse plan (schema is \"lk.lock/v1\", expected lk.plan/v1; make it with lk-parse)");
  j["schema"] = 1;
  CHECK(error_of(j) == "lock.json: not a lock file (schema is 1, expected lk.lock/v1; make it with lk-pull)");
  CHECK(error_of(json::array()) ==
        "lock.json: not a lock file (schema is missing, expected lk.lock/v1; make it with lk-pull)");
  CHECK_THROWS_AS(lk::spec::parse_document("{", Stage::kLock, "x"), lk::InputError);
}

TEST_CASE("contract: a wrong type names the file and the field") {
  // Top level and sections.
  CHECK(with("/services", 5) == "lock.json: services: expected a list, got a number");
  CHECK(with("/services/0", nullptr) == "lock.json: services[0]: expected an object, got null");
  CHECK(with("/specs", "s.yml") == "lock.json: specs: expected a list of strings, got a string");
  CHECK(with("/platform", 1) == "lock.json: platform: expected a string, got a number");
  CHECK(with("/formats/0", 1) == "lock.json: formats[0]: expected a string (in a list of strings), got a number");
  CHECK(with("/packages/lk~1x:1", 1) == "lock.json: packages.lk/x:1: expected a string, got a number");
  CHECK(with("/ids/a", "100") == "lock.json: ids.a: expected a number, got a string");
  CHECK(with("/ids/a", 1.5) == "lock.json: ids.a: expected a whole number, got 1.5");
  // Image objects and what lk-pull pinned.
  CHECK(with("/kernel", 1) == "lock.json: kernel: expected an object, got a number");
  CHECK(with("/kernel/cmdline", json::array({"a"})) == "lock.json: kernel.cmdline: expected a string, got a list");
  CHECK(with("/kernel/binaries", "kernel") == "lock.json: kernel.binaries: expected a list of strings, got a string");
  CHECK(with("/kernel/tar", 1) == "lock.json: kernel.tar: expected a string, got a number");
  CHECK(with("/init/0/reference", nullptr) == "lock.json: init[0].reference: expected a string, got null");
  CHECK(with("/init/0/image", 1) == "lock.json: init[0].image: expected a string, got a number");
  CHECK(with("/init/0/digest", "sha256:x") ==
        "lock.json: init[0].digest: \"sha256:x\" is not a digest (expected sha256: and 64 lower-case hex digits)");
  CHECK(with("/init/0/at", 1) == "lock.json: init[0].at: expected a string, got a number");
  CHECK(with("/services/0/name", 5) == "lock.json: services[0].name: expected a string, got a number");
  CHECK(with("/services/0/field_at/name", 1) ==
        "lock.json: services[0].field_at.name: expected a string, got a number");
  CHECK(with("/volumes/0/format", 1) == "lock.json: volumes[0].format: expected a string, got a number");
  CHECK(with("/volumes/0/readonly", "yes") == "lock.json: volumes[0].readonly: expected a boolean, got a string");
  CHECK(with("/volumes/0/platforms", "linux/amd64") ==
        "lock.json: volumes[0].platforms: expected a list of strings, got a string");
  CHECK(with("/volumes/0/manifests/0/platform", 1) ==
        "lock.json: volumes[0].manifests[0].platform: expected a string, got a number");
  CHECK(with("/volumes/0/image", "") == "lock.json: volumes[0].image: expected a non-empty string");
  // Files.
  CHECK(with("/files/0/mode", "0644") == "lock.json: files[0].mode: expected a number, got a string");
  CHECK(with("/files/0/uid", "0") == "lock.json: files[0].uid: expected a number, got a string");
  CHECK(with("/files/0/optional", 1) == "lock.json: files[0].optional: expected a boolean, got a number");
  CHECK(with("/files/0/source_path", 1) == "lock.json: files[0].source_path: expected a string, got a number");
  // Container config, down to the deepest field.
  const std::string c = "/services/0/config";
  CHECK(with(c, json::array()) == "lock.json: services[0].config: expected an object, got a list");
  CHECK(with(c + "/command", "x") == "lock.json: services[0].config.command: expected a list of strings, got a string");
  CHECK(with(c + "/capabilities.add/0", 1) ==
        "lock.json: services[0].config.capabilities.add[0]: expected a string (in a list of strings), got a number");
  CHECK(with(c + "/uid", "web") == "lock.json: services[0].config.uid: expected a number, got a string");
  CHECK(with(c + "/additionalGids/0", "g") ==
        "lock.json: services[0].config.additionalGids[0]: expected a number, got a string");
  CHECK(with(c + "/readonly", "true") == "lock.json: services[0].config.readonly: expected a boolean, got a string");
  CHECK(with(c + "/sysctl/k", 1) == "lock.json: services[0].config.sysctl.k: expected a string, got a number");
  CHECK(with(c + "/mounts/0/options", "ro") ==
        "lock.json: services[0].config.mounts[0].options: expected a list of strings, got a string");
  CHECK(with(c + "/mounts/0/uidMappings/0/size", "1") ==
        "lock.json: services[0].config.mounts[0].uidMappings[0].size: expected a number, got a string");
  CHECK(with(c + "/devices/0", "/dev/null") ==
        "lock.json: services[0].config.devices[0]: expected an object, got a string");
  CHECK(with(c + "/rlimits/0/soft", -1) ==
        "lock.json: services[0].config.rlimits[0].soft: expected a number 0 or above, got -1");
  CHECK(with(c + "/resources/memory/limit", "1G") ==
        "lock.json: services[0].config.resources.memory.limit: expected a number, got a string");
  CHECK(with(c + "/resources/blockio/weightDevice/0/weight", true) ==
        "lock.json: services[0].config.resources.blockio.weightDevice[0].weight: expected a number, got a boolean");
  CHECK(with(c + "/resources/network/priorities/0/name", 1) ==
        "lock.json: services[0].config.resources.network.priorities[0].name: expected a string, got a number");
  CHECK(with(c + "/runtime/interfaces/0/createInRoot", "yes") ==
        "lock.json: services[0].config.runtime.interfaces[0].createInRoot: expected a boolean, got a string");
  CHECK(with(c + "/runtime/bindNS/net", 1) ==
        "lock.json: services[0].config.runtime.bindNS.net: expected a string, got a number");
}

TEST_CASE("contract: a missing required field is named") {
  CHECK(without("/volumes/0/name") == "lock.json: volumes[0].name: missing");
  CHECK(without("/services/0/name") == "lock.json: services[0].name: missing");
  CHECK(without("/services/0/image") == "lock.json: services[0].image: missing");
  CHECK(without("/kernel/image") == "lock.json: kernel.image: missing");
  CHECK(without("/files/0/path") == "lock.json: files[0].path: missing");
  CHECK(without("/volumes/0/manifests/0/digest") == "lock.json: volumes[0].manifests[0].digest: missing");
  CHECK(without("/services/0/config/rlimits/0/hard") == "lock.json: services[0].config.rlimits[0].hard: missing");
  CHECK(without("/services/0/config/devices/0/type") == "lock.json: services[0].config.devices[0].type: missing");
  CHECK(without("/services/0/config/runtime/interfaces/0/name") ==
        "lock.json: services[0].config.runtime.interfaces[0].name: missing");
  // What lk-parse always writes but a hand-made plan may leave out takes its default.
  json j = full_lock();
  for (const char* k : {"specs", "platform", "kernel", "init", "onboot", "services", "volumes", "files", "formats",
                        "packages", "ids", "spec"})
    j.erase(k);
  j["services"] = {{{"name", "s"}, {"image", "x"}}};
  auto lock = lk::spec::from_json(j, Stage::kLock, "lock.json");
  CHECK(lock.platform == "linux/amd64");
  CHECK(!lock.kernel);
  CHECK(lock.services[0].config.command == std::nullopt);
  CHECK(lk::spec::to_json(lock)["kernel"].is_null());
}

TEST_CASE("contract: an unknown key is refused, at any depth") {
  CHECK(with("/servcies", json::array()) == "lock.json: servcies: unknown key (lk has no such field; a typo?)");
  CHECK(with("/kernel/comdline", "x") == "lock.json: kernel.comdline: unknown key (lk has no such field; a typo?)");
  CHECK(with("/services/0/command", json::array()) ==
        "lock.json: services[0].command: unknown key (lk has no such field; a typo?)");
  CHECK(with("/services/0/config/comand", json::array()) ==
        "lock.json: services[0].config.comand: unknown key (lk has no such field; a typo?)");
  CHECK(with("/services/0/config/resources/memory/limt", 1) ==
        "lock.json: services[0].config.resources.memory.limt: unknown key (lk has no such field; a typo?)");
  CHECK(with("/files/0/contents_path", "x") ==
        "lock.json: files[0].contents_path: unknown key (lk has no such field; a typo?)");
}

TEST_CASE("contract: images_of lists every image once, in plan order") {
  auto lock = lk::spec::from_json(full_lock(), Stage::kLock, "lock.json");
  std::string where;
  for (const auto& s : lk::spec::images_of(lock)) where += s.where + (s.volume ? "(v) " : " ");
  CHECK(where == "kernel init[0] onboot[0] services[0] volumes[0](v) ");
}
