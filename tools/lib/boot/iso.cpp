#include "boot/iso.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <future>

#include "base/error.h"
#include "base/fs.h"
#include "base/process.h"
#include "boot/fat.h"
#include "boot/loader.h"
#include "boot/partition_table.h"

namespace lk::boot {

namespace {

// A graft point "ISO_PATH=HOST_PATH"; xorriso treats '=' and '\' specially.
std::string graft(const std::string& iso_path, const std::string& host_path) {
  std::string escaped;
  for (char c : host_path) {
    if (c == '=' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return iso_path + "=" + escaped;
}

// xorriso's volume UUID format: YYYYMMDDhhmmsscc, UTC.
std::string uuid_time(int64_t epoch) {
  time_t t = static_cast<time_t>(epoch);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S00", &tm);
  return buf;
}

std::string hex(const Guid& g) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : g) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

uint64_t file_size(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw_errno("stat " + path);
  return static_cast<uint64_t>(st.st_size);
}

// The El Torito EFI image: a small FAT holding only EFI/BOOT/BOOTX64.EFI.
std::string make_efi_boot_image(const BootFiles& boot, const IsoOptions& opts, const std::string& workdir) {
  const std::string efi = workdir + "/BOOTX64.EFI";
  make_grub_efi(grub_config("--file /boot/kernel", "/boot/kernel", "/boot/initrd.img", boot.cmdline), workdir, efi);
  const std::string img = workdir + "/efiboot.img";
  // Room for the binary plus FAT's own tables, in whole 32 KiB.
  uint64_t size = ((file_size(efi) + (256u << 10)) + (32u << 10) - 1) / (32u << 10) * (32u << 10);
  {
    AtomicFile f(img);
    if (::ftruncate(f.fd(), static_cast<off_t>(size)) != 0) throw_errno("truncate " + img);
    f.commit();
  }
  FatOptions fo;
  fo.size = size;
  fo.label = "LKEFI";
  fo.serial = 0x4c4b4546;  // fixed: El Torito finds this image, not its serial
  fo.epoch = opts.epoch;
  fo.fat32 = false;
  FatImage fat(img, fo);
  fat.mkdir({"/EFI", "/EFI/BOOT"});
  fat.copy(efi, "/EFI/BOOT/BOOTX64.EFI");
  return img;
}

}  // namespace

void build_iso(const BootFiles& boot, const IsoOptions& opts, const std::string& workdir, const std::string& out) {
  if (!opts.bios && !opts.efi) throw InputError("an ISO needs --bios, --efi or both");
  if (find_program("xorriso").empty()) throw RuntimeError("xorriso not found: install Debian's xorriso");
  check_cmdline(boot.cmdline);
  // Every date from the epoch: of the files, of the directories the graft points create
  // (iso_nowtime), of the volume, and of the UUID GRUB and the GPT use. xorriso reads
  // the value 0 as "not set" (then uses the time now), so epoch 0 becomes 1 s.
  const int64_t epoch = std::max<int64_t>(opts.epoch, 1);
  const std::string when = "=" + std::to_string(epoch);
  std::vector<std::string> argv = {
      "xorriso", "-iso_nowtime", when, "-volume_date", "c", when, "-volume_date", "m", when, "-volume_date", "uuid",
      uuid_time(epoch), "-volume_date", "all_file_dates", when,
      // -r, not -R: owners root, modes from the file type, none of the host's
      "-as", "mkisofs", "-quiet", "-o", out, "-V", opts.volume_id, "-J", "-joliet-long", "-r", "-graft-points"};
  std::vector<std::string> files = {graft("/boot/kernel", boot.kernel), graft("/boot/initrd.img", boot.initrd)};
  if (opts.bios) {
    const std::string cfg = workdir + "/isolinux.cfg";
    AtomicFile f(cfg);
    f.write(syslinux_config("/boot/kernel", "/boot/initrd.img", boot.cmdline));
    f.commit();
    argv.insert(argv.end(), {"-isohybrid-mbr", LoaderFiles::isohybrid_mbr(), "-c", "isolinux/boot.cat", "-b",
                             "isolinux/isolinux.bin", "-no-emul-boot", "-boot-load-size", "4", "-boot-info-table"});
    files.insert(files.end(),
                 {graft("/isolinux/isolinux.bin", LoaderFiles::isolinux_bin()),
                  graft("/isolinux/ldlinux.c32", LoaderFiles::ldlinux_c32()), graft("/isolinux/isolinux.cfg", cfg)});
  }
  if (opts.efi) {
    // The hybrid GPT's disk GUID (else random) from the content, hashed while GRUB and
    // the FAT image are made; a BIOS-only ISO has no GPT and skips the reading.
    auto digest = std::async(std::launch::async, [&] { return content_digest(boot); });
    std::string img = make_efi_boot_image(boot, opts, workdir);
    argv.insert(argv.begin() + 1,
                {"-boot_image", "any", "gpt_disk_guid=" + hex(guid_from_seed(digest.get() + "/iso"))});
    if (opts.bios)
      argv.push_back("-eltorito-alt-boot");
    else
      argv.insert(argv.end(), {"-c", "boot/boot.cat"});
    argv.insert(argv.end(), {"-e", "boot/efiboot.img", "-no-emul-boot", "-isohybrid-gpt-basdat"});
    files.push_back(graft("/boot/efiboot.img", img));
  }
  argv.insert(argv.end(), files.begin(), files.end());
  run_checked(argv, {"TZ=UTC"});
}

}  // namespace lk::boot
