#pragma once
// A FAT file system built inside an image file at a byte offset, with dosfstools
// and mtools only: no root, no loop device, no mount. Everything it writes is
// reproducible: fixed serial, and every timestamp SOURCE_DATE_EPOCH (clamped to 1980,
// FAT's first year).
#include <cstdint>
#include <string>
#include <vector>

namespace lk::boot {

struct FatOptions {
  uint64_t offset = 0;  // bytes, a multiple of 512
  uint64_t size = 0;    // bytes, a multiple of 1024
  std::string label;    // at most 11 characters
  uint32_t serial = 0;
  int64_t epoch = 0;
  bool fat32 = true;
};

class FatImage {
public:
  // Formats the region of IMAGE (which must already be large enough).
  FatImage(std::string image, const FatOptions& opts);

  // syslinux's boot sector plus ldlinux.sys and ldlinux.c32 (the BIOS boot path).
  void install_syslinux();
  void mkdir(const std::vector<std::string>& paths);  // "/EFI"-style, parents first
  void copy(const std::string& host_file, const std::string& path);

  // The "XXXX-XXXX" id GRUB's `search --fs-uuid` matches.
  std::string uuid() const;

private:
  std::string image_;
  FatOptions opts_;
  std::vector<std::string> env_;
  std::string target() const;  // "IMAGE@@OFFSET" for mtools
};

}  // namespace lk::boot
