#pragma once
// The reference lk-pkg gives a package folder: ORG/IMAGE:TAG, where ORG and IMAGE
// come from the folder's build.yml and TAG is a content hash of the folder, so the
// same inputs always name the same image. `@pkg:PATH` in specs resolves to it.
#include <string>

namespace lk {

struct PkgName {
  std::string org;    // build.yml "org", default "lk"
  std::string image;  // build.yml "image"
  std::string tag;    // 40 hex digits of the folder's content hash
  std::string reference() const { return org + "/" + image + ":" + tag; }
};

// Throws InputError naming DIR when it is not a package folder.
PkgName pkg_name(const std::string& dir);

// sha256 over every file and symlink below DIR (sorted relative path, executable
// bit, content or link target); dot-files and build.yml's comments count too.
std::string tree_hash(const std::string& dir);

}  // namespace lk
