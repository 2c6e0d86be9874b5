#include <doctest/doctest.h>

#include "base/error.h"
#include "spec/plan_builder.h"
#include "spec/volumes.h"

namespace {
using lk::spec::ContainerConfig;
using lk::spec::Mount;
using lk::spec::Strings;
using lk::spec::Volume;

Volume volume(const std::string& name, bool readonly = false) {
  Volume v;
  v.name = name;
  if (readonly) v.readonly = true;
  return v;
}

Mount bind_mount(const std::string& source, Strings options = {}) {
  Mount m;
  m.type = "bind";
  m.source = source;
  m.destination = "/v";
  if (!options.empty()) m.options = options;
  return m;
}

const lk::spec::VolumeBinds kVolumes({volume("rw"), volume("ro", true)});

std::vector<std::string> fields(const ContainerConfig& c) {
  std::vector<std::string> out;
  for (const auto& p : kVolumes.problems(c)) out.push_back(p.key + " " + p.field);
  return out;
}

std::string parse_error(const std::string& yaml) {
  try {
    lk::spec::build_plan({{"t.yml", yaml, "."}}, lk::spec::PlanOptions{});
  } catch (const lk::InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("volumes: a bind of a volume becomes a bind of its merged folder, options kept") {
  ContainerConfig c;
  c.binds = Strings{"rw:/a", "ro:/b:ro", "/etc:/etc", "rw:/c:rshared,rbind"};
  c.binds_add = Strings{"rw:/d"};
  c.mounts = std::vector<Mount>{bind_mount("rw"), bind_mount("/srv")};
  CHECK(fields(c).empty());
  auto r = kVolumes.resolved(c);
  CHECK(*r.binds == Strings{"/containers/volumes/rw/merged:/a", "/containers/volumes/ro/merged:/b:ro", "/etc:/etc",
                            "/containers/volumes/rw/merged:/c:rshared,rbind"});
  CHECK(*r.binds_add == Strings{"/containers/volumes/rw/merged:/d"});
  CHECK((*r.mounts)[0].source == "/containers/volumes/rw/merged");
  CHECK((*r.mounts)[1].source == "/srv");
}

TEST_CASE("volumes: only a mount of type bind names a volume") {
  ContainerConfig c;
  Mount tmp;
  tmp.type = "tmpfs";
  tmp.source = "rw";
  c.mounts = std::vector<Mount>{tmp};
  CHECK(fields(c).empty());
  CHECK((*kVolumes.resolved(c).mounts)[0].source == "rw");
}

TEST_CASE("volumes: a name no volume has is refused, in each of the three keys") {
  ContainerConfig c;
  c.binds = Strings{"/x:/x", "nosuch:/a"};
  c.binds_add = Strings{"nosuch:/b"};
  c.mounts = std::vector<Mount>{bind_mount("/ok"), bind_mount("nosuch"), bind_mount("")};
  CHECK(fields(c) ==
        std::vector<std::string>{"binds binds[1]", "binds.add binds.add[0]", "mounts mounts[1]", "mounts mounts[2]"});
  auto p = kVolumes.problems(c);
  CHECK(p[0].message == "bind \"nosuch:/a\" names volume \"nosuch\", which the spec does not define");
  CHECK(p[2].message == "the bind mount's source names volume \"nosuch\", which the spec does not define");
  CHECK(p[3].message == "a mount of type bind needs a source: a path or a volume's name");
}

TEST_CASE("volumes: a read-only volume only read-only, as LinuxKit reads the options") {
  ContainerConfig c;
  // A bind needs exactly "ro"; "ro,rshared" is refused too.
  c.binds = Strings{"ro:/a:ro", "ro:/b", "ro:/c:rw", "ro:/d:ro,rshared"};
  // A mount's first ro or rw decides.
  c.mounts = std::vector<Mount>{bind_mount("ro", {"rbind", "ro"}), bind_mount("ro"), bind_mount("ro", {"rw", "ro"}),
                                bind_mount("ro", {"ro", "rw"})};
  CHECK(fields(c) == std::vector<std::string>{"binds binds[1]", "binds binds[2]", "binds binds[3]", "mounts mounts[1]",
                                              "mounts mounts[2]"});
  CHECK(kVolumes.problems(c)[0].message == "volume \"ro\" is read-only, so its bind must have exactly the option ro");
  CHECK(kVolumes.problems(c)[3].message ==
        "volume \"ro\" is read-only, so its bind mount needs the option ro (before any rw)");
}

TEST_CASE("volumes: a writable volume may be bound read-only or read-write") {
  ContainerConfig c;
  c.binds = Strings{"rw:/a:ro", "rw:/b"};
  c.mounts = std::vector<Mount>{bind_mount("rw", {"ro"}), bind_mount("rw", {"rw"})};
  CHECK(fields(c).empty());
}

TEST_CASE("volumes: lk-parse names the file, the key's line and the entry") {
  CHECK(parse_error("volumes:\n  - name: data\n    readonly: true\nonboot:\n  - name: a\n    image: alpine\n"
                    "    mounts:\n      - type: bind\n        source: data\n        destination: /d\n") ==
        "t.yml:7:5: onboot[0].mounts[0]: volume \"data\" is read-only, so its bind mount needs the option ro "
        "(before any rw)");
  CHECK(parse_error("services:\n  - name: a\n    image: alpine\n    binds.add:\n      - /x:/x\n      - v:/v\n") ==
        "t.yml:4:5: services[0].binds.add[1]: bind \"v:/v\" names volume \"v\", which the spec does not define");
  // The plan keeps the names: lk-rootfs rewrites them, from the lock's volumes.
  auto plan = lk::spec::build_plan({{"t.yml",
                                     "volumes:\n  - name: v\nservices:\n  - name: a\n    image: alpine\n"
                                     "    binds: [\"v:/v\"]\n",
                                     "."}},
                                   lk::spec::PlanOptions{})
                  .plan;
  CHECK(*plan.services[0].config.binds == Strings{"v:/v"});
}
