#include "build.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "base/error.h"
#include "base/fs.h"
#include "base/process.h"
#include "base/source_date.h"
#include "base/tool_main.h"
#include "boot/boot_files.h"
#include "oci/docker_archive.h"
#include "spec/output_formats.h"
#include "spec/plan.h"
#include "streams/compress.h"

namespace lk::front {

namespace {

using spec::output_format;
using spec::OutputFormat;

// "Formats: a, b, ... (and the 2017 names x, y).", from the one table.
std::string formats_help() {
  std::string now, old;
  for (const auto& f : spec::output_formats()) {
    std::string& list = f.old_name ? old : now;
    list += (list.empty() ? "" : ", ") + f.name;
  }
  return "Formats: " + now + " (and the 2017 names " + old + ").\n";
}

namespace fs = std::filesystem;

std::vector<std::string> split_formats(const std::vector<std::string>& raw) {
  std::vector<std::string> out;
  for (const auto& r : raw) {
    std::stringstream ss(r);
    std::string f;
    while (std::getline(ss, f, ','))
      if (!f.empty()) out.push_back(f);
  }
  return out;
}

// Runs one stage, stdin from IN_PATH and stdout to OUT_PATH ("" = inherit).
// Runs one stage to its end: its exit status says whether the build failed on bad input.
void run_stage(const std::vector<std::string>& argv, const SpawnOptions& o, const std::string& name) {
  int status = Child(argv, o).wait();
  if (status != 0) throw Error(status == kExitInput ? kExitInput : kExitRuntime, name + " failed");
}

void stage(const std::vector<std::string>& argv, const std::string& in_path, const std::string& out_path) {
  Fd in;
  SpawnOptions o;
  if (!in_path.empty()) {
    in.reset(::open(in_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in) throw_errno("open " + in_path);
    o.stdin_fd = in.get();
  }
  std::unique_ptr<AtomicFile> dest;
  if (!out_path.empty()) {
    dest = std::make_unique<AtomicFile>(out_path, 0644);
    o.stdout_fd = dest->fd();
  }
  run_stage(argv, o, argv[0]);
  if (dest) dest->commit();
}

// The kernel+initrd files from the bundle tar BOOT_TAR, as PREFIX-kernel, -initrd.img
// (microcode first, as lk-initrd -o writes it) and -cmdline.
void unpack_boot_tar(const std::string& boot_tar, const std::string& prefix, const std::string& workdir) {
  const std::string dir = workdir + "/boot";
  fs::create_directories(dir);
  boot::BootFiles files = boot::read_boot_files(boot_tar, dir);
  fs::rename(files.kernel, prefix + "-kernel");
  fs::rename(files.initrd, prefix + "-initrd.img");
  AtomicFile cmdline(prefix + "-cmdline");
  cmdline.write(files.cmdline);
  cmdline.commit();
}

std::string seconds(std::chrono::steady_clock::time_point since) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count());
  return buf;
}

std::string human_size(const std::string& path) {
  auto n = fs::file_size(path);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(n) / 1e6);
  return buf;
}

int run(const ToolContext& ctx) {
  const auto& args = ctx.args;
  if (!args.count("specs")) throw InputError("no spec given (usage: lk build [options] SPEC.yml...)");
  // LinuxKit's --arch: lk's packages, kernel and lk-init are amd64 builds for now.
  const std::string arch = args["arch"].as<std::string>();
  if (arch == "arm64" || arch == "s390x" || arch == "riscv64")
    throw InputError("--arch " + arch + ": lk builds amd64 systems only, not yet " + arch);
  if (arch != "amd64" && arch != "x86_64")
    throw InputError("--arch must be amd64 (or LinuxKit's arm64, s390x, riscv64), not \"" + arch + "\"");
  const std::string compress_arg = args["compress"].as<std::string>();
  if (compress_arg != "auto" && compress_arg != "gzip" && compress_arg != "zstd")
    throw InputError("--compress must be auto, gzip or zstd, not \"" + compress_arg + "\"");
  auto specs = args["specs"].as<std::vector<std::string>>();
  const std::string bin = executable_dir();
  const std::string dir = args["dir"].as<std::string>();
  std::string name = args.count("name") ? args["name"].as<std::string>() : "";
  if (name.empty()) {
    std::string base = specs.back() == "-" ? "moby" : fs::path(specs.back()).filename().string();
    name = base.substr(0, base.rfind('.'));
  }
  fs::create_directories(dir);
  std::vector<std::string> common;
  if (args.count("cache")) common = {"--cache", args["cache"].as<std::string>()};
  if (ctx.log.level() == Log::kQuiet) common.push_back("-q");

  auto started = std::chrono::steady_clock::now();
  // Intermediate files sit beside the outputs under dot-names, replaced atomically.
  const std::string prefix = dir + "/." + name;
  std::vector<std::string> parse = {bin + "/lk-parse"};
  parse.insert(parse.end(), specs.begin(), specs.end());
  stage(parse, "", prefix + ".plan.json");
  const spec::Plan plan =
      spec::parse_document(read_file(prefix + ".plan.json"), spec::Stage::kPlan, prefix + ".plan.json");

  std::vector<std::string> formats =
      split_formats(args.count("format") ? args["format"].as<std::vector<std::string>>() : std::vector<std::string>{});
  if (formats.empty()) formats = plan.formats;
  if (formats.empty()) formats.push_back("kernel+initrd");
  // Each output file is made once: formats that write the same file must make the same
  // thing (qcow2 is qcow2-bios), else one would silently replace the other.
  std::vector<const OutputFormat*> wanted;
  for (const auto& f : formats) {
    const OutputFormat& fmt = output_format(f);
    bool same = false;
    for (const OutputFormat* w : wanted) {
      if (w->suffix != fmt.suffix) continue;
      if (w->kind != fmt.kind || w->tool != fmt.tool)
        throw InputError("formats " + w->name + " and " + fmt.name + " both write " + name + fmt.suffix +
                         ": build them one at a time, with different --name");
      same = true;
    }
    if (!same) wanted.push_back(&fmt);
  }
  auto wants = [&](OutputFormat::Kind k) {
    for (const OutputFormat* w : wanted)
      if (w->kind == k) return true;
    return false;
  };
  const bool want_rootfs_tar = wants(OutputFormat::kRootfsTar), want_boot_tar = wants(OutputFormat::kBootTar);
  const bool want_docker = wants(OutputFormat::kDockerArchive);
  const bool want_boot = wants(OutputFormat::kBootFiles) || want_boot_tar || wants(OutputFormat::kImage);
  std::string size;
  if (args.count("size")) size = args["size"].as<std::string>();

  if (!plan.packages.empty()) {
    std::vector<std::string> pkg = {bin + "/lk-pkg", "build"};
    pkg.insert(pkg.end(), common.begin(), common.end());
    for (const auto& [ref, pkg_dir] : plan.packages) pkg.push_back(pkg_dir);
    Fd devnull(::open("/dev/null", O_WRONLY | O_CLOEXEC));
    SpawnOptions o;
    o.stdout_fd = devnull.get();
    Child c(pkg, o);
    if (c.wait() != 0) throw RuntimeError("lk-pkg could not build the spec's packages");
  }

  std::vector<std::string> pull = {bin + "/lk-pull"};
  pull.insert(pull.end(), common.begin(), common.end());
  if (args.count("pull")) pull.push_back("--pull");
  stage(pull, prefix + ".plan.json", prefix + ".lock.json");

  // Every output is made in a staging folder beside them and moved into place only once
  // every stage has succeeded: a failed build leaves the previous outputs as they were.
  TempDir staging(dir, "." + name + ".build");
  const std::string staged = staging.path() + "/" + name;
  const std::string out = dir + "/" + name;
  std::vector<std::string> outputs;

  std::vector<std::string> rootfs = {bin + "/lk-rootfs"};
  rootfs.insert(rootfs.end(), common.begin(), common.end());
  // lk-initrd writes the bundle tar LinuxKit's tar-kernel-initrd is, else the files of
  // kernel+initrd, which the image tools then read.
  std::vector<std::string> initrd = {bin + "/lk-initrd"};
  const std::string boot_tar = staged + "-initrd.tar";
  if (!want_boot_tar) initrd.insert(initrd.end(), {"-o", staged});
  if (want_rootfs_tar || want_docker) {
    const std::string rootfs_tar = want_rootfs_tar ? staged + ".tar" : staging.path() + "/rootfs.tar";
    stage(rootfs, prefix + ".lock.json", rootfs_tar);
    if (want_rootfs_tar) {
      outputs.push_back(".tar");
      ctx.log.info("tar: " + out + ".tar (" + human_size(rootfs_tar) + ") in " + seconds(started));
    }
    if (want_docker) {
      oci::write_docker_archive({rootfs_tar, "lk/" + name + ":latest", "amd64", source_date_epoch()},
                                staged + ".docker");
      outputs.push_back(".docker");
      ctx.log.info("docker: " + out + ".docker (" + human_size(staged + ".docker") + "), image lk/" + name +
                   ":latest for docker load, in " + seconds(started));
    }
  }
  if (want_boot) {
    // lk-rootfs --segments, then lk-initrd; the images' content the cache holds
    // compressed is only named in the tar. (Also when a tar output was made above: an
    // initrd's bytes never depend on the other formats asked for.) The tar goes to an
    // unnamed temporary file, not a pipe: lk-initrd reads it twice (hard links), and
    // would otherwise copy a pipe into a file of its own first. With auto, lk-rootfs
    // picks the codec from the kernel's config and tells lk-initrd in the tar.
    rootfs.insert(rootfs.end(), {"--segments", compress_arg == "auto" ? std::string("auto")
                                                                       : streams::codec_id({streams::parse_codec(
                                                                             compress_arg), -1, 0})});
    initrd.insert(initrd.end(), common.begin(), common.end());
    initrd.insert(initrd.end(), {"--compress", compress_arg});
    Fd tar = temp_file();
    Fd lock(::open((prefix + ".lock.json").c_str(), O_RDONLY | O_CLOEXEC));
    SpawnOptions ro;
    ro.stdin_fd = lock.get();
    ro.stdout_fd = tar.get();
    run_stage(rootfs, ro, "lk-rootfs");
    if (::lseek(tar.get(), 0, SEEK_SET) != 0) throw_errno("rootfs tar: seek");
    std::unique_ptr<AtomicFile> tar_out;
    SpawnOptions io;
    io.stdin_fd = tar.get();
    if (want_boot_tar) {
      tar_out = std::make_unique<AtomicFile>(boot_tar);
      io.stdout_fd = tar_out->fd();
    }
    run_stage(initrd, io, "lk-initrd");
    if (tar_out) tar_out->commit();
  }
  if (want_boot_tar) {
    outputs.push_back("-initrd.tar");
    ctx.log.info("tar-kernel-initrd: " + out + "-initrd.tar (" + human_size(boot_tar) + ") in " + seconds(started));
  }
  if (wants(OutputFormat::kBootFiles)) {
    if (want_boot_tar) unpack_boot_tar(boot_tar, staged, staging.path());
    outputs.insert(outputs.end(), {"-kernel", "-initrd.img", "-cmdline"});
    ctx.log.info("kernel+initrd: " + out + "-kernel (" + human_size(staged + "-kernel") + "), " + out +
                 "-initrd.img (" + human_size(staged + "-initrd.img") + "), " + out + "-cmdline in " +
                 seconds(started));
  }

  for (const OutputFormat* fmt : wanted) {
    if (fmt->kind != OutputFormat::kImage) continue;
    auto t = std::chrono::steady_clock::now();
    std::vector<std::string> argv = {bin + "/" + fmt->tool[0]};
    argv.insert(argv.end(), fmt->tool.begin() + 1, fmt->tool.end());
    if (fmt->takes_size && !size.empty()) argv.insert(argv.end(), {"--size", size});
    if (ctx.log.level() == Log::kQuiet) argv.push_back("-q");
    argv.insert(argv.end(), {"-i", want_boot_tar ? boot_tar : staged, "-o", staged + fmt->suffix});
    stage(argv, "", "");
    outputs.push_back(fmt->suffix);
    ctx.log.info(fmt->name + ": " + out + fmt->suffix + " (" + human_size(staged + fmt->suffix) + ") in " + seconds(t));
  }
  for (const auto& suffix : outputs) fs::rename(staged + suffix, out + suffix);
  if (Fd d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)}) ::fsync(d.get());
  return kExitOk;
}

}  // namespace

int build_main(int argc, char** argv) {
  ToolSpec spec{
      "lk build",
      "Build a spec into bootable outputs: lk-parse | lk-pull | lk-rootfs | lk-initrd | lk-iso/lk-disk/lk-gcp, as "
      "`moby build` did.",
      "[options] SPEC.yml [SPEC.yml...]",
      "  lk build examples/nginx.yml                 # nginx-kernel, nginx-initrd.img, nginx-cmdline\n"
      "  lk build --dir out --name demo a.yml b.yml\n"
      "  lk build --format iso-bios,iso-efi,raw-bios,gcp examples/nginx.yml   # nginx.iso nginx-efi.iso ...\n"
      "  lk build -format iso-efi -name demo examples/nginx.yml   # moby's spelling\n" +
          formats_help() + "@pkg: packages the spec names are built with lk-pkg when the cache lacks them.\n",
      [](cxxopts::Options& o) {
        o.add_options()("f,format", "output formats (default: the spec's outputs:, else kernel+initrd)",
                        cxxopts::value<std::vector<std::string>>(),
                        "LIST")("dir", "output directory", cxxopts::value<std::string>()->default_value("."), "DIR")(
            "name", "output base name (default: the last spec's name)", cxxopts::value<std::string>(), "NAME")(
            "cache", "image cache (env LK_CACHE)", cxxopts::value<std::string>(), "DIR")(
            "pull", "re-resolve every tag against its registry")(
            "arch", "target architecture (amd64 only, for now)", cxxopts::value<std::string>()->default_value("amd64"),
            "ARCH")(
            "size",
            "disk size for the disk formats (e.g. 2G; a bare number is bytes, not moby's GiB; default: just large "
            "enough)",
            cxxopts::value<std::string>(), "SIZE")(
            "compress",
            "the initrd's compression: auto (zstd when the kernel image's config has CONFIG_RD_ZSTD=y, as Debian's "
            "has, else gzip), gzip (LinuxKit's) or zstd",
            cxxopts::value<std::string>()->default_value("auto"), "CODEC")("specs", "",
                                                                          cxxopts::value<std::vector<std::string>>());
        o.parse_positional({"specs"});
      },
      [](const ToolContext& ctx) { return run(ctx); },
      // `moby build`'s and `linuxkit build`'s flags that lk has.
      {"arch", "cache", "dir", "format", "name", "pull", "size"}};
  return run_tool(spec, argc, argv);
}

}  // namespace lk::front
