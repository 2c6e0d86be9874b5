// lk-disk: boot files tar -> bootable disk image: raw, qcow2, VHD or VMDK (BIOS, UEFI, or both).
#include "base/error.h"
#include "base/fs.h"
#include "base/process.h"
#include "base/source_date.h"
#include "base/tool_main.h"
#include "base/units.h"
#include "boot/boot_files.h"
#include "boot/disk.h"
#include "boot/disk_container.h"
#include "boot/output_file.h"
#include "spec/output_formats.h"

namespace {

// "raw-bios, ..., qcow2-efi or qcow2-dual": the --format values of lk-disk's rows in the
// one table of output formats, so lk build and lk-disk cannot disagree on a name.
std::string disk_formats() {
  std::vector<std::string> names;
  for (const auto& f : lk::spec::output_formats())
    if (!f.old_name && f.tool.size() == 3 && f.tool[0] == "lk-disk") names.push_back(f.tool[2]);
  std::string list;
  for (size_t i = 0; i < names.size(); ++i) list += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  return list;
}

int run(const lk::ToolContext& ctx) {
  const auto& args = ctx.args;
  const lk::boot::DiskFormat format = lk::boot::parse_disk_format(args["format"].as<std::string>(), disk_formats());
  lk::boot::DiskOptions opts;
  opts.bios = format.bios;
  opts.efi = format.efi;
  if (args.count("size")) opts.size = lk::parse_size(args["size"].as<std::string>(), "--size");
  opts.epoch = lk::source_date_epoch();
  if (format.container != lk::boot::DiskContainer::kRaw && lk::find_program("qemu-img").empty())
    throw lk::RuntimeError("qemu-img not found: install Debian's qemu-utils");

  lk::TempDir work(lk::temp_root(), "lk-disk");
  lk::boot::ImageOutput out(args.count("output") ? args["output"].as<std::string>() : "", work.path());
  lk::boot::BootFiles boot = lk::boot::read_boot_files(args["input"].as<std::string>(), work.path());
  if (format.container == lk::boot::DiskContainer::kRaw) {
    lk::boot::build_disk(boot, opts, work.path(), out.build_path());
  } else {
    const std::string raw = work.path() + "/disk.raw";
    lk::boot::build_disk(boot, opts, work.path(), raw);
    lk::boot::convert_disk(raw, format.container, out.build_path(), work.path(), opts.epoch,
                           lk::boot::content_digest(boot));
  }
  out.commit();
  return lk::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  lk::ToolSpec spec{
      "lk-disk",
      "Make a bootable disk image from a kernel+initrd bundle: raw, qcow2, VHD or VMDK, for BIOS, UEFI or both.",
      "--format FORMAT [options] < BUNDLE.tar > DISK",
      "  lk-disk --format raw-bios < nginx.boot.tar > nginx-bios.img   # MBR, FAT, syslinux\n"
      "  lk-disk --format raw-efi -i nginx.boot.tar -o nginx-efi.img  # GPT, ESP, GRUB\n"
      "  lk-disk --format qcow2-bios --size 2G -i out/nginx -o nginx.qcow2\n"
      "  lk-disk --format vhd --size 1G -i out/nginx -o nginx.vhd      # Azure: fixed VHD, as LinuxKit's\n"
      "raw-dual/qcow2-dual: MBR with syslinux and GRUB, bootable from BIOS and UEFI.\n"
      "vhd (fixed), dynamic-vhd and vmdk (streamOptimized) are BIOS disks, as LinuxKit's, converted by qemu-img.\n"
      "No root, loop devices or mounts are used. The same bundle and SOURCE_DATE_EPOCH give the same bytes.\n",
      [](cxxopts::Options& o) {
        o.add_options()("f,format", disk_formats(), cxxopts::value<std::string>()->default_value("raw-bios"), "FORMAT")(
            "size", "disk size (e.g. 512M, 2G; default: just large enough)", cxxopts::value<std::string>(), "SIZE")(
            "i,input", "bundle tar, or a PREFIX of PREFIX-kernel files (default stdin)",
            cxxopts::value<std::string>()->default_value("-"), "FILE")(
            "o,output", "write the disk to FILE (atomically) instead of stdout", cxxopts::value<std::string>(), "FILE");
      },
      [](const lk::ToolContext& ctx) { return run(ctx); }};
  return lk::run_tool(spec, argc, argv);
}
