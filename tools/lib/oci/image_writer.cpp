#include "oci/image_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "base/error.h"
#include "base/fs.h"
#include "base/sha256.h"
#include "oci/layout.h"
#include "oci/manifest.h"
#include "streams/compress.h"
#include "streams/tar_writer.h"

namespace lk::oci {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Hashes what passes through, then hands it on.
class HashSink : public streams::ByteSink {
public:
  explicit HashSink(streams::ByteSink& next) : next_(next) {}
  void write(const void* data, size_t len) override {
    hash_.update(data, len);
    written_ += len;
    next_.write(data, len);
  }
  void finish() override { next_.finish(); }
  std::string digest() { return "sha256:" + hash_.hex(); }

private:
  Sha256 hash_;
  streams::ByteSink& next_;
};

void write_layer(const std::string& root, int64_t mtime, streams::TarWriter& tar) {
  std::vector<std::string> paths;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it)
    paths.push_back(it->path().lexically_relative(root).generic_string());
  std::sort(paths.begin(), paths.end());
  std::map<std::pair<dev_t, ino_t>, std::string> seen;  // for hard links
  for (const auto& rel : paths) {
    std::string full = root + "/" + rel;
    struct stat st {};
    if (::lstat(full.c_str(), &st) != 0) throw_errno("stat " + full);
    streams::TarEntry e;
    e.path = rel;
    e.mode = st.st_mode & 07777;
    e.mtime = mtime;
    if (S_ISDIR(st.st_mode)) {
      e.type = streams::TarEntry::kDir;
      tar.add(e);
    } else if (S_ISLNK(st.st_mode)) {
      e.type = streams::TarEntry::kSymlink;
      e.linkname = fs::read_symlink(full).string();
      tar.add(e);
    } else if (S_ISREG(st.st_mode)) {
      auto key = std::make_pair(st.st_dev, st.st_ino);
      if (st.st_nlink > 1) {
        if (auto it = seen.find(key); it != seen.end()) {
          e.type = streams::TarEntry::kHardlink;
          e.linkname = it->second;
          tar.add(e);
          continue;
        }
        seen[key] = rel;
      }
      e.type = streams::TarEntry::kFile;
      e.size = static_cast<uint64_t>(st.st_size);
      tar.header(e);
      Fd fd(::open(full.c_str(), O_RDONLY | O_CLOEXEC));
      if (!fd) throw_errno("open " + full);
      char buf[1 << 16];
      for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) throw_errno("read " + full);
        if (n == 0) break;
        tar.data(buf, static_cast<size_t>(n));
      }
      tar.end_entry();
    } else {
      throw InputError(full + ": only files, directories and symlinks can go into a package image");
    }
  }
}

std::string iso8601(int64_t t) {
  char buf[32];
  time_t tt = static_cast<time_t>(t);
  struct tm tm {};
  gmtime_r(&tt, &tm);
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

WrittenImage write_image(OciLayout& layout, const std::string& root, const ImageConfig& cfg,
                         const std::string& ref_name) {
  fs::create_directories(layout.ingest_dir());
  AtomicFile layer_file(layout.ingest_dir() + "/layer", 0644);
  streams::FdSink file_sink(layer_file.fd(), layer_file.temp_path());
  HashSink compressed(file_sink);
  streams::CompressOptions copts;
  copts.codec = streams::Codec::kGzip;
  copts.level = 9;
  auto gzip = streams::make_compressor(copts, compressed);
  HashSink uncompressed(*gzip);
  streams::TarWriter tar(uncompressed);
  write_layer(root, cfg.mtime, tar);
  tar.close();

  WrittenImage out;
  out.layer_digest = compressed.digest();
  out.layer_size = static_cast<int64_t>(compressed.written());
  const std::string diff_id = uncompressed.digest();
  if (::fsync(layer_file.fd()) != 0) throw_errno("fsync " + layer_file.temp_path());
  layout.adopt_blob(out.layer_digest, layer_file.temp_path());

  json container = json::object();
  if (!cfg.entrypoint.is_null()) container["Entrypoint"] = cfg.entrypoint;
  if (!cfg.cmd.is_null()) container["Cmd"] = cfg.cmd;
  if (!cfg.env.is_null()) container["Env"] = cfg.env;
  if (!cfg.workdir.empty()) container["WorkingDir"] = cfg.workdir;
  if (!cfg.labels.empty()) container["Labels"] = cfg.labels;
  json config = {{"architecture", "amd64"},
                 {"os", "linux"},
                 {"created", iso8601(cfg.mtime)},
                 {"config", container},
                 {"rootfs", {{"type", "layers"}, {"diff_ids", {diff_id}}}}};
  std::string config_bytes = config.dump();
  std::string config_digest = "sha256:" + sha256_hex(config_bytes);
  layout.put_blob(config_digest, config_bytes, ref_name + " config");

  json manifest = {
      {"schemaVersion", 2},
      {"mediaType", oci::kOciManifest},
      {"config", {{"mediaType", oci::kOciConfig}, {"digest", config_digest}, {"size", config_bytes.size()}}},
      {"layers", {{{"mediaType", oci::kOciLayerGzip}, {"digest", out.layer_digest}, {"size", out.layer_size}}}}};
  std::string manifest_bytes = manifest.dump();
  out.manifest_digest = "sha256:" + sha256_hex(manifest_bytes);
  out.manifest_size = static_cast<int64_t>(manifest_bytes.size());
  layout.put_blob(out.manifest_digest, manifest_bytes, ref_name + " manifest");

  oci::Descriptor d;
  d.media_type = oci::kOciManifest;
  d.digest = out.manifest_digest;
  d.size = out.manifest_size;
  d.platform = oci::Platform{"linux", "amd64", ""};
  layout.set_refs({{ref_name, d}});
  return out;
}

}  // namespace lk::oci
