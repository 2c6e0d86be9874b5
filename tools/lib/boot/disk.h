#pragma once
// Bootable disk images of boot files, built in a sparse file without root: one FAT
// partition at 1 MiB holding the kernel, the initrd and the boot loaders.
//   BIOS:       MBR (syslinux's mbr.bin), the partition active, syslinux in it.
//   UEFI:       GPT with the partition as the EFI System Partition, GRUB as
//               EFI/BOOT/BOOTX64.EFI (the removable-media path every firmware tries).
//   BIOS+UEFI:  the MBR layout with GRUB added; OVMF boots the MBR FAT partition too.
// Shared by lk-disk (raw, qcow2) and lk-gcp.
#include <cstdint>
#include <string>

#include "boot/boot_files.h"

namespace lk::boot {

struct DiskOptions {
  bool bios = true;
  bool efi = false;
  uint64_t size = 0;            // bytes; 0: just large enough
  uint64_t round_to = 1 << 20;  // the size is a multiple of this (GCE wants whole GiB)
  int64_t epoch = 0;
};

// The smallest disk (before rounding) that holds BUNDLE.
uint64_t minimum_disk_size(const BootFiles& boot);

// Writes the disk to PATH (created, or truncated); returns its size. A --size too
// small for the boot files is an InputError saying how much is needed.
uint64_t build_disk(const BootFiles& boot, const DiskOptions& opts, const std::string& workdir,
                    const std::string& path);

}  // namespace lk::boot
