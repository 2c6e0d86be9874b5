#pragma once
// What the init mounts for each volume lk-rootfs lays out in /containers/volumes/NAME,
// before any container starts: a container's bind of the volume was rewritten at build
// time to NAME/merged, so merged must show the volume by then.
//   - tmp present: writable. An image's volume is an overlay of lower with an upper on
//     a tmpfs in tmp (LinuxKit's way: lower stays as built, every container binding
//     the volume sees the same changes); a blank one (lower empty) is a tmpfs on merged.
//   - no tmp (lk-rootfs writes none for `readonly: true`): lower bound read-only on
//     merged.
#include <string>
#include <vector>

namespace lk::guest {

// What the init found in the folder of volume NAME.
struct VolumeLayout {
  std::string name;
  bool lower = false, tmp = false, merged = false;  // each a directory
  bool lower_empty = false;
};

// One thing to do, in order: create a directory, or mount(2) with these arguments.
struct VolumeStep {
  enum Kind { kMkdir, kMount };
  Kind kind = kMount;
  std::string source, target, type;  // type "" for a bind or a remount
  unsigned long flags = 0;
  std::string data;
};

struct VolumeMounts {
  std::string summary;  // for the console: "read-write overlay of its image"
  std::vector<VolumeStep> steps;
};

// The steps for volume V under DIR (/containers/volumes). Throws InputError naming the
// volume when its folder lacks lower or merged.
VolumeMounts volume_mounts(const std::string& dir, const VolumeLayout& v);

}  // namespace lk::guest
