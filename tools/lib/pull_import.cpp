#include "pull_import.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>

#include "error.h"
#include "fs.h"
#include "reference.h"
#include "sha256.h"

namespace lk {

using nlohmann::json;

namespace {

struct ArchiveFree {
  void operator()(archive* a) const { archive_read_free(a); }
};

// Member names stay inside the folder: no absolute paths, no "..".
std::string safe_name(const std::string& name, const std::string& archive_path) {
  std::string out;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string::npos) end = name.size();
    std::string part = name.substr(start, end - start);
    if (part == "..") throw RuntimeError(archive_path + ": member \"" + name + "\" leaves the archive");
    if (!part.empty() && part != ".") out += (out.empty() ? "" : "/") + part;
    start = end + 1;
  }
  return out;
}

void mkdirs_under(const std::string& root, const std::string& rel) {
  size_t pos = 0;
  while ((pos = rel.find('/', pos)) != std::string::npos) {
    std::string d = root + "/" + rel.substr(0, pos);
    if (::mkdir(d.c_str(), 0755) != 0 && errno != EEXIST) throw_errno("create " + d);
    ++pos;
  }
}

// Regular files and symlinks (docker save links shared layers) of the tar at PATH.
void unpack(const std::string& path, const std::string& dir) {
  std::unique_ptr<archive, ArchiveFree> a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK)
    throw InputError(path + ": " + archive_error_string(a.get()));
  archive_entry* e = nullptr;
  std::vector<char> buf(1 << 16);
  for (;;) {
    int rc = archive_read_next_header(a.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
      throw InputError(path + ": not a docker save or OCI archive: " + archive_error_string(a.get()));
    std::string name = safe_name(archive_entry_pathname(e) ? archive_entry_pathname(e) : "", path);
    if (name.empty()) continue;
    auto type = archive_entry_filetype(e);
    std::string target = dir + "/" + name;
    if (type == AE_IFLNK) {
      mkdirs_under(dir, name);
      std::string link = archive_entry_symlink(e) ? archive_entry_symlink(e) : "";
      if (link.starts_with('/')) throw RuntimeError(path + ": member \"" + name + "\" links outside the archive");
      if (::symlink(link.c_str(), target.c_str()) != 0) throw_errno("symlink " + target);
      continue;
    }
    if (type != AE_IFREG) continue;
    mkdirs_under(dir, name);
    Fd fd(::open(target.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644));
    if (!fd) throw_errno("create " + target);
    for (;;) {
      la_ssize_t n = archive_read_data(a.get(), buf.data(), buf.size());
      if (n < 0) throw RuntimeError(path + ": " + name + ": " + archive_error_string(a.get()));
      if (n == 0) break;
      write_all(fd.get(), std::string_view(buf.data(), static_cast<size_t>(n)), target);
    }
  }
}

// The file at DIR/REL, following symlinks only within DIR.
std::string resolve_in(const std::string& dir, const std::string& rel, const std::string& archive_path) {
  char* real = ::realpath((dir + "/" + safe_name(rel, archive_path)).c_str(), nullptr);
  if (!real) throw RuntimeError(archive_path + ": member \"" + rel + "\" is missing");
  std::string r = real;
  std::free(real);
  char* root = ::realpath(dir.c_str(), nullptr);
  std::string rt = root ? root : dir;
  std::free(root);
  if (!r.starts_with(rt + "/")) throw RuntimeError(archive_path + ": member \"" + rel + "\" links outside the archive");
  return r;
}

// Moves FILE into the cache as DIGEST (a copy when it is a link to a shared layer).
void adopt(OciLayout& cache, const std::string& digest, const std::string& file) {
  if (cache.has_blob(digest)) return;
  AtomicFile tmp(cache.ingest_dir() + "/" + digest.substr(7) + ".tmp");
  Fd in(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in) throw_errno("open " + file);
  std::vector<char> buf(1 << 16);
  for (ssize_t n; (n = ::read(in.get(), buf.data(), buf.size())) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("read " + file);
    tmp.write(std::string_view(buf.data(), static_cast<size_t>(n)));
  }
  if (::fsync(tmp.fd()) != 0) throw_errno("fsync " + tmp.temp_path());
  cache.adopt_blob(digest, tmp.temp_path());
}

std::string normalise_name(const std::string& name, const std::string& archive_path) {
  try {
    return parse_reference(name).str();
  } catch (const InputError& e) {
    throw InputError(archive_path + ": image name: " + e.what());
  }
}

std::vector<PinnedImage> import_oci(OciLayout& cache, const std::string& dir, const std::string& path, const Log& log) {
  std::string blobs = dir + "/blobs/sha256";
  if (DIR* d = ::opendir(blobs.c_str())) {
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') names.emplace_back(e->d_name);
    ::closedir(d);
    for (const auto& n : names) {
      std::string file = resolve_in(dir, "blobs/sha256/" + n, path);
      int64_t size = 0;
      std::string got = "sha256:" + sha256_file(file, &size);
      if (got != "sha256:" + n) throw RuntimeError(path + ": blob sha256:" + n + " hashes to " + got + "; nothing was imported");
    }
    for (const auto& n : names) adopt(cache, "sha256:" + n, resolve_in(dir, "blobs/sha256/" + n, path));
  }
  json index;
  try {
    index = json::parse(read_file(dir + "/index.json"));
  } catch (const json::exception& e) {
    throw InputError(path + ": index.json: " + e.what());
  }
  std::vector<std::pair<std::string, oci::Descriptor>> names;
  std::vector<PinnedImage> out;
  for (const auto& m : index.value("manifests", json::array())) {
    auto d = oci::descriptor_from_json(m, path + " index.json");
    // Docker's own OCI export keeps the full name here and only the tag in ref.name.
    std::string name = d.annotations.count("io.containerd.image.name") ? d.annotations["io.containerd.image.name"]
                       : d.annotations.count(oci::kRefNameAnnotation) ? d.annotations[oci::kRefNameAnnotation]
                                                                      : "";
    if (name.empty()) {
      log.warn(path + ": image " + d.digest + " has no name; imported, but not named");
      continue;
    }
    if (!cache.has_blob(d.digest)) throw RuntimeError(path + ": " + name + ": manifest " + d.digest + " is missing from the archive");
    d.annotations.clear();
    names.emplace_back(normalise_name(name, path), d);
    out.push_back({names.back().first, d.digest, ""});
  }
  cache.set_refs(names);
  return out;
}

std::vector<PinnedImage> import_docker(OciLayout& cache, const std::string& dir, const std::string& path, const Log& log) {
  json manifest;
  try {
    manifest = json::parse(read_file(dir + "/manifest.json"));
  } catch (const json::exception& e) {
    throw InputError(path + ": manifest.json: " + e.what());
  }
  if (!manifest.is_array()) throw InputError(path + ": manifest.json is not a list");
  std::vector<std::pair<std::string, oci::Descriptor>> names;
  std::vector<PinnedImage> out;
  for (const auto& img : manifest) {
    std::string cfg_file = resolve_in(dir, img.value("Config", ""), path);
    int64_t cfg_size = 0;
    std::string cfg_digest = "sha256:" + sha256_file(cfg_file, &cfg_size);
    json m = {{"schemaVersion", 2}, {"mediaType", oci::kOciManifest},
              {"config", {{"mediaType", oci::kOciConfig}, {"digest", cfg_digest}, {"size", cfg_size}}}, {"layers", json::array()}};
    std::vector<std::pair<std::string, std::string>> files{{cfg_digest, cfg_file}};
    for (const auto& l : img.value("Layers", json::array())) {
      std::string file = resolve_in(dir, l.get<std::string>(), path);
      int64_t size = 0;
      std::string digest = "sha256:" + sha256_file(file, &size);
      unsigned char magic[2] = {0, 0};
      {
        Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
        if (fd && ::read(fd.get(), magic, 2) != 2) magic[0] = 0;
      }
      bool gz = magic[0] == 0x1f && magic[1] == 0x8b;
      m["layers"].push_back({{"mediaType", gz ? oci::kOciLayerGzip : oci::kOciLayerTar}, {"digest", digest}, {"size", size}});
      files.emplace_back(digest, file);
    }
    for (const auto& [digest, file] : files) adopt(cache, digest, file);
    std::string bytes = m.dump();
    std::string digest = "sha256:" + sha256_hex(bytes);
    cache.put_blob(digest, bytes, path);
    oci::Descriptor d{oci::kOciManifest, digest, static_cast<int64_t>(bytes.size())};
    auto tags = img.value("RepoTags", json::array());
    if (!tags.is_array() || tags.empty()) log.warn(path + ": image " + digest + " has no RepoTags; imported, but not named");
    for (const auto& t : tags) {
      names.emplace_back(normalise_name(t.get<std::string>(), path), d);
      out.push_back({names.back().first, digest, ""});
    }
  }
  cache.set_refs(names);
  return out;
}

}  // namespace

std::vector<PinnedImage> import_archive(OciLayout& cache, const std::string& path, const Log& log) {
  if (!path_exists(path)) throw InputError(path + ": " + std::strerror(errno));
  TempDir tmp(cache.ingest_dir(), "import");
  unpack(path, tmp.path());
  if (path_exists(tmp.path() + "/index.json") && path_exists(tmp.path() + "/oci-layout")) return import_oci(cache, tmp.path(), path, log);
  if (path_exists(tmp.path() + "/manifest.json")) return import_docker(cache, tmp.path(), path, log);
  throw InputError(path + ": neither a docker save archive (no manifest.json) nor an OCI layout (no index.json and oci-layout)");
}

}  // namespace lk
