// lk-rootfs: lock JSON (lk.lock/v1) + image cache -> the root filesystem as a pax tar.
#include <unistd.h>

#include <cstdlib>

#include "base/error.h"
#include "base/fs.h"
#include "base/source_date.h"
#include "base/tool_main.h"
#include "oci/layout.h"
#include "rootfs/build.h"
#include "spec/plan.h"
#include "streams/compress.h"

namespace {

int run(const lk::ToolContext& ctx) {
  const auto& args = ctx.args;
  std::string input = args["input"].as<std::string>();
  std::string text = input == "-" ? lk::read_stream(STDIN_FILENO) : lk::read_file(input);
  lk::rootfs::RootfsOptions opts;
  opts.lock_name = input == "-" ? "<stdin>" : input;
  const lk::spec::Lock lock = lk::spec::parse_document(text, lk::spec::Stage::kLock, opts.lock_name);
  opts.epoch = lk::source_date_epoch();
  if (const char* home = std::getenv("HOME")) opts.home = home;
  const std::string cache_dir = lk::default_cache_dir(args.count("cache") ? args["cache"].as<std::string>() : "");
  const auto store = lk::oci::OciLayout::existing(cache_dir);
  if (args.count("segments")) {
    std::string codec = args["segments"].as<std::string>();
    // The codec and its level decide a stored run's bytes.
    if (codec != "auto" && lk::streams::parse_codec_id(codec).codec == lk::streams::Codec::kNone)
      throw lk::InputError("--segments none: an uncompressed initrd keeps no segments");
    opts.segments = lk::rootfs::RootfsOptions::Segments{lk::streams::SegmentStore::in_cache(cache_dir), codec};
  }

  std::string output = args["output"].as<std::string>();
  if (output == "-" && isatty(STDOUT_FILENO))
    throw lk::InputError("refusing to write a tar to a terminal (use -o FILE or a pipe)");
  if (output == "-") {
    lk::streams::FdSink sink(STDOUT_FILENO, "stdout");
    lk::streams::TarWriter tar(sink);
    lk::rootfs::build_rootfs(lock, store, tar, opts, ctx.log);
  } else {
    lk::AtomicFile file(output);
    lk::streams::FdSink sink(file.fd(), output);
    lk::streams::TarWriter tar(sink);
    lk::rootfs::build_rootfs(lock, store, tar, opts, ctx.log);
    file.commit();
  }
  return lk::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  lk::ToolSpec spec{"lk-rootfs",
                    "Assemble the root filesystem (a pax tar, LinuxKit's layout) from a lock file and the image cache.",
                    "[options] < LOCK.json > ROOTFS.tar",
                    "  lk-rootfs < nginx.lock.json > nginx.rootfs.tar\n"
                    "  lk-rootfs -i nginx.lock.json -o nginx.rootfs.tar --cache /var/cache/lk\n"
                    "  lk-parse nginx.yml | lk-pull | lk-rootfs | lk-initrd -o nginx\n"
                    "  lk-rootfs --segments auto < nginx.lock.json | lk-initrd --compress auto -o nginx   # as lk build\n"
                    "Every entry lk generates gets the mtime SOURCE_DATE_EPOCH (default 0): the same lock\n"
                    "and cache always give the same bytes. With --segments the tar is for lk-initrd only: each\n"
                    "image's content is marked as a segment, and one whose compressed form lk-initrd already\n"
                    "keeps in the cache is only named (docs/initrd-segments.md).\n",
                    [](cxxopts::Options& o) {
                      o.add_options()("i,input", "read the lock from FILE",
                                      cxxopts::value<std::string>()->default_value("-"),
                                      "FILE")("o,output", "write the tar to FILE (atomically) instead of stdout",
                                              cxxopts::value<std::string>()->default_value("-"), "FILE")(
                          "cache", "image cache (default $LK_CACHE, else $XDG_CACHE_HOME/lk, else ~/.cache/lk)",
                          cxxopts::value<std::string>(), "DIR")(
                          "segments",
                          "a tar for lk-initrd compressing with CODEC (gzip-6, its default; zstd-3...; auto: zstd-3 "
                          "when the kernel image's config has CONFIG_RD_ZSTD=y, else gzip-6): see above",
                          cxxopts::value<std::string>(), "CODEC");
                    },
                    [](const lk::ToolContext& ctx) { return run(ctx); }};
  return lk::run_tool(spec, argc, argv);
}
