// lk-gcp: boot files tar -> NAME.img.tar.gz, the raw disk in the tar layout Compute Engine imports.
#include <fcntl.h>
#include <unistd.h>

#include <memory>

#include "base/error.h"
#include "base/fs.h"
#include "base/progress.h"
#include "base/source_date.h"
#include "base/tool_main.h"
#include "base/units.h"
#include "boot/boot_files.h"
#include "boot/disk.h"
#include "streams/compress.h"
#include "streams/sparse_tar.h"

namespace {

// Counts the tar stream on its way to gzip, for the terminal's progress line.
class CountingSink : public lk::streams::ByteSink {
public:
  CountingSink(lk::streams::ByteSink& next, lk::Progress& progress) : next_(next), progress_(progress) {}
  void write(const void* d, size_t n) override {
    written_ += n;
    next_.write(d, n);
    progress_.advance("gzip", static_cast<int64_t>(n));
  }
  void finish() override {
    next_.finish();
    progress_.finish("gzip");
  }

private:
  lk::streams::ByteSink& next_;
  lk::Progress& progress_;
};

bool has_serial_console(const std::string& cmdline) {
  size_t at = 0;
  while ((at = cmdline.find("console=ttyS", at)) != std::string::npos) {
    if (at == 0 || cmdline[at - 1] == ' ') return true;
    ++at;
  }
  return false;
}

int run(const lk::ToolContext& ctx) {
  const auto& args = ctx.args;
  lk::boot::DiskOptions opts;
  opts.bios = args.count("uefi") == 0;
  opts.efi = !opts.bios;
  opts.round_to = 1ull << 30;  // GCE takes whole GiB
  if (args.count("size")) opts.size = lk::parse_size(args["size"].as<std::string>(), "--size");
  opts.epoch = lk::source_date_epoch();
  lk::streams::CompressOptions copts;
  if (args.count("level")) copts.level = args["level"].as<int>();
  if (copts.level < -1 || copts.level > 12) throw lk::InputError("--level must be 0 to 12");

  lk::TempDir work(lk::temp_root(), "lk-gcp");
  const std::string output = args.count("output") ? args["output"].as<std::string>() : "-";
  if (output == "-" && ::isatty(STDOUT_FILENO))
    throw lk::InputError("refusing to write a tarball to a terminal (use -o FILE)");
  lk::boot::BootFiles boot = lk::boot::read_boot_files(args["input"].as<std::string>(), work.path());
  if (!has_serial_console(boot.cmdline)) {
    // GCE shows only the first serial port; without it a boot cannot be watched.
    ctx.log.warn("the command line has no serial console; adding console=ttyS0 for the GCE serial port");
    boot.cmdline += boot.cmdline.empty() ? "console=ttyS0" : " console=ttyS0";
  }
  const std::string raw = work.path() + "/disk.raw";
  uint64_t size = lk::boot::build_disk(boot, opts, work.path(), raw);
  ctx.log.verbose("disk.raw: " + std::to_string(size >> 30) + " GiB");

  lk::Fd disk(::open(raw.c_str(), O_RDONLY | O_CLOEXEC));
  if (!disk) lk::throw_errno("open " + raw);
  std::unique_ptr<lk::AtomicFile> file;
  if (output != "-") file = std::make_unique<lk::AtomicFile>(output, 0644);
  lk::streams::FdSink sink(file ? file->fd() : STDOUT_FILENO, file ? output : "stdout");
  auto gz = lk::streams::make_compressor(copts, sink);
  lk::Progress progress(ctx.log.level() >= lk::Log::kNormal);
  if (progress.enabled()) {  // the regions are found again by the tar writer; only a terminal needs the total
    uint64_t data = 0;
    for (const auto& r : lk::data_regions(disk.get(), raw)) data += r.length;
    progress.start("gzip", "disk.raw.tar.gz", static_cast<int64_t>(data));
  }
  CountingSink counted(*gz, progress);
  lk::streams::write_sparse_tar(disk.get(), "disk.raw", opts.epoch, counted);
  if (file) file->commit();
  return lk::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  lk::ToolSpec spec{
      "lk-gcp",
      "Make a Google Compute Engine image from a kernel+initrd bundle: disk.raw in a sparse oldgnu tar, gzip'd.",
      "[options] < BUNDLE.tar > NAME.img.tar.gz",
      "  lk-gcp < nginx.boot.tar > nginx.img.tar.gz       # MBR, FAT, syslinux: GCE's default BIOS boot\n"
      "  lk-gcp --uefi -i out/nginx -o nginx-efi.img.tar.gz # GPT and an ESP with GRUB (UEFI_COMPATIBLE images)\n"
      "  lk push gcp nginx.img.tar.gz && lk run gcp nginx\n"
      "The disk is a whole number of GiB, just large enough unless --size says more. console=ttyS0 is added\n"
      "when the command line has no serial console. Same bundle and SOURCE_DATE_EPOCH, same bytes.\n",
      [](cxxopts::Options& o) {
        o.add_options()("uefi", "GPT disk with an EFI System Partition instead of MBR + syslinux")(
            "size", "minimum disk size (rounded up to whole GiB)", cxxopts::value<std::string>(), "SIZE")(
            "level", "gzip level 0-12 (default 6; above 9, libdeflate's slower, smaller levels)", cxxopts::value<int>(),
            "N")("i,input", "bundle tar, or a PREFIX of PREFIX-kernel files (default stdin)",
                 cxxopts::value<std::string>()->default_value("-"),
                 "FILE")("o,output", "write the tarball to FILE (atomically) instead of stdout",
                         cxxopts::value<std::string>(), "FILE");
      },
      [](const lk::ToolContext& ctx) { return run(ctx); }};
  return lk::run_tool(spec, argc, argv);
}
