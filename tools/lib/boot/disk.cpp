#include "boot/disk.h"

#include <fcntl.h>
#include <unistd.h>

#include "base/error.h"
#include "base/fs.h"
#include "boot/fat.h"
#include "boot/loader.h"
#include "boot/partition_table.h"

namespace lk::boot {

namespace {

constexpr uint64_t kMiB = 1 << 20;
constexpr uint64_t kStart = kMiB;  // the partition's offset: 2048 sectors, as every tool aligns

uint32_t hex32(const std::string& digest, size_t at) {
  return static_cast<uint32_t>(std::stoul(digest.substr(at, 8), nullptr, 16));
}

std::string mib(uint64_t bytes) { return std::to_string((bytes + kMiB - 1) / kMiB) + " MiB"; }

}  // namespace

uint64_t minimum_disk_size(const BootFiles& boot) {
  // Files, the loaders (about 1.5 MiB), FAT32's tables (at most 8 bytes per 512-byte
  // cluster, both copies) and slack; then the partition offset and, for GPT, the backup
  // table at the end. FAT32 needs 65525 clusters, so the partition is at least 40 MiB.
  uint64_t files = boot.kernel_size + boot.initrd_size + 4 * kMiB;
  uint64_t partition = std::max<uint64_t>(round_up(files + files / 64 + 4 * kMiB, kMiB), 40 * kMiB);
  return kStart + partition + kMiB;
}

uint64_t build_disk(const BootFiles& boot, const DiskOptions& opts, const std::string& workdir,
                    const std::string& path) {
  if (!opts.bios && !opts.efi) throw InputError("a disk needs a BIOS or a UEFI boot path, or both");
  check_cmdline(boot.cmdline);
  const uint64_t need = minimum_disk_size(boot);
  uint64_t size = opts.size ? opts.size : need;
  if (size < need)
    throw InputError("the kernel (" + mib(boot.kernel_size) + ") and initrd (" + mib(boot.initrd_size) +
                     ") need a disk of at least " + mib(need) + "; " + mib(size) + " is too small");
  size = round_up(size, opts.round_to ? opts.round_to : kMiB);
  size = round_up(size, kMiB);
  const bool gpt = opts.efi && !opts.bios;
  const std::string digest = content_digest(boot);
  const uint64_t sectors = size / 512;
  const uint64_t part_bytes = size - kStart - (gpt ? kMiB : 0);

  {
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd) throw_errno("create " + path);
    if (::ftruncate(fd.get(), static_cast<off_t>(size)) != 0) throw_errno("truncate " + path);
  }

  FatOptions fo;
  fo.offset = kStart;
  fo.size = part_bytes;
  fo.label = "LKBOOT";
  fo.serial = hex32(digest, 8);
  fo.epoch = opts.epoch;
  FatImage fat(path, fo);
  if (opts.bios) {
    fat.install_syslinux();
    const std::string cfg = workdir + "/syslinux.cfg";
    AtomicFile f(cfg);
    f.write(syslinux_config("/kernel", "/initrd.img", boot.cmdline));
    f.commit();
    fat.copy(cfg, "/syslinux.cfg");
  }
  if (opts.efi) {
    const std::string efi = workdir + "/BOOTX64.EFI";
    make_grub_efi(grub_config("--fs-uuid " + fat.uuid(), "/kernel", "/initrd.img", boot.cmdline), workdir, efi);
    fat.mkdir({"/EFI", "/EFI/BOOT"});
    fat.copy(efi, "/EFI/BOOT/BOOTX64.EFI");
  }
  fat.copy(boot.kernel, "/kernel");
  fat.copy(boot.initrd, "/initrd.img");

  Fd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd) throw_errno("open " + path);
  if (gpt) {
    GptPartition esp;
    esp.first_lba = kStart / 512;
    esp.last_lba = esp.first_lba + part_bytes / 512 - 1;
    esp.type = parse_guid(kEspTypeGuid);
    esp.unique = guid_from_seed(digest + "/esp");
    esp.name = "EFI System";
    write_gpt(fd.get(), sectors, guid_from_seed(digest + "/disk"), {esp});
  } else {
    MbrPartition p;
    p.first_lba = kStart / 512;
    p.sectors = part_bytes / 512;
    p.type = 0x0c;  // FAT32 with LBA addressing
    p.bootable = true;
    write_mbr(fd.get(), read_file(LoaderFiles::mbr_bin()), hex32(digest, 0), {p});
  }
  if (::fsync(fd.get()) != 0) throw_errno("fsync " + path);
  return size;
}

}  // namespace lk::boot
