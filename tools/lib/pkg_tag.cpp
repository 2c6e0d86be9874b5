#include "pkg_tag.h"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "error.h"
#include "fs.h"
#include "sha256.h"

namespace lk {

namespace fs = std::filesystem;

std::string tree_hash(const std::string& dir) {
  std::vector<std::string> rels;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    auto st = it->symlink_status(ec);
    if (ec) break;
    if (fs::is_regular_file(st) || fs::is_symlink(st)) rels.push_back(fs::relative(it->path(), dir).generic_string());
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

PkgName pkg_name(const std::string& dir) {
  std::string build = dir + "/build.yml";
  struct stat st {};
  if (::stat(build.c_str(), &st) != 0) throw InputError(dir + ": not a package folder (no build.yml)");
  YAML::Node doc;
  try {
    doc = YAML::LoadFile(build);
  } catch (const YAML::Exception& e) {
    throw InputError(build + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
  }
  if (!doc.IsMap() || !doc["image"] || !doc["image"].IsScalar())
    throw InputError(build + ": missing \"image\" (the package's image name)");
  PkgName n;
  n.image = doc["image"].Scalar();
  n.org = doc["org"] && doc["org"].IsScalar() ? doc["org"].Scalar() : "lk";
  n.tag = tree_hash(dir).substr(0, 40);
  return n;
}

}  // namespace lk
