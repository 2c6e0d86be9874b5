#include "boot/loader.h"

#include <unistd.h>

#include "base/error.h"
#include "base/fs.h"
#include "base/process.h"

namespace lk::boot {

namespace {

std::string need(const std::string& path, const std::string& package) {
  if (::access(path.c_str(), R_OK) != 0) throw RuntimeError(path + " is missing: install Debian's " + package);
  return path;
}

// GRUB splits its command lines like a shell and expands $variables; single quotes
// keep every cmdline word as it is (GRUB joins the words with single spaces again).
std::string grub_quote(const std::string& cmdline) {
  std::string out, word;
  auto flush = [&] {
    if (word.empty()) return;
    out += " '";
    for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += "'";
    word.clear();
  };
  for (char c : cmdline) {
    if (c == ' ' || c == '\t')
      flush();
    else
      word += c;
  }
  flush();
  return out;
}

}  // namespace

std::string LoaderFiles::isolinux_bin() { return need("/usr/lib/ISOLINUX/isolinux.bin", "isolinux"); }
std::string LoaderFiles::isohybrid_mbr() { return need("/usr/lib/ISOLINUX/isohdpfx.bin", "isolinux"); }
std::string LoaderFiles::ldlinux_c32() { return need("/usr/lib/syslinux/modules/bios/ldlinux.c32", "syslinux-common"); }
std::string LoaderFiles::mbr_bin() { return need("/usr/lib/syslinux/mbr/mbr.bin", "syslinux-common"); }
std::string LoaderFiles::grub_efi_dir() {
  need("/usr/lib/grub/x86_64-efi/linux.mod", "grub-efi-amd64-bin");
  return "/usr/lib/grub/x86_64-efi";
}

void check_cmdline(const std::string& cmdline) {
  if (cmdline.find_first_of("\n\r") != std::string::npos)
    throw InputError("the kernel command line has a line break; a boot loader config cannot hold it");
}

std::string syslinux_config(const std::string& kernel, const std::string& initrd, const std::string& cmdline) {
  check_cmdline(cmdline);
  return "SERIAL 0 115200\nDEFAULT linux\nPROMPT 0\nTIMEOUT 0\nLABEL linux\n  KERNEL " + kernel + "\n  INITRD " +
         initrd + "\n  APPEND " + cmdline + "\n";
}

std::string grub_config(const std::string& root_search, const std::string& kernel, const std::string& initrd,
                        const std::string& cmdline) {
  check_cmdline(cmdline);
  return "serial --unit=0 --speed=115200\n"
         "terminal_input console serial\n"
         "terminal_output console serial\n"
         "search --no-floppy --set=root " +
         root_search +
         "\n"
         "linux " +
         kernel + grub_quote(cmdline) +
         "\n"
         "initrd " +
         initrd +
         "\n"
         "boot\n";
}

void make_grub_efi(const std::string& config, const std::string& workdir, const std::string& out) {
  if (find_program("grub-mkimage").empty()) throw RuntimeError("grub-mkimage not found: install Debian's grub-common");
  const std::string cfg = workdir + "/grub-early.cfg";
  AtomicFile f(cfg);
  f.write(config);
  f.commit();
  // The smallest module set that reads FAT and ISO 9660 from MBR or GPT disks and boots
  // Linux; efi_gop spares the "no suitable video mode" message.
  run_checked({"grub-mkimage",
               "-O",
               "x86_64-efi",
               "-d",
               LoaderFiles::grub_efi_dir(),
               "-p",
               "/EFI/BOOT",
               "-c",
               cfg,
               "-o",
               out,
               "part_gpt",
               "part_msdos",
               "fat",
               "iso9660",
               "search",
               "search_fs_file",
               "search_fs_uuid",
               "linux",
               "boot",
               "echo",
               "serial",
               "terminal",
               "normal",
               "efi_gop"});
}

}  // namespace lk::boot
