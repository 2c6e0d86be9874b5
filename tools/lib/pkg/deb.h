#pragma once
// Debian packages as image inputs: resolve the candidate version apt would install,
// download the .deb once into a cache (apt-get download; checked against the SHA256
// that the signed archive index lists, also when taken from the cache), and unpack
// its data.tar into a staging directory.
#include <functional>
#include <string>
#include <vector>

namespace lk::pkg {

struct DebPackage {
  std::string name;
  std::string version;  // exact, e.g. "1.22.1-9+deb12u1"
  std::string sha256;   // from the archive index
  std::string path;     // the .deb in the cache, once fetched
};

// Candidate versions and SHA256s from apt's index, in NAMES order (one apt-cache run
// each for all names); throws InputError for an unknown package and RuntimeError when
// apt cannot answer.
std::vector<DebPackage> resolve_debs(const std::vector<std::string>& names);
// The packages NAMES directly depend on (alternatives and virtual packages left out):
// how a metapackage such as linux-image-amd64 names today's real kernel package.
std::vector<std::string> direct_depends(const std::vector<std::string>& names);

// Downloads PKG into CACHE_DIR unless a verified copy is there; sets pkg.path.
void fetch_deb(DebPackage& pkg, const std::string& cache_dir);

// Unpacks the data.tar.* of DEB into ROOT. KEEP decides per normalised path (no
// leading "./" or "/"); directories are created as needed. Paths that would leave
// ROOT are errors.
void unpack_deb(const std::string& deb, const std::string& root, const std::function<bool(const std::string&)>& keep);

}  // namespace lk::pkg
