#include <doctest/doctest.h>
#include <sys/mount.h>

#include "base/error.h"
#include "guest/volumes.h"

namespace {
using lk::guest::VolumeLayout;
using lk::guest::VolumeStep;

VolumeLayout layout(bool tmp, bool lower_empty) {
  VolumeLayout v;
  v.name = "v";
  v.lower = v.merged = true;
  v.tmp = tmp;
  v.lower_empty = lower_empty;
  return v;
}

std::string describe(const VolumeStep& s) {
  if (s.kind == VolumeStep::kMkdir) return "mkdir " + s.target;
  return s.source + " " + s.target + " " + s.type + " " + std::to_string(s.flags) + " " + s.data;
}
std::vector<std::string> steps(const VolumeLayout& v) {
  std::vector<std::string> out;
  for (const auto& s : lk::guest::volume_mounts("/containers/volumes", v).steps) out.push_back(describe(s));
  return out;
}
const std::string kV = "/containers/volumes/v";
}  // namespace

TEST_CASE("init volumes: an image's writable volume is an overlay with its upper on a tmpfs in tmp") {
  CHECK(steps(layout(true, false)) ==
        std::vector<std::string>{"tmpfs " + kV + "/tmp tmpfs 0 mode=0755", "mkdir " + kV + "/tmp/upper",
                                 "mkdir " + kV + "/tmp/work",
                                 "overlay " + kV + "/merged overlay 0 lowerdir=" + kV + "/lower,upperdir=" + kV +
                                     "/tmp/upper,workdir=" + kV + "/tmp/work"});
  CHECK(lk::guest::volume_mounts("/containers/volumes", layout(true, false)).summary ==
        "read-write overlay of its image");
}

TEST_CASE("init volumes: a blank writable volume is a tmpfs on merged") {
  CHECK(steps(layout(true, true)) == std::vector<std::string>{"tmpfs " + kV + "/merged tmpfs 0 mode=0755"});
}

TEST_CASE("init volumes: without tmp, lower bound read-only on merged, blank or not") {
  std::vector<std::string> ro = {kV + "/lower " + kV + "/merged  " + std::to_string(MS_BIND) + " ",
                                 " " + kV + "/merged  " + std::to_string(MS_REMOUNT | MS_BIND | MS_RDONLY) + " "};
  CHECK(steps(layout(false, false)) == ro);
  CHECK(steps(layout(false, true)) == ro);
}

TEST_CASE("init volumes: a folder without lower or merged is refused, naming the volume") {
  auto v = layout(true, false);
  v.merged = false;
  CHECK_THROWS_WITH_AS(lk::guest::volume_mounts("/containers/volumes", v),
                       "volume v: /containers/volumes/v has no merged folder", lk::InputError);
  v = layout(true, false);
  v.lower = false;
  CHECK_THROWS_WITH_AS(lk::guest::volume_mounts("/containers/volumes", v),
                       "volume v: /containers/volumes/v has no lower folder", lk::InputError);
}
