#pragma once
// lk-initrd's job as a library call: a rootfs tar in, the kernel, cmdline and
// ucode out of its boot/, and everything else as a compressed cpio newc initrd.
//
// Hard links stay hard links in the cpio. The kernel only links an entry to an
// earlier one when that earlier one already said nlink >= 2, and tar names its
// link targets only later, so a first pass reads the headers (data skipped by
// seeking) to learn every link group; the input must be seekable (lk-initrd
// spools a pipe to a temporary file first).
#include <cstdint>
#include <functional>
#include <string>

#include "streams/compress.h"
#include "streams/tar_reader.h"

namespace lk::boot {

struct InitrdSinks {
  streams::ByteSink* kernel = nullptr;  // boot/kernel's bytes
  streams::ByteSink* ucode = nullptr;   // boot/ucode.cpio's bytes
  streams::ByteSink* cpio = nullptr;    // the uncompressed cpio (wrap it in a compressor)
  // Called when the first initrd byte is about to be written (to put ucode first).
  std::function<void()> before_cpio;
};

struct InitrdResult {
  bool kernel = false, ucode = false;
  std::string cmdline;
  uint64_t entries = 0;
  uint64_t cpio_bytes = 0;
};

// FD must be seekable; it is read twice from offset 0.
InitrdResult build_initrd(int fd, const InitrdSinks& sinks);

}  // namespace lk::boot
