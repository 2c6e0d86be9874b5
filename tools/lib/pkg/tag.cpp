#include "pkg/tag.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "base/error.h"
#include "base/fs.h"
#include "base/sha256.h"
#include "pkg/deb.h"
#include "spec/check.h"
#include "spec/schema.h"
#include "spec/yaml_source.h"

namespace lk::pkg {

namespace fs = std::filesystem;

std::string tree_hash(const std::string& dir) {
  std::vector<std::string> rels;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    auto st = it->symlink_status(ec);
    if (ec) break;
    if (fs::is_regular_file(st) || fs::is_symlink(st))
      rels.push_back(it->path().lexically_relative(dir).generic_string());
  }
  if (ec) throw InputError(dir + ": " + ec.message());
  std::sort(rels.begin(), rels.end());
  Sha256 listing;
  for (const auto& rel : rels) {
    std::string full = dir + "/" + rel;
    struct stat st {};
    if (::lstat(full.c_str(), &st) != 0) throw_errno("stat " + full);
    std::string line;
    if (S_ISLNK(st.st_mode)) {
      line = "l " + rel + " " + fs::read_symlink(full).string();
    } else {
      // Only the executable bit survives git checkouts and umasks, so only it counts.
      line = std::string((st.st_mode & 0100) ? "x " : "f ") + rel + " " + sha256_hex(read_file(full));
    }
    listing.update(line);
    listing.update("\n", 1);
  }
  return listing.hex();
}

namespace {
using namespace spec::check;

Checker pkg_checker() {
  auto rel_path = refine(nonempty_string(), [](const json& v) -> std::string {
    const auto& s = v.get_ref<const std::string&>();
    if (s[0] == '/' || s.find("..") != std::string::npos) return "\"" + s + "\" must be a relative path without ..";
    return "";
  });
  return object({
      {"image", nonempty_string(), true},
      {"org", nonempty_string()},
      {"debs", list(nonempty_string())},
      {"depends-of", list(nonempty_string())},
      {"inputs", string_list()},
      {"keep", string_list()},
      {"drop", string_list()},
      {"binaries", string_map()},
      {"files", string_map()},
      {"build", rel_path},
      {"config", object({{"entrypoint", string_list()},
                         {"cmd", string_list()},
                         {"env", string_list()},
                         {"workdir", string()},
                         {"labels", string_map()}})},
      {"moby", spec::image_spec_checker(true)},
  });
}

std::vector<std::pair<std::string, std::string>> pairs(const json& m) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [k, v] : m.items()) out.emplace_back(k, v.get<std::string>());
  return out;
}
}  // namespace

PkgSpec load_pkg_spec(const std::string& dir) {
  std::string file = dir + "/build.yml";
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) throw InputError(dir + ": not a package folder (no build.yml)");
  Diagnostics diag;
  YAML::Node node = spec::load_yaml(file, read_file(file), diag);
  diag.throw_if_any();
  if (!node.IsMap()) throw InputError(file + ": expected a mapping with at least \"image\"");
  Walk walk{file, diag};
  json doc = pkg_checker()(node, "", walk);
  diag.throw_if_any();
  PkgSpec spec;
  spec.dir = dir;
  spec.image = doc["image"];
  spec.org = doc.value("org", "lk");
  auto strings = [&doc](const char* key, std::vector<std::string>& dest) {
    if (doc.contains(key))
      for (const auto& v : doc[key]) dest.push_back(v);
  };
  strings("debs", spec.debs);
  strings("depends-of", spec.depends_of);
  strings("inputs", spec.inputs);
  strings("keep", spec.keep);
  strings("drop", spec.drop);
  if (doc.contains("binaries")) spec.binaries = pairs(doc["binaries"]);
  if (doc.contains("files")) spec.files = pairs(doc["files"]);
  spec.build = doc.value("build", "");
  if (doc.contains("config")) spec.config = doc["config"];
  if (doc.contains("moby")) spec.moby = doc["moby"];
  return spec;
}

std::vector<DebPackage> resolve_debs(const PkgSpec& spec) {
  std::vector<std::string> names = spec.debs;
  for (const auto& dep : direct_depends(spec.depends_of))
    if (std::find(names.begin(), names.end(), dep) == names.end()) names.push_back(dep);
  return resolve_debs(names);
}

PkgName pkg_name(const PkgSpec& spec, const std::vector<DebPackage>& debs, const std::string& bin_dir) {
  Sha256 h;
  h.update("lk.pkg/v1\n" + tree_hash(spec.dir) + "\n");
  for (const auto& pkg : debs) h.update("deb " + pkg.name + " " + pkg.version + " " + pkg.sha256 + "\n");
  for (const auto& in : spec.inputs) {
    std::string path = spec.dir + "/" + in;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw InputError(spec.dir + "/build.yml: inputs: " + in + " does not exist");
    h.update("input " + in + " " + sha256_hex(read_file(path)) + "\n");
  }
  for (const auto& [tool, dest] : spec.binaries) {
    std::string path = bin_dir + "/" + tool;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
      throw InputError(spec.dir + "/build.yml: binaries: " + tool + " is not built (no " + path + "; run make)");
    h.update("bin " + tool + " " + dest + " " + sha256_hex(read_file(path)) + "\n");
  }
  return PkgName{spec.org, spec.image, h.hex().substr(0, 40)};
}

PkgName pkg_name(const std::string& dir, const std::string& bin_dir) {
  PkgSpec spec = load_pkg_spec(dir);
  return pkg_name(spec, resolve_debs(spec), bin_dir);
}

}  // namespace lk::pkg
