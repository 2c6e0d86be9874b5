#pragma once
// lk-rootfs's job as a library call: the whole root filesystem as one pax tar, in
// LinuxKit's layout and order (kernel, init, volumes, onboot, onshutdown, services,
// files), from a lock file and the image cache.
#include <nlohmann/json.hpp>
#include <string>

#include <optional>

#include "base/log.h"
#include "oci/layout.h"
#include "spec/plan.h"
#include "streams/segments.h"
#include "streams/tar_writer.h"

namespace lk::rootfs {

struct RootfsOptions {
  int64_t epoch = 0;               // SOURCE_DATE_EPOCH: the mtime of everything lk generates
  std::string home;                // for files[].source_home
  std::string lock_name = "lock";  // the lock's file name, for messages
  // lk-rootfs --segments: each image's content is marked as a segment for lk-initrd,
  // and one whose compressed form (CODEC, e.g. "gzip-6") STORE holds is only named.
  // CODEC "auto": zstd-3 when the kernel unpacks it, else gzip-6 (the tar's first mark
  // says which).
  struct Segments {
    streams::SegmentStore store;
    std::string codec;
  };
  std::optional<Segments> segments;
};

// Checks the container names first, so a bad lock writes nothing (its fields were
// checked when it was read). Throws InputError for a bad lock or spec content,
// RuntimeError for cache and layer problems.
void build_rootfs(const spec::Lock& lock, const oci::OciLayout& cache, streams::TarWriter& out,
                  const RootfsOptions& opts, const Log& log);

}  // namespace lk::rootfs
