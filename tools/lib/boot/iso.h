#pragma once
// ISO 9660 images of boot files with xorriso: isolinux for BIOS (hybrid MBR, so the
// same file boots from a disk), a GRUB EFI binary in a FAT El Torito image for UEFI,
// or both in one file. Kernel and initrd sit on the ISO as /boot/kernel and
// /boot/initrd.img; nothing guesses a root device.
#include <cstdint>
#include <string>

#include "boot/boot_files.h"

namespace lk::boot {

struct IsoOptions {
  bool bios = true;
  bool efi = false;
  std::string volume_id = "LK";
  int64_t epoch = 0;  // every date in the image
};

// The xorriso command that writes OUT from the prepared files in WORKDIR.
void build_iso(const BootFiles& boot, const IsoOptions& opts, const std::string& workdir, const std::string& out);

}  // namespace lk::boot
