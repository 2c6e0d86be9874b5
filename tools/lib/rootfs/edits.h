#pragma once
// The edits LinuxKit makes to every image it unpacks, which its users rely on:
// entries dropped (.dockerenv, Dockerfile, dev/console, ...), etc/hosts and
// etc/resolv.conf replaced, and a few entries guaranteed to exist.
#include <functional>
#include <string>

#include "rootfs/flatten.h"

namespace lk::rootfs {

enum class ImageRole { kInit, kVolume, kContainer };

// init and volume images get etc/resolv.conf as a symlink to /run/resolvconf/resolv.conf;
// containers get a placeholder file.
EditFn image_edits(ImageRole role, int64_t epoch);

// Writes, in sorted order, the guaranteed entries (dev, dev/pts, dev/shm, etc,
// etc/hosts, etc/mtab, etc/resolv.conf, proc, sys) the flattened image lacks;
// one the image has a link above (etc a symlink) is refused. WHERE names the image.
void write_touch_entries(const Flattener& image, const std::string& where, const std::string& prefix, ImageRole role,
                         int64_t epoch, streams::TarWriter& out, const OnWrite& on_write);

}  // namespace lk::rootfs
