#include "pull/archive_import.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <set>

#include "base/error.h"
#include "base/fs.h"
#include "base/path_norm.h"
#include "base/sha256.h"
#include "base/strings.h"
#include "oci/reference.h"
#include "streams/archive_handle.h"

namespace lk::pull {

using nlohmann::json;

namespace {

// A docker save of a few hundred images has a few thousand members; far more is an
// attack on the table (and on the temp dir's inode count), not an image archive.
constexpr size_t kMaxMembers = 100000;
// manifest.json and index.json are read whole; the distribution spec's manifests are
// capped at 4 MiB, and these lists of names and digests are far smaller.
constexpr int64_t kMaxJson = 4 << 20;
// As Linux's MAXSYMLINKS: deeper chains are loops or attacks.
constexpr int kMaxLinkHops = 40;

// One regular member's bytes, in a temp file whose name we chose.
struct Content {
  std::string file;
  std::string digest;  // "sha256:..." of the bytes, hashed as they were written
  int64_t size = 0;
  bool gzip = false;  // starts with gzip's magic (a compressed docker save layer)
};

// The archive as a table, never as a tree on disk: a member's name is only a key here,
// so no name or link in the archive can make us write anywhere but our own temp files.
// Links are resolved in the archive's own namespace, as docker save's shared layers need.
class ArchiveTable {
public:
  ArchiveTable(std::string archive, std::string tmpdir) : archive_(std::move(archive)), tmpdir_(std::move(tmpdir)) {}

  void read();
  bool has(const std::string& name) const { return entries_.count(name) > 0; }
  // The content that NAME (a member name, or a path a manifest gives) ends at, following
  // links within the archive. WHO says who named it, for the message.
  const Content& resolve(const std::string& name, const std::string& who) const;
  // The names of the members directly in DIR ("blobs/sha256").
  std::vector<std::string> list(const std::string& dir) const;
  // The whole of a small JSON member.
  json read_json(const std::string& name) const;
  const std::string& archive_path() const { return archive_; }

private:
  struct Entry {
    enum Kind { kFile, kSymlink, kHardlink } kind;
    size_t content = 0;  // kFile: index into contents_
    std::string target;  // kSymlink: as written; kHardlink: a member name
  };

  std::string member_error(const std::string& name, const std::string& why) const {
    return archive_ + ": member \"" + name + "\" " + why;
  }
  // NAME split at '/', without "." and empty parts; ".." and absolute names refused.
  std::vector<std::string> member_parts(const std::string& name) const;
  void add(const std::string& raw, Entry e);
  Content store(::archive* a, const std::string& name);

  std::string archive_;
  std::string tmpdir_;
  std::map<std::string, Entry> entries_;
  std::set<std::string> dirs_;  // every proper prefix of a member name
  std::vector<Content> contents_;
};

std::string join(const std::vector<std::string>& parts, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += (i ? "/" : "") + parts[i];
  return out;
}

// PATH's components, without "." and empty ones; ".." kept for the caller to judge.
std::vector<std::string> components(const std::string& path) {
  std::vector<std::string> out;
  for (auto& part : split(path, '/'))
    if (!part.empty() && part != ".") out.push_back(std::move(part));
  return out;
}

bool has_dotdot(const std::vector<std::string>& parts) {
  return std::find(parts.begin(), parts.end(), "..") != parts.end();
}

std::vector<std::string> ArchiveTable::member_parts(const std::string& name) const {
  if (std::string why = member_path_problem(name); !why.empty()) throw InputError(member_error(name, why));
  return components(name);
}

void ArchiveTable::add(const std::string& raw, Entry e) {
  auto parts = member_parts(raw);
  if (parts.empty()) return;
  if (entries_.size() >= kMaxMembers)
    throw InputError(archive_ + ": more than " + std::to_string(kMaxMembers) + " members; not an image archive");
  // A member under a link or a file would, extracted, be written through that link: the
  // very trick this table exists to defeat. No image archive needs it, so it is refused.
  for (size_t n = 1; n < parts.size(); ++n) {
    std::string prefix = join(parts, n);
    if (auto it = entries_.find(prefix); it != entries_.end())
      throw InputError(member_error(raw, std::string("lies under \"") + prefix + "\", which is " +
                                             (it->second.kind == Entry::kFile ? "a file" : "a link")));
    dirs_.insert(prefix);
  }
  std::string name = join(parts, parts.size());
  if (dirs_.count(name)) throw InputError(member_error(raw, "is a file or a link, but other members lie under it"));
  entries_[name] = std::move(e);
}

Content ArchiveTable::store(::archive* a, const std::string& name) {
  Content c;
  c.file = tmpdir_ + "/" + std::to_string(contents_.size());
  Fd fd(::open(c.file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd) throw_errno("create " + c.file);
  Sha256 hash;
  std::vector<char> buf(1 << 16);
  for (;;) {
    la_ssize_t n = archive_read_data(a, buf.data(), buf.size());
    if (n < 0) throw InputError(member_error(name, std::string("cannot be read: ") + archive_error_string(a)));
    if (n == 0) break;
    if (c.size == 0 && n >= 2)
      c.gzip = static_cast<unsigned char>(buf[0]) == 0x1f && static_cast<unsigned char>(buf[1]) == 0x8b;
    hash.update(buf.data(), static_cast<size_t>(n));
    write_all(fd.get(), std::string_view(buf.data(), static_cast<size_t>(n)), c.file);
    c.size += n;
  }
  // The file may become a blob by rename: it must be on disk first.
  if (::fsync(fd.get()) != 0) throw_errno("fsync " + c.file);
  c.digest = "sha256:" + hash.hex();
  return c;
}

void ArchiveTable::read() {
  streams::ArchiveRead a = streams::new_archive_read();
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  if (archive_read_open_filename(a.get(), archive_.c_str(), 1 << 16) != ARCHIVE_OK)
    throw InputError(archive_ + ": " + archive_error_string(a.get()));
  archive_entry* e = nullptr;
  for (;;) {
    int rc = archive_read_next_header(a.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
      throw InputError(archive_ + ": not a docker save or OCI archive: " + archive_error_string(a.get()));
    const char* p = archive_entry_pathname(e);
    std::string name = p ? p : "";
    if (const char* hard = archive_entry_hardlink(e)) {
      std::string target = hard;
      if (target.starts_with('/') || has_dotdot(components(target)))
        throw InputError(member_error(name, "is a hard link to \"" + target + "\", outside the archive"));
      add(name, {Entry::kHardlink, 0, target});
      continue;
    }
    auto type = archive_entry_filetype(e);
    if (type == AE_IFLNK) {
      const char* l = archive_entry_symlink(e);
      std::string target = l ? l : "";
      if (target.starts_with('/'))
        throw InputError(member_error(name, "links to the absolute path \"" + target + "\""));
      if (target.empty()) throw InputError(member_error(name, "is a link to nothing"));
      add(name, {Entry::kSymlink, 0, target});
    } else if (type == AE_IFREG) {
      add(name, {Entry::kFile, contents_.size(), ""});  // checked before anything is written
      contents_.push_back(store(a.get(), name));
    } else if (type == AE_IFDIR) {
      auto parts = member_parts(name);
      for (size_t n = 1; n <= parts.size(); ++n) dirs_.insert(join(parts, n));
    }
    // Devices, fifos and the like have no place in an image archive and are skipped.
  }
}

const Content& ArchiveTable::resolve(const std::string& name, const std::string& who) const {
  auto fail = [&](const std::string& why) -> InputError {
    return InputError(archive_ + ": " + who + " names \"" + name + "\", which " + why);
  };
  if (name.starts_with('/')) throw fail("is an absolute path");
  std::deque<std::string> todo;
  for (auto& p : components(name)) todo.push_back(std::move(p));
  std::vector<std::string> cur;
  int hops = 0;
  while (!todo.empty()) {
    std::string part = std::move(todo.front());
    todo.pop_front();
    if (part == "..") {
      if (cur.empty()) throw fail("leads out of the archive");
      cur.pop_back();
      continue;
    }
    cur.push_back(std::move(part));
    auto it = entries_.find(join(cur, cur.size()));
    if (it == entries_.end()) continue;  // a directory, or missing: said at the end
    const Entry& e = it->second;
    if (e.kind == Entry::kFile) {
      if (!todo.empty()) throw fail("goes through the file \"" + it->first + "\"");
      continue;
    }
    if (++hops > kMaxLinkHops)
      throw fail("goes through more than " + std::to_string(kMaxLinkHops) + " links (a loop?)");
    auto next = components(e.target);
    cur.pop_back();
    // A symlink is relative to the folder it is in (absolute ones were refused on
    // reading); a hard link names a member.
    if (e.kind == Entry::kHardlink) cur.clear();
    todo.insert(todo.begin(), next.begin(), next.end());
  }
  auto it = entries_.find(join(cur, cur.size()));
  if (cur.empty() || it == entries_.end()) throw fail("is missing from the archive");
  return contents_[it->second.content];
}

std::vector<std::string> ArchiveTable::list(const std::string& dir) const {
  std::vector<std::string> out;
  std::string prefix = dir + "/";
  for (auto it = entries_.lower_bound(prefix); it != entries_.end() && it->first.starts_with(prefix); ++it)
    if (it->first.find('/', prefix.size()) == std::string::npos) out.push_back(it->first.substr(prefix.size()));
  return out;
}

json ArchiveTable::read_json(const std::string& name) const {
  const Content& c = resolve(name, "the archive");
  if (c.size > kMaxJson)
    throw InputError(archive_ + ": " + name + " is " + std::to_string(c.size) + " bytes; more than the " +
                     std::to_string(kMaxJson >> 20) + " MiB an image list can need");
  try {
    return json::parse(read_file(c.file));
  } catch (const json::exception& e) {
    throw InputError(archive_ + ": " + name + ": " + e.what());
  }
}

// Moves C into the cache as its digest. The temp file was hashed as it was written,
// is ours alone, and goes in by rename: one copy of each layer on disk, never two.
void adopt(oci::OciLayout& cache, const Content& c) {
  if (!cache.has_blob(c.digest)) cache.adopt_blob(c.digest, c.file);
}

std::string normalise_name(const std::string& name, const std::string& archive_path) {
  try {
    return oci::parse_reference(name).str();
  } catch (const InputError& e) {
    throw InputError(archive_path + ": image name: " + e.what());
  }
}

std::vector<PinnedImage> import_oci(oci::OciLayout& cache, const ArchiveTable& t, const Log& log) {
  const std::string& path = t.archive_path();
  json index = t.read_json("index.json");
  if (!index.is_object()) throw InputError(path + ": index.json is not an object");
  std::vector<const Content*> blobs;
  for (const auto& n : t.list("blobs/sha256")) {
    const Content& c = t.resolve("blobs/sha256/" + n, "the blob list");
    if (c.digest != "sha256:" + n)
      throw RuntimeError(path + ": blob sha256:" + n + " hashes to " + c.digest + "; nothing was imported");
    blobs.push_back(&c);
  }
  for (const auto* c : blobs) adopt(cache, *c);
  std::vector<std::pair<std::string, oci::Descriptor>> names;
  std::vector<PinnedImage> out;
  auto manifests = index.value("manifests", json::array());
  if (!manifests.is_array()) throw InputError(path + ": index.json: manifests is not a list");
  for (const auto& m : manifests) {
    auto d = oci::descriptor_from_json(m, path + " index.json");
    // Docker's own OCI export keeps the full name here and only the tag in ref.name.
    std::string name = d.annotations.count("io.containerd.image.name") ? d.annotations["io.containerd.image.name"]
                       : d.annotations.count(oci::kRefNameAnnotation)  ? d.annotations[oci::kRefNameAnnotation]
                                                                       : "";
    if (name.empty()) {
      log.warn(path + ": image " + d.digest + " has no name; imported, but not named");
      continue;
    }
    if (!cache.has_blob(d.digest))
      throw RuntimeError(path + ": " + name + ": manifest " + d.digest + " is missing from the archive");
    d.annotations.clear();
    names.emplace_back(normalise_name(name, path), d);
    out.push_back({names.back().first, d.digest, ""});
  }
  cache.set_refs(names);
  return out;
}

// The string field KEY of manifest.json's entry IMG ("" when absent).
std::string string_field(const json& img, const char* key, const std::string& path) {
  auto it = img.find(key);
  if (it == img.end()) return "";
  if (!it->is_string()) throw InputError(path + ": manifest.json: " + key + " is not a string");
  return it->get<std::string>();
}

// The list of strings KEY of manifest.json's entry IMG (empty when absent).
std::vector<std::string> string_list(const json& img, const char* key, const std::string& path) {
  std::vector<std::string> out;
  auto it = img.find(key);
  if (it == img.end() || it->is_null()) return out;
  if (!it->is_array()) throw InputError(path + ": manifest.json: " + key + " is not a list");
  for (const auto& s : *it) {
    if (!s.is_string()) throw InputError(path + ": manifest.json: " + key + " holds a non-string");
    out.push_back(s.get<std::string>());
  }
  return out;
}

std::vector<PinnedImage> import_docker(oci::OciLayout& cache, const ArchiveTable& t, const Log& log) {
  const std::string& path = t.archive_path();
  json manifest = t.read_json("manifest.json");
  if (!manifest.is_array()) throw InputError(path + ": manifest.json is not a list");
  std::vector<std::pair<std::string, oci::Descriptor>> names;
  std::vector<PinnedImage> out;
  for (const auto& img : manifest) {
    if (!img.is_object()) throw InputError(path + ": manifest.json: an entry is not an object");
    const Content& cfg = t.resolve(string_field(img, "Config", path), "manifest.json's Config");
    json m = {{"schemaVersion", 2},
              {"mediaType", oci::kOciManifest},
              {"config", {{"mediaType", oci::kOciConfig}, {"digest", cfg.digest}, {"size", cfg.size}}},
              {"layers", json::array()}};
    std::vector<const Content*> files{&cfg};
    for (const auto& l : string_list(img, "Layers", path)) {
      const Content& c = t.resolve(l, "manifest.json's Layers");
      m["layers"].push_back(
          {{"mediaType", c.gzip ? oci::kOciLayerGzip : oci::kOciLayerTar}, {"digest", c.digest}, {"size", c.size}});
      files.push_back(&c);
    }
    for (const auto* c : files) adopt(cache, *c);
    std::string bytes = m.dump();
    std::string digest = "sha256:" + sha256_hex(bytes);
    cache.put_blob(digest, bytes, path);
    oci::Descriptor d{oci::kOciManifest, digest, static_cast<int64_t>(bytes.size())};
    auto tags = string_list(img, "RepoTags", path);
    if (tags.empty()) log.warn(path + ": image " + digest + " has no RepoTags; imported, but not named");
    for (const auto& tag : tags) {
      names.emplace_back(normalise_name(tag, path), d);
      out.push_back({names.back().first, digest, ""});
    }
  }
  cache.set_refs(names);
  return out;
}

}  // namespace

std::vector<PinnedImage> import_archive(oci::OciLayout& cache, const std::string& path, const Log& log) {
  if (!path_exists(path)) throw InputError(path + ": " + std::strerror(errno));
  // In ingest/, on the cache's file system, so that blobs go into place by rename.
  TempDir tmp(cache.ingest_dir(), "import");
  ArchiveTable t(path, tmp.path());
  t.read();
  if (t.has("index.json") && t.has("oci-layout")) return import_oci(cache, t, log);
  if (t.has("manifest.json")) return import_docker(cache, t, log);
  throw InputError(
      path + ": neither a docker save archive (no manifest.json) nor an OCI layout (no index.json and oci-layout)");
}

}  // namespace lk::pull
