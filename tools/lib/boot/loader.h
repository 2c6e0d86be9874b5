#pragma once
// The boot loaders the image formats use: syslinux/isolinux for BIOS, a GRUB EFI
// binary (grub-mkimage, its config embedded, so the media need no grub directory)
// for UEFI. Their files come from Debian's isolinux, syslinux-common and
// grub-efi-amd64-bin packages.
#include <string>

namespace lk::boot {

// Where Debian installs the loader files; each getter checks the file exists and
// otherwise throws RuntimeError naming the package to install.
struct LoaderFiles {
  static std::string isolinux_bin();   // isolinux
  static std::string isohybrid_mbr();  // isolinux: isohdpfx.bin, the hybrid ISO's MBR
  static std::string ldlinux_c32();    // syslinux-common
  static std::string mbr_bin();        // syslinux-common: MBR boot code chaining the active partition
  static std::string grub_efi_dir();   // grub-efi-amd64-bin
};

// isolinux.cfg / syslinux.cfg: boot KERNEL and INITRD (paths on the medium) at once,
// with the loader's own messages on the serial console too.
std::string syslinux_config(const std::string& kernel, const std::string& initrd, const std::string& cmdline);

// The GRUB script embedded in the EFI binary. ROOT_SEARCH is the `search` argument
// list that finds the boot file system (e.g. "--fs-uuid 4c4b-0001").
std::string grub_config(const std::string& root_search, const std::string& kernel, const std::string& initrd,
                        const std::string& cmdline);

// Writes BOOTX64.EFI to OUT with CONFIG embedded; WORKDIR holds the config file.
void make_grub_efi(const std::string& config, const std::string& workdir, const std::string& out);

// Throws InputError when CMDLINE cannot go into a loader config (a line break).
void check_cmdline(const std::string& cmdline);

}  // namespace lk::boot
