#include <doctest/doctest.h>
#include <sys/mount.h>

#include "base/error.h"
#include "guest/runtime.h"

TEST_CASE("init runtime.json: LinuxKit's full form") {
  auto rc = lk::guest::parse_runtime(R"({
    "cgroups": ["mygroup"],
    "mounts": [
      {"source": "tmpfs", "destination": "/containers/onboot/000-a/tmp", "type": "tmpfs", "options": ["mode=0755"]},
      {"destination": "/containers/onboot/000-a/tmp", "options": ["remount", "private"]},
      {"source": "overlay", "destination": "/containers/onboot/000-a/rootfs", "type": "overlay",
       "options": ["lowerdir=/containers/onboot/000-a/lower", "upperdir=/containers/onboot/000-a/tmp/upper",
                   "workdir=/containers/onboot/000-a/tmp/work"]}],
    "mkdir": ["/var/lib/x"],
    "interfaces": [{"name": "eth1", "peer": "veth1"}, {"name": "wg0", "add": "wireguard", "createInRoot": true}],
    "bindNS": {"cgroup": "", "ipc": "", "mnt": "", "net": "/run/netns/a", "pid": "", "user": "", "uts": ""},
    "namespace": "services.linuxkit"
  })",
                                     "runtime.json");
  CHECK(rc.cgroups == std::vector<std::string>{"mygroup"});
  REQUIRE(rc.mounts.size() == 3);
  CHECK(rc.mounts[2].type == "overlay");
  CHECK(rc.mounts[1].source.empty());
  CHECK(rc.mkdir == std::vector<std::string>{"/var/lib/x"});
  REQUIRE(rc.interfaces.size() == 2);
  CHECK(rc.interfaces[0].add == "veth");  // a peer implies a veth pair
  CHECK(rc.interfaces[1].create_in_root);
  REQUIRE(rc.bind_ns.size() == 1);
  CHECK(rc.bind_ns[0] == std::pair<std::string, std::string>{"net", "/run/netns/a"});
  CHECK(rc.ns == "services.linuxkit");
  CHECK(rc.needs_process_setup());
}

TEST_CASE("init runtime.json: empty, null and missing keys") {
  CHECK_FALSE(lk::guest::parse_runtime("{}", "r").needs_process_setup());
  auto rc = lk::guest::parse_runtime(R"({"cgroups": null, "mounts": null, "bindNS": null, "extra": 1})", "r");
  CHECK(rc.mounts.empty());
  CHECK(lk::guest::parse_runtime("null", "r").mounts.empty());
}

TEST_CASE("init runtime.json: errors name the file and key") {
  CHECK_THROWS_WITH_AS(lk::guest::parse_runtime("{", "b/runtime.json"),
                       doctest::Contains("b/runtime.json: invalid JSON"), lk::InputError);
  CHECK_THROWS_WITH_AS(lk::guest::parse_runtime(R"({"mkdir": "x"})", "r"), doctest::Contains("mkdir"), lk::InputError);
  CHECK_THROWS_WITH_AS(lk::guest::parse_runtime(R"({"mounts": [{"source": "x"}]})", "r"),
                       doctest::Contains("mounts[0]: destination"), lk::InputError);
  CHECK_THROWS_AS(lk::guest::parse_runtime(R"({"interfaces": [{"name": "a", "add": "veth"}]})", "r"), lk::InputError);
  CHECK_THROWS_AS(lk::guest::parse_runtime("[]", "r"), lk::InputError);
}

TEST_CASE("init runtime.json: mount options") {
  auto a = lk::guest::parse_mount_options({"rbind", "ro", "nosuid", "rprivate", "size=10%", "mode=0755"});
  CHECK(a.flags == (MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID));
  CHECK(a.propagation == (MS_PRIVATE | MS_REC));
  CHECK(a.data == "size=10%,mode=0755");
  auto b = lk::guest::parse_mount_options({"ro", "rw", "defaults", "remount"});
  CHECK(b.flags == MS_REMOUNT);
  CHECK(b.data.empty());
}

TEST_CASE("init runtime.json: bundle-relative paths") {
  CHECK(lk::guest::bundle_path("/containers/onboot/000-a", "rootfs") == "/containers/onboot/000-a/rootfs");
  CHECK(lk::guest::bundle_path("/b", "./tmp") == "/b/tmp");
  CHECK(lk::guest::bundle_path("/b", "/abs") == "/abs");
  auto d = lk::guest::overlay_data_in_bundle("/b", "lowerdir=lower:/img/l2,upperdir=tmp/upper,workdir=/w,index=off");
  CHECK(d == "lowerdir=/b/lower:/img/l2,upperdir=/b/tmp/upper,workdir=/w,index=off");
  CHECK(lk::guest::overlay_dirs_to_create(d) == std::vector<std::string>{"/b/tmp/upper", "/w"});
}
