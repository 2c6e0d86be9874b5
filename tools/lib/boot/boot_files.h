#pragma once
// The kernel, initrd and cmdline every image tool starts from: the tar lk-initrd writes
// (kernel, initrd.img, cmdline, optional ucode.cpio), or the PREFIX-kernel,
// PREFIX-initrd.img and PREFIX-cmdline files of `lk build`.
#include <cstdint>
#include <string>

namespace lk::boot {

struct BootFiles {
  std::string kernel;   // path of the kernel file
  std::string initrd;   // path of the initrd (microcode first, when there is microcode)
  std::string cmdline;  // one line, no trailing newline
  uint64_t kernel_size = 0, initrd_size = 0;
};

// Reads INPUT: "-" for a tar on stdin, a tar file, or a prefix when INPUT-kernel exists.
// Members of a tar are written into WORKDIR. A missing kernel, an empty initrd or an
// unknown member is an InputError naming INPUT.
BootFiles read_boot_files(const std::string& input, const std::string& workdir);

// SHA-256 (hex) over the kernel, the initrd and the cmdline: the seed of the volume
// serials, disk signatures and GUIDs, so that they follow the content. Reads both files,
// so formats call it only when they need it.
std::string content_digest(const BootFiles& boot);

}  // namespace lk::boot
