// lk-initrd: rootfs tar -> kernel + compressed cpio initrd + cmdline (a bundle tar, or PREFIX-* files).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <memory>

#include "base/error.h"
#include "base/fs.h"
#include "base/source_date.h"
#include "base/tool_main.h"
#include "base/units.h"
#include "boot/initrd.h"
#include "streams/compress.h"
#include "streams/tar_writer.h"

namespace {

uint64_t size_of(int fd) {
  struct stat st;
  if (::fstat(fd, &st) != 0) lk::throw_errno("stat");
  return static_cast<uint64_t>(st.st_size);
}

void copy_fd(int from, const std::function<void(const void*, size_t)>& to) {
  if (::lseek(from, 0, SEEK_SET) != 0) lk::throw_errno("seek");
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(from, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) lk::throw_errno("read temporary file");
    if (n == 0) return;
    to(buf, static_cast<size_t>(n));
  }
}

int run(const lk::ToolContext& ctx) {
  const auto& args = ctx.args;
  lk::streams::CompressOptions copts;
  const std::string codec = args["compress"].as<std::string>();
  const bool from_tar = codec == "auto";
  if (!from_tar) copts.codec = lk::streams::parse_codec(codec);
  if (args.count("level")) copts.level = args["level"].as<int>();
  if (args.count("threads")) copts.threads = args["threads"].as<int>();
  if (copts.threads < 0) throw lk::InputError("--threads must be 0 (one per CPU) or more");
  int64_t epoch = lk::source_date_epoch();
  uint64_t mem = args.count("mem")        ? lk::parse_size(args["mem"].as<std::string>(), "--mem")
                 : args.count("max-size") ? lk::parse_size(args["max-size"].as<std::string>(), "--max-size")
                                          : 0;

  const std::string input = args["input"].as<std::string>();
  lk::Fd owned = lk::open_input(input, "a rootfs tar from lk-rootfs");
  int in = owned.get();
  struct stat in_st {};
  // A failed fstat must not pass for "not a regular file": that would silently spool a file.
  if (::fstat(in, &in_st) != 0) lk::throw_errno("stat " + input);
  if (::lseek(in, 0, SEEK_CUR) < 0 || !S_ISREG(in_st.st_mode)) {
    // A pipe: keep a copy to read twice (see boot/initrd.h).
    lk::Fd spool = lk::temp_file();
    lk::streams::FdSink s(spool.get(), "temporary file");
    char buf[1 << 16];
    for (;;) {
      ssize_t n = ::read(in, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) lk::throw_errno("read stdin");
      if (n == 0) break;
      s.write(buf, static_cast<size_t>(n));
    }
    s.finish();
    owned = std::move(spool);
    in = owned.get();
  }

  std::string prefix = args.count("output") ? args["output"].as<std::string>() : "";
  if (prefix.empty() && isatty(STDOUT_FILENO))
    throw lk::InputError("refusing to write a tar to a terminal (use -o PREFIX or a pipe)");

  std::unique_ptr<lk::AtomicFile> kernel_file, initrd_file;
  lk::Fd kernel_tmp, initrd_tmp, ucode_tmp;
  int kernel_fd, initrd_fd, ucode_fd;
  if (!prefix.empty()) {
    kernel_file = std::make_unique<lk::AtomicFile>(prefix + "-kernel");
    initrd_file = std::make_unique<lk::AtomicFile>(prefix + "-initrd.img");
    kernel_fd = kernel_file->fd();
    initrd_fd = ucode_fd = initrd_file->fd();  // LinuxKit puts the microcode cpio first in the initrd
  } else {
    kernel_tmp = lk::temp_file();
    initrd_tmp = lk::temp_file();
    ucode_tmp = lk::temp_file();
    kernel_fd = kernel_tmp.get();
    initrd_fd = initrd_tmp.get();
    ucode_fd = ucode_tmp.get();
  }
  lk::streams::FdSink kernel_sink(kernel_fd, "kernel"), initrd_sink(initrd_fd, "initrd"), ucode_sink(ucode_fd, "ucode");
  lk::boot::InitrdSinks sinks{
      &kernel_sink, ucode_fd == initrd_fd ? static_cast<lk::streams::ByteSink*>(&initrd_sink) : &ucode_sink,
      &initrd_sink, copts, from_tar};
  const auto store = lk::streams::SegmentStore::in_cache(
      lk::default_cache_dir(args.count("cache") ? args["cache"].as<std::string>() : ""));
  auto res = lk::boot::build_initrd(in, sinks, &store);  // also flushes initrd_sink
  kernel_sink.finish();
  ucode_sink.finish();
  if (!res.kernel) throw lk::InputError("the rootfs tar has no boot/kernel (does the spec name a kernel image?)");

  uint64_t compressed = initrd_sink.written() - (ucode_fd == initrd_fd ? ucode_sink.written() : 0);
  ctx.log.verbose(std::to_string(res.entries) + " entries, cpio " + std::to_string(res.cpio_bytes >> 20) +
                  " MiB, compressed " + std::to_string(compressed >> 20) + " MiB");
  if (res.segments)
    ctx.log.verbose(std::to_string(res.segments) + " segments: " + std::to_string(res.spliced) + " spliced from " +
                    store.dir() + " (" + std::to_string(res.spliced_bytes >> 20) + " MiB of cpio), " +
                    std::to_string(res.stored) + " stored");
  if (mem) {
    // At boot the compressed image and the unpacked tree are both in memory, and
    // the kernel itself and early userspace need room too.
    uint64_t need = compressed + res.cpio_bytes + kernel_sink.written() + (64ull << 20);
    if (need > mem)
      ctx.log.warn("the initrd needs about " + std::to_string(need >> 20) + " MiB at boot (" +
                   std::to_string(compressed >> 20) + " MiB compressed + " + std::to_string(res.cpio_bytes >> 20) +
                   " MiB unpacked + kernel and 64 MiB headroom); a machine with " + std::to_string(mem >> 20) +
                   " MiB will not boot it");
  }

  if (!prefix.empty()) {
    lk::AtomicFile cmdline(prefix + "-cmdline");
    cmdline.write(res.cmdline);
    kernel_file->commit();
    initrd_file->commit();
    cmdline.commit();
    return lk::kExitOk;
  }
  lk::streams::FdSink out(STDOUT_FILENO, "stdout");
  lk::streams::TarWriter tar(out);
  auto add_file = [&](const char* name, int fd) {
    lk::streams::TarEntry e;
    e.path = name;
    e.mode = 0644;
    e.mtime = epoch;
    e.size = size_of(fd);
    tar.header(e);
    copy_fd(fd, [&](const void* d, size_t n) { tar.data(d, n); });
    tar.end_entry();
  };
  add_file("kernel", kernel_fd);
  add_file("initrd.img", initrd_fd);
  lk::streams::TarEntry c;
  c.path = "cmdline";
  c.mode = 0644;
  c.mtime = epoch;
  tar.add(c, res.cmdline);
  if (res.ucode) add_file("ucode.cpio", ucode_fd);
  tar.close();
  return lk::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  lk::ToolSpec spec{
      "lk-initrd",
      "Turn a rootfs tar into a kernel, a compressed cpio initrd and a command line.",
      "[options] < ROOTFS.tar > BUNDLE.tar   (or -o PREFIX for PREFIX-kernel, PREFIX-initrd.img, PREFIX-cmdline)",
      "  lk-initrd < nginx.rootfs.tar > nginx.bundle.tar           # kernel, initrd.img, cmdline[, ucode.cpio]\n"
      "  lk-initrd -o out/nginx < nginx.rootfs.tar                 # out/nginx-kernel, -initrd.img, -cmdline\n"
      "  lk-initrd --compress zstd --level 19 < rootfs.tar > bundle.tar\n"
      "  lk-initrd --mem 512M -o nginx < rootfs.tar                 # warn if it will not fit 512 MiB\n"
      "  lk-rootfs --segments auto < nginx.lock.json | lk-initrd --compress auto -o nginx   # as lk build\n"
      "Output is byte-reproducible: it depends only on the input, codec and level, not on the\n"
      "thread count, nor on what the cache held. Bundle entries get the mtime SOURCE_DATE_EPOCH\n"
      "(default 0). A rootfs tar from lk-rootfs --segments has each image's content in a\n"
      "segment: its compressed form is kept in the cache, and a segment lk-rootfs found there\n"
      "is spliced from it instead of compressed again (docs/initrd-segments.md).\n",
      [](cxxopts::Options& o) {
        o.add_options()("i,input", "read the rootfs tar from FILE", cxxopts::value<std::string>()->default_value("-"),
                        "FILE")(
            "o,output", "write PREFIX-kernel, PREFIX-initrd.img (ucode first) and PREFIX-cmdline instead of a tar",
            cxxopts::value<std::string>(),
            "PREFIX")("compress", "gzip, zstd, none, or auto: what a tar from lk-rootfs --segments auto says",
            cxxopts::value<std::string>()->default_value("gzip"), "CODEC")(
            "level", "compression level (gzip 0-12, default 6; zstd 1-19+, default 3)", cxxopts::value<int>(), "N")(
            "threads", "compression threads (default: one per CPU, at most 8)", cxxopts::value<int>(), "N")(
            "mem", "warn when the initrd will not fit a machine with SIZE of memory (e.g. 512M)",
            cxxopts::value<std::string>(), "SIZE")("max-size", "same as --mem", cxxopts::value<std::string>(), "SIZE")(
            "cache",
            "where a segmented rootfs tar's compressed segments are kept (default $LK_CACHE, else "
            "$XDG_CACHE_HOME/lk, else ~/.cache/lk)",
            cxxopts::value<std::string>(), "DIR");
      },
      [](const lk::ToolContext& ctx) { return run(ctx); }};
  return lk::run_tool(spec, argc, argv);
}
