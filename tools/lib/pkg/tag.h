#pragma once
// A package folder (pkg/NAME/build.yml) and the reference lk-pkg gives its image:
// ORG/IMAGE:TAG, where TAG hashes everything the image is made from: the folder's
// files, the exact Debian package versions apt resolves today, and the lk binaries it
// includes. The same inputs always name the same image; `@pkg:PATH` resolves to it.
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace lk::pkg {

struct PkgSpec {
  std::string dir;
  std::string org = "lk";
  std::string image;
  std::vector<std::string> debs;        // Debian packages whose files the image takes
  std::vector<std::string> depends_of;  // packages whose direct Depends are taken (metapackages)
  std::vector<std::string> inputs;      // files outside the folder that the build uses (hashed too)
  std::vector<std::string> keep;        // path patterns to keep (empty: everything)
  std::vector<std::string> drop;        // path patterns to drop (after keep)
  std::vector<std::pair<std::string, std::string>> binaries;  // lk tool -> path in the image
  std::vector<std::pair<std::string, std::string>> files;     // file in the folder -> path in the image
  std::string build;                                          // optional hook in the folder, run as HOOK ROOTDIR
  nlohmann::json config = nlohmann::json::object();           // entrypoint, cmd, env, workdir, labels
  nlohmann::json moby;                                        // the org.mobyproject.config label, or null
};

// Reads and strictly checks DIR/build.yml (errors: file:line:col: key: message, exit 2).
PkgSpec load_pkg_spec(const std::string& dir);

struct PkgName {
  std::string org, image, tag;
  std::string reference() const { return org + "/" + image + ":" + tag; }
};

struct DebPackage;
// The exact Debian packages (versions and hashes) apt resolves for SPEC today.
std::vector<DebPackage> resolve_debs(const PkgSpec& spec);
// BIN_DIR holds the lk binaries a package may include (normally the directory of the
// running tool).
PkgName pkg_name(const PkgSpec& spec, const std::vector<DebPackage>& debs, const std::string& bin_dir);
PkgName pkg_name(const std::string& dir, const std::string& bin_dir);

// sha256 over every file and symlink below DIR (sorted relative path, executable
// bit, content or link target).
std::string tree_hash(const std::string& dir);

}  // namespace lk::pkg
