#include <doctest/doctest.h>

#include "base/error.h"
#include "spec/plan_builder.h"

namespace {
nlohmann::json plan_of(const std::string& yaml) {
  return lk::spec::to_json(lk::spec::build_plan({{"t.yml", yaml, "."}}, lk::spec::PlanOptions{}).plan);
}
std::string error_of(const std::string& yaml) {
  try {
    plan_of(yaml);
  } catch (const lk::InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("image entries keep only the keys the YAML set, under config") {
  auto p = plan_of("services:\n  - name: a\n    image: alpine\n    readonly: true\n");
  CHECK(p["services"][0]["name"] == "a");
  CHECK(p["services"][0]["config"] == nlohmann::json{{"readonly", true}});
}

TEST_CASE("ids are handed out from 100 in onboot, onshutdown, services order") {
  auto p = plan_of(
      "services:\n  - name: s\n    image: x\n    uid: o\n"
      "onshutdown:\n  - name: d\n    image: x\n"
      "onboot:\n  - name: o\n    image: x\n    gid: s\n");
  CHECK(p["ids"] == nlohmann::json{{"o", 100}, {"d", 101}, {"s", 102}});
  CHECK(p["services"][0]["config"]["uid"] == 100);
  CHECK(p["onboot"][0]["config"]["gid"] == 102);
}

TEST_CASE("root and empty names are uid 0") {
  auto p = plan_of("services:\n  - name: s\n    image: x\n    uid: root\n    gid: \"\"\n");
  CHECK(p["services"][0]["config"]["uid"] == 0);
  CHECK(p["services"][0]["config"]["gid"] == 0);
}

TEST_CASE("file modes default by kind") {
  auto p = plan_of(
      "files:\n  - path: a\n    contents: x\n  - path: d\n    directory: true\n"
      "  - path: l\n    symlink: /a\n");
  CHECK(p["files"][0]["mode"] == 0600);
  CHECK(p["files"][1]["mode"] == 0700);
  CHECK(p["files"][2]["mode"] == 0777);
}

TEST_CASE("capabilities: all, none and every real name are accepted") {
  CHECK_NOTHROW(plan_of("services:\n  - name: s\n    image: x\n    capabilities: [all]\n"));
  CHECK_NOTHROW(plan_of("services:\n  - name: s\n    image: x\n    capabilities: [none]\n"));
  CHECK_NOTHROW(plan_of("services:\n  - name: s\n    image: x\n    ambient: [CAP_CHECKPOINT_RESTORE, CAP_BPF]\n"));
}

TEST_CASE("errors are capped so a huge bad spec stays readable") {
  std::string yaml = "services:\n";
  for (int i = 0; i < 80; ++i) yaml += "  - name: s" + std::to_string(i) + "\n    image: x\n    net: bridge\n";
  std::string msg = error_of(yaml);
  CHECK(msg.find("... and 30 more errors") != std::string::npos);
}

TEST_CASE("an empty document and a null document are both an empty spec") {
  CHECK(error_of("").find("empty spec") != std::string::npos);
  CHECK(error_of("---\n...\n").find("empty spec") != std::string::npos);
}

TEST_CASE("an image reference with a digest is accepted") {
  CHECK_NOTHROW(plan_of("init:\n  - alpine@sha256:" + std::string(64, 'a') + "\n"));
  CHECK_NOTHROW(plan_of("init:\n  - 127.0.0.1:5000/lk/init:v1\n"));
  CHECK(error_of("init:\n  - alpine@sha256:abc\n").find("invalid image reference") != std::string::npos);
}
