#include "oci/layout.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <set>

#include "base/error.h"
#include "base/fs.h"
#include "oci/digest.h"

namespace lk::oci {

using nlohmann::json;

namespace {

void mkdirs(const std::string& path) {
  for (size_t pos = 1;; ++pos) {
    pos = path.find('/', pos);
    std::string part = path.substr(0, pos);
    if (::mkdir(part.c_str(), 0755) != 0 && errno != EEXIST) throw_errno("create directory " + part);
    if (pos == std::string::npos) break;
  }
}

void fsync_dir(const std::string& dir) {
  Fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d) ::fsync(d.get());
}

std::string hex_of(const std::string& digest) {
  if (!is_sha256_digest(digest)) throw RuntimeError("not a sha256 digest: \"" + digest + "\"");
  return digest.substr(7);
}

json read_index(const std::string& dir) {
  std::string path = dir + "/index.json";
  if (!path_exists(path))
    return json{{"schemaVersion", 2}, {"mediaType", oci::kOciIndex}, {"manifests", json::array()}};
  try {
    auto j = json::parse(read_file(path));
    if (!j.is_object() || !j.contains("manifests") || !j["manifests"].is_array())
      throw RuntimeError(path + ": not an OCI index (no manifests list)");
    return j;
  } catch (const json::exception& e) {
    throw RuntimeError(path + ": invalid JSON: " + e.what());
  }
}

}  // namespace

OciLayout::OciLayout(std::string dir) : dir_(std::move(dir)) {
  while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
  mkdirs(dir_ + "/blobs/sha256");
  mkdirs(ingest_dir());
  if (!path_exists(dir_ + "/oci-layout")) write_output(dir_ + "/oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
  if (!path_exists(dir_ + "/index.json")) {
    FileLock lock(dir_ + "/index.json.lock");
    if (!path_exists(dir_ + "/index.json")) write_output(dir_ + "/index.json", read_index(dir_).dump() + "\n");
  }
}

OciLayout::OciLayout(std::string dir, NoCreate) : dir_(std::move(dir)) {
  while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
}

OciLayout OciLayout::existing(std::string dir) { return OciLayout(std::move(dir), NoCreate{}); }

std::string OciLayout::blob_path(const std::string& digest) const { return dir_ + "/blobs/sha256/" + hex_of(digest); }

bool OciLayout::has_blob(const std::string& digest) const { return path_exists(blob_path(digest)); }

std::string OciLayout::read_blob(const std::string& digest, const std::string& what) const {
  std::string path = blob_path(digest);
  if (!path_exists(path))
    throw RuntimeError(what + " " + digest + " is not in the cache " + dir_ + " (run lk-pull with the same cache)");
  return read_file(path);
}

namespace {
bool is_layer_type(const std::string& t) {
  return t.empty() || t.rfind("application/vnd.oci.image.layer.", 0) == 0 ||
         t.rfind("application/vnd.docker.image.rootfs.", 0) == 0;
}
}  // namespace

ImageData OciLayout::image(const std::string& reference, const std::string& digest) const {
  ImageData out;
  out.reference = reference;
  out.digest = digest;
  const std::string where = "image " + out.name();
  std::string bytes = read_blob(digest, where + ": manifest");
  if (is_index_type(detect_media_type(bytes, "", where + ": manifest")))
    throw RuntimeError(where + ": the digest names an index, not a single-platform manifest");
  Manifest manifest = parse_manifest(bytes, where);
  try {
    json cfg = json::parse(read_blob(manifest.config.digest, where + ": config"));
    out.config = cfg.is_object() ? cfg.value("config", json::object()) : json::object();
  } catch (const json::exception& e) {
    throw RuntimeError(where + ": config is not JSON: " + e.what());
  }
  for (const auto& l : manifest.layers) {
    if (!is_layer_type(l.media_type))
      throw RuntimeError(where + ": layer " + l.digest + " has media type " + l.media_type +
                         ", which is not a filesystem layer");
    ImageLayer layer{l.digest, l.media_type, blob_path(l.digest)};
    if (!path_exists(layer.path)) throw RuntimeError(where + ": layer " + l.digest + " is not in the cache " + dir_);
    out.layers.push_back(std::move(layer));
  }
  return out;
}

void OciLayout::put_blob(const std::string& digest, std::string_view bytes, const std::string& what) {
  std::string got = "sha256:" + sha256_hex(bytes);
  if (got != digest) throw RuntimeError(what + ": digest mismatch: expected " + digest + ", got " + got);
  if (has_blob(digest)) return;
  AtomicFile f(ingest_dir() + "/" + hex_of(digest) + ".tmp");
  f.write(bytes);
  if (::fsync(f.fd()) != 0) throw_errno("fsync " + f.temp_path());
  adopt_blob(digest, f.temp_path());
}

void OciLayout::adopt_blob(const std::string& digest, const std::string& temp_path) {
  // rename() replaces atomically: a concurrent writer of the same digest wrote the same bytes.
  if (::rename(temp_path.c_str(), blob_path(digest).c_str()) != 0)
    throw_errno("rename " + temp_path + " into the cache");
  fsync_dir(dir_ + "/blobs/sha256");
}

std::optional<oci::Descriptor> OciLayout::lookup(const std::string& ref_name) const {
  for (auto& d : entries()) {
    auto it = d.annotations.find(oci::kRefNameAnnotation);
    if (it != d.annotations.end() && it->second == ref_name) return d;
  }
  return std::nullopt;
}

std::vector<oci::Descriptor> OciLayout::entries() const {
  std::vector<oci::Descriptor> out;
  json index = read_index(dir_);
  for (const auto& m : index["manifests"]) out.push_back(oci::descriptor_from_json(m, dir_ + "/index.json"));
  return out;
}

void OciLayout::set_refs(const std::vector<std::pair<std::string, oci::Descriptor>>& refs) {
  FileLock lock(dir_ + "/index.json.lock");
  json index = read_index(dir_);
  std::set<std::string> names;
  for (const auto& r : refs) names.insert(r.first);
  json kept = json::array();
  for (const auto& m : index["manifests"]) {
    bool named = m.contains("annotations") && m["annotations"].is_object() &&
                 m["annotations"].contains(oci::kRefNameAnnotation) &&
                 names.count(m["annotations"][oci::kRefNameAnnotation].get<std::string>());
    if (!named) kept.push_back(m);
  }
  for (const auto& [name, desc] : refs) {
    oci::Descriptor d = desc;
    d.annotations[oci::kRefNameAnnotation] = name;
    kept.push_back(oci::to_json(d));
  }
  index["manifests"] = kept;
  write_output(dir_ + "/index.json", index.dump(2) + "\n");
}

std::vector<std::string> OciLayout::verify() const {
  std::vector<std::string> problems;
  std::string blobs = dir_ + "/blobs/sha256";
  try {
    for (const auto& [n, type] : list_dir(blobs)) {
      if (n[0] == '.') continue;  // a pull's temp file
      std::string digest = "sha256:" + n;
      if (!is_sha256_digest(digest)) {
        problems.push_back("blobs/sha256/" + n + ": not a blob name");
        continue;
      }
      std::string got = "sha256:" + sha256_file(blobs + "/" + n);
      if (got != digest) problems.push_back("blobs/sha256/" + n + ": content hashes to " + got);
    }
  } catch (const RuntimeError& e) {
    problems.push_back(e.what());
  }
  // Walks an entry: the blob, then what it references.
  std::function<void(const oci::Descriptor&, const std::string&)> walk = [&](const oci::Descriptor& desc,
                                                                             const std::string& name) {
    if (!has_blob(desc.digest)) {
      problems.push_back(name + ": " + desc.digest + " is missing");
      return;
    }
    try {
      std::string bytes = read_blob(desc.digest);
      if (static_cast<int64_t>(bytes.size()) != desc.size && oci::is_manifest_type(desc.media_type))
        problems.push_back(name + ": " + desc.digest + " has " + std::to_string(bytes.size()) +
                           " bytes, descriptor says " + std::to_string(desc.size));
      std::string type = oci::detect_media_type(bytes, desc.media_type, name);
      if (oci::is_index_type(type)) {
        auto ix = oci::parse_index(bytes, name);
        int present = 0;
        for (const auto& c : ix.manifests)
          if (has_blob(c.digest)) {
            ++present;
            walk(c, name + " [" + (c.platform ? c.platform->str() : c.digest) + "]");
          }
        if (present == 0) problems.push_back(name + ": no manifest of the index is in the cache");
      } else {
        auto m = oci::parse_manifest(bytes, name);
        if (!has_blob(m.config.digest)) problems.push_back(name + ": config " + m.config.digest + " is missing");
        for (const auto& l : m.layers)
          if (!has_blob(l.digest)) problems.push_back(name + ": layer " + l.digest + " is missing");
      }
    } catch (const Error& e) {
      problems.push_back(e.what());
    }
  };
  try {
    for (const auto& e : entries()) {
      auto it = e.annotations.find(oci::kRefNameAnnotation);
      walk(e, it == e.annotations.end() ? e.digest : it->second);
    }
  } catch (const Error& e) {
    problems.push_back(e.what());
  }
  return problems;
}

BlobIngest::BlobIngest(OciLayout& layout, std::string digest, int64_t size)
    : layout_(layout),
      digest_(std::move(digest)),
      size_(size),
      path_(layout.ingest_dir() + "/" + hex_of(digest_) + ".partial"),
      lock_(path_) {
  if (present()) return;
  // Resume: what a previous run left is hashed again rather than trusted.
  struct stat st;
  if (::fstat(lock_.fd(), &st) != 0) throw_errno("stat " + path_);
  hash_ = std::make_unique<Sha256>();
  if (st.st_size > size_) {
    restart();
    return;
  }
  std::vector<char> buf(1 << 16);
  while (offset_ < st.st_size) {
    ssize_t n = ::pread(lock_.fd(), buf.data(), buf.size(), offset_);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw_errno("read " + path_);
    hash_->update(buf.data(), static_cast<size_t>(n));
    offset_ += n;
  }
}

BlobIngest::~BlobIngest() {
  // A finished blob leaves no partial behind; an unfinished one stays for resuming.
  if (present()) {
    struct stat st;
    if (::stat(path_.c_str(), &st) == 0 && st.st_size == 0) ::unlink(path_.c_str());
  }
}

bool BlobIngest::present() const { return layout_.has_blob(digest_); }

void BlobIngest::restart() {
  if (::ftruncate(lock_.fd(), 0) != 0) throw_errno("truncate " + path_);
  hash_ = std::make_unique<Sha256>();
  offset_ = 0;
}

void BlobIngest::write(const char* data, size_t len) {
  if (offset_ + static_cast<int64_t>(len) > size_)
    throw RuntimeError("blob " + digest_ + ": server sent more than the " + std::to_string(size_) + " bytes expected");
  hash_->update(data, len);
  while (len > 0) {
    ssize_t n = ::pwrite(lock_.fd(), data, len, offset_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("write " + path_);
    data += n;
    len -= static_cast<size_t>(n);
    offset_ += n;
  }
}

void BlobIngest::commit(const std::string& what) {
  if (offset_ != size_)
    throw RuntimeError(what + ": got " + std::to_string(offset_) + " of " + std::to_string(size_) + " bytes");
  std::string got = "sha256:" + hash_->hex();
  if (got != digest_) {
    restart();
    throw RuntimeError(what + ": digest mismatch: the registry sent bytes hashing to " + got + "; nothing was cached");
  }
  if (::fsync(lock_.fd()) != 0) throw_errno("fsync " + path_);
  layout_.adopt_blob(digest_, path_);
}

}  // namespace lk::oci
