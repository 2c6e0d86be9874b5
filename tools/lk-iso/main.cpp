// lk-iso: boot files tar -> bootable ISO (isolinux for BIOS, GRUB for UEFI, or both).
#include "base/error.h"
#include "base/fs.h"
#include "base/source_date.h"
#include "base/tool_main.h"
#include "boot/boot_files.h"
#include "boot/iso.h"
#include "boot/output_file.h"

namespace {

int run(const lk::ToolContext& ctx) {
  const auto& args = ctx.args;
  lk::boot::IsoOptions opts;
  opts.bios = args.count("bios") > 0;
  opts.efi = args.count("efi") > 0;
  if (!opts.bios && !opts.efi) opts.bios = true;
  opts.volume_id = args["volid"].as<std::string>();
  if (opts.volume_id.empty() || opts.volume_id.size() > 32) throw lk::InputError("--volid must be 1 to 32 characters");
  opts.epoch = lk::source_date_epoch();
  lk::TempDir work(lk::temp_root(), "lk-iso");
  lk::boot::ImageOutput out(args.count("output") ? args["output"].as<std::string>() : "", work.path());
  lk::boot::BootFiles boot = lk::boot::read_boot_files(args["input"].as<std::string>(), work.path());
  lk::boot::build_iso(boot, opts, work.path(), out.build_path());
  out.commit();
  return lk::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  lk::ToolSpec spec{
      "lk-iso",
      "Make a bootable ISO from a kernel+initrd bundle: isolinux (BIOS), GRUB (UEFI), or both in one file.",
      "[options] < BUNDLE.tar > NAME.iso",
      "  lk-iso --bios < nginx.boot.tar > nginx.iso             # also boots when written to a disk\n"
      "  lk-iso --efi -i nginx.boot.tar -o nginx-efi.iso\n"
      "  lk-iso --bios --efi -i out/nginx -o nginx-hybrid.iso     # from out/nginx-kernel, -initrd.img, -cmdline\n"
      "Dates in the image are SOURCE_DATE_EPOCH (default 0): the same bundle gives the same bytes.\n",
      [](cxxopts::Options& o) {
        o.add_options()("bios", "boot with isolinux from BIOS (the default)")("efi", "boot with GRUB from UEFI")(
            "V,volid", "volume id", cxxopts::value<std::string>()->default_value("LK"), "ID")(
            "i,input", "bundle tar, or a PREFIX of PREFIX-kernel files (default stdin)",
            cxxopts::value<std::string>()->default_value("-"), "FILE")(
            "o,output", "write the ISO to FILE (atomically) instead of stdout", cxxopts::value<std::string>(), "FILE");
      },
      [](const lk::ToolContext& ctx) { return run(ctx); }};
  return lk::run_tool(spec, argc, argv);
}
