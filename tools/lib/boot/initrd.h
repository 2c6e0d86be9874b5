#pragma once
// lk-initrd's job as a library call: a rootfs tar in, the kernel, cmdline and
// ucode out of its boot/, and everything else as a compressed cpio newc initrd.
//
// Hard links stay hard links in the cpio. The kernel only links an entry to an
// earlier one when that earlier one already said nlink >= 2, and tar names its
// link targets only later, so a first pass reads the headers (data skipped by
// seeking) to learn every link group; the input must be seekable (lk-initrd
// spools a pipe to a temporary file first).
//
// A tar lk-rootfs wrote with --segments has its images' content in segments
// (streams/segments.h): each becomes cpio of its own, compressed as its own run,
// stored in STORE when one is given, and a segment the tar names as cached is
// spliced from there.
#include <cstdint>
#include <string>

#include "streams/compress.h"
#include "streams/segments.h"
#include "streams/tar_reader.h"

namespace lk::boot {

struct InitrdSinks {
  streams::ByteSink* kernel = nullptr;  // boot/kernel's bytes
  streams::ByteSink* ucode = nullptr;   // boot/ucode.cpio's bytes
  streams::ByteSink* initrd = nullptr;  // the compressed cpio; its first byte comes after all of ucode's
  streams::CompressOptions compress;
  // lk-initrd --compress auto: the codec the tar's codec mark names (lk-rootfs
  // --segments auto), COMPRESS's threads kept; gzip when it has none.
  bool compress_from_tar = false;
};

struct InitrdResult {
  bool kernel = false, ucode = false;
  std::string cmdline;
  uint64_t entries = 0;
  uint64_t cpio_bytes = 0;
  int segments = 0, spliced = 0, stored = 0;
  uint64_t spliced_bytes = 0;  // cpio bytes that came compressed from the store
};

// FD must be seekable; it is read twice from offset 0. STORE may be null: segments
// are then compressed as usual and kept nowhere, and a cached one is an error.
InitrdResult build_initrd(int fd, const InitrdSinks& sinks, const streams::SegmentStore* store);

}  // namespace lk::boot
