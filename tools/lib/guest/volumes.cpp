#include "guest/volumes.h"

#include <sys/mount.h>

#include "base/error.h"

namespace lk::guest {

VolumeMounts volume_mounts(const std::string& dir, const VolumeLayout& v) {
  std::string base = dir + "/" + v.name;
  for (auto [has, sub] : {std::pair{v.lower, "lower"}, std::pair{v.merged, "merged"}})
    if (!has) throw InputError("volume " + v.name + ": " + base + " has no " + sub + " folder");
  std::string lower = base + "/lower", merged = base + "/merged", tmp = base + "/tmp";
  VolumeMounts out;
  auto mount = [&](std::string source, const std::string& target, std::string type, unsigned long flags,
                   std::string data) {
    out.steps.push_back({VolumeStep::kMount, std::move(source), target, std::move(type), flags, std::move(data)});
  };
  if (!v.tmp) {
    out.summary = "read-only";
    mount(lower, merged, "", MS_BIND, "");
    // A bind ignores MS_RDONLY until it is remounted.
    mount("", merged, "", MS_REMOUNT | MS_BIND | MS_RDONLY, "");
  } else if (v.lower_empty) {
    out.summary = "read-write, blank (tmpfs)";
    // A tmpfs's root is 1777 unless told; the folder lk-rootfs made is 0755.
    mount("tmpfs", merged, "tmpfs", 0, "mode=0755");
  } else {
    out.summary = "read-write overlay of its image";
    mount("tmpfs", tmp, "tmpfs", 0, "mode=0755");
    // Created on the fresh tmpfs, so after it is mounted.
    for (const char* sub : {"/upper", "/work"}) out.steps.push_back({VolumeStep::kMkdir, "", tmp + sub, "", 0, ""});
    mount("overlay", merged, "overlay", 0,
          "lowerdir=" + lower + ",upperdir=" + tmp + "/upper,workdir=" + tmp + "/work");
  }
  return out;
}

}  // namespace lk::guest
