// lk-pkg: build the system's own packages (pkg/NAME) into OCI images in the cache, from
// Debian archives and lk's binaries, without Docker.
#include <fnmatch.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <iostream>

#include "base/error.h"
#include "base/fs.h"
#include "base/process.h"
#include "base/source_date.h"
#include "base/tool_main.h"
#include "oci/image_writer.h"
#include "oci/layout.h"
#include "oci/reference.h"
#include "pkg/deb.h"
#include "pkg/tag.h"

namespace {

namespace fs = std::filesystem;

bool matches(const std::vector<std::string>& patterns, const std::string& path) {
  for (const auto& p : patterns)
    if (::fnmatch(p.c_str(), path.c_str(), 0) == 0 || path.rfind(p + "/", 0) == 0) return true;
  return false;
}

// Documentation never belongs in a system image.
const std::vector<std::string> kAlwaysDropped = {"usr/share/doc", "usr/share/man", "usr/share/info",
                                                 "usr/share/lintian", "usr/share/bug"};

void copy_into(const std::string& src, const std::string& root, const std::string& dest, bool executable) {
  fs::path target = fs::path(root) / dest;
  fs::create_directories(target.parent_path());
  fs::copy_file(src, target, fs::copy_options::overwrite_existing);
  fs::permissions(target, executable ? fs::perms(0755) : fs::perms(0644));
}

std::string build_one(const std::string& dir, const std::string& cache, bool force, const lk::Log& log) {
  const std::string bin_dir = lk::executable_dir();
  lk::pkg::PkgSpec spec = lk::pkg::load_pkg_spec(dir);
  auto debs = lk::pkg::resolve_debs(spec);
  lk::pkg::PkgName name = lk::pkg::pkg_name(spec, debs, bin_dir);
  const std::string ref = lk::oci::parse_reference(name.reference()).str();
  lk::oci::OciLayout layout(cache);
  if (!force && layout.lookup(ref)) {
    log.verbose(ref + " is already in the cache");
    return name.reference();
  }
  lk::TempDir work(cache + "/ingest", "pkg");
  const std::string root = work.path() + "/root";
  fs::create_directories(root);
  auto keep = [&spec](const std::string& path) {
    if (matches(kAlwaysDropped, path) || matches(spec.drop, path)) return false;
    if (spec.keep.empty()) return true;
    for (const auto& p : spec.keep)
      if (p.rfind(path + "/", 0) == 0) return true;  // a directory on the way to a kept path
    return matches(spec.keep, path);
  };
  for (auto& deb : debs) {
    log.info("fetching " + deb.name + " " + deb.version);
    lk::pkg::fetch_deb(deb, cache + "/debs");
    lk::pkg::unpack_deb(deb.path, root, keep);
  }
  if (!spec.build.empty()) {
    log.info("running " + spec.build);
    lk::run_checked({fs::absolute(dir + "/" + spec.build).string(), root});
  }
  for (const auto& [tool, dest] : spec.binaries) copy_into(bin_dir + "/" + tool, root, dest, true);
  for (const auto& [src, dest] : spec.files) {
    std::string from = dir + "/" + src;
    struct stat st {};
    if (::stat(from.c_str(), &st) != 0) throw lk::InputError(dir + "/build.yml: files: " + src + " does not exist");
    copy_into(from, root, dest, st.st_mode & 0100);
  }
  lk::oci::ImageConfig cfg;
  cfg.mtime = lk::source_date_epoch();
  cfg.entrypoint = spec.config.value("entrypoint", nlohmann::json());
  cfg.cmd = spec.config.value("cmd", nlohmann::json());
  cfg.env = spec.config.value("env", nlohmann::json());
  cfg.workdir = spec.config.value("workdir", "");
  cfg.labels = spec.config.value("labels", nlohmann::json::object());
  if (!spec.moby.is_null()) cfg.labels["org.mobyproject.config"] = spec.moby.dump();
  auto img = lk::oci::write_image(layout, root, cfg, ref);
  log.info(name.reference() + ": layer " + std::to_string(img.layer_size / 1024) + " KiB");
  return name.reference();
}

int run(const lk::ToolContext& ctx) {
  const auto& args = ctx.args;
  std::vector<std::string> pos =
      args.count("args") ? args["args"].as<std::vector<std::string>>() : std::vector<std::string>{};
  if (pos.size() < 2 || (pos[0] != "build" && pos[0] != "show-tag"))
    throw lk::InputError("usage: lk-pkg build|show-tag pkg/NAME...");
  std::string cache = lk::default_cache_dir(args.count("cache") ? args["cache"].as<std::string>() : "");
  for (size_t i = 1; i < pos.size(); ++i) {
    std::string dir = pos[i];
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    if (pos[0] == "show-tag") {
      std::cout << lk::pkg::pkg_name(dir, lk::executable_dir()).reference() << "\n";
    } else {
      std::string ref = build_one(dir, cache, args.count("force") > 0, ctx.log);
      if (args.count("push")) {
        std::string target = args["push"].as<std::string>() + "/" + ref;
        lk::run_checked({lk::executable_dir() + "/lk-pull", "-q", "--cache", cache, "--push", ref, "--to", target});
      }
      std::cout << ref << "\n";
    }
  }
  return lk::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  lk::ToolSpec spec{
      "lk-pkg",
      "Build lk's system packages (pkg/NAME/build.yml) into OCI images, from Debian archives, without Docker.",
      "build|show-tag [options] pkg/NAME...",
      "  lk-pkg build pkg/init pkg/runc        # prints lk/init:<tag>, lk/runc:<tag>\n"
      "  lk-pkg show-tag pkg/nginx             # the reference, without building\n"
      "  lk-pkg build --push 127.0.0.1:5000 pkg/nginx\n"
      "build.yml: image, org (default lk), debs, keep, drop, binaries {tool: path}, files {src: path},\n"
      "build (a hook run as HOOK ROOTDIR), config {entrypoint, cmd, env, workdir, labels}, moby (the\n"
      "org.mobyproject.config label: capabilities, binds, net, ...). The tag hashes the folder, the exact\n"
      "Debian versions and the lk binaries used, so equal inputs give an equal tag and equal bytes.\n",
      [](cxxopts::Options& o) {
        o.add_options()("cache", "image cache (env LK_CACHE)", cxxopts::value<std::string>(), "DIR")(
            "push", "also push the image to REGISTRY", cxxopts::value<std::string>(), "REGISTRY")(
            "force", "build even when the cache has the tag")("args", "", cxxopts::value<std::vector<std::string>>());
        o.parse_positional({"args"});
      },
      [](const lk::ToolContext& ctx) { return run(ctx); }};
  return lk::run_tool(spec, argc, argv);
}
