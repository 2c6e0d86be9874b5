#pragma once
// The image cache: an OCI image layout (oci-layout, index.json, blobs/sha256/...) that
// skopeo and umoci read, plus two lk-private names the OCI spec permits beside them:
//   index.json.lock  flock(2) held while index.json is read-modified-written
//   ingest/          blobs being downloaded: HEX.partial (flock'ed by its writer, kept
//                    across a crash so the next run resumes) and HEX.tmp-* (small blobs)
// A blob enters blobs/sha256/ only by rename after its digest was checked, and
// index.json is only ever replaced by rename, so readers never lock and never see a
// torn or unverified file, whatever happens to a writer. For the same reason a reader
// (lk-rootfs) does not hash a blob again.
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/file_lock.h"
#include "base/sha256.h"
#include "oci/manifest.h"

namespace lk::oci {

struct ImageLayer {
  std::string digest;
  std::string media_type;
  std::string path;  // the blob in the cache
};

// A pinned single-platform image as lk-rootfs unpacks it.
struct ImageData {
  std::string reference;           // for messages
  std::string digest;              // of the manifest
  nlohmann::json config;           // the image config's "config" object (Entrypoint, Cmd, Env, WorkingDir, Labels)
  std::vector<ImageLayer> layers;  // bottom first
  std::string name() const { return reference.empty() ? digest : reference + "@" + digest; }
};

class OciLayout {
public:
  // Creates DIR and the layout's skeleton when missing.
  explicit OciLayout(std::string dir);
  // A cache that is only read: nothing is created, a missing blob says so when asked.
  static OciLayout existing(std::string dir);

  const std::string& dir() const { return dir_; }
  std::string blob_path(const std::string& digest) const;
  bool has_blob(const std::string& digest) const;
  // RuntimeError when absent; WHAT ("image X: manifest") starts the message.
  std::string read_blob(const std::string& digest, const std::string& what = "blob") const;
  // Stores BYTES as DIGEST after checking that they hash to it (small blobs only).
  void put_blob(const std::string& digest, std::string_view bytes, const std::string& what);
  // Moves a complete, already verified file at TEMP_PATH (same file system) into place.
  void adopt_blob(const std::string& digest, const std::string& temp_path);

  // The index.json entry named REF_NAME (annotation org.opencontainers.image.ref.name).
  std::optional<oci::Descriptor> lookup(const std::string& ref_name) const;
  std::vector<oci::Descriptor> entries() const;
  // Adds or replaces entries by name, in one locked, atomic rewrite of index.json.
  void set_refs(const std::vector<std::pair<std::string, oci::Descriptor>>& refs);

  std::string ingest_dir() const { return dir_ + "/ingest"; }

  // The image manifest DIGEST (named REFERENCE in messages), its config and its layer
  // blobs. RuntimeError when a blob is missing or DIGEST is not a single-platform image.
  ImageData image(const std::string& reference, const std::string& digest) const;

  // Checks every blob's digest and that every index entry resolves (for an index, the
  // children it holds and at least one child); returns the problems found.
  std::vector<std::string> verify() const;

private:
  struct NoCreate {};
  OciLayout(std::string dir, NoCreate);
  std::string dir_;
};

// Streams one blob into ingest/HEX.partial under an exclusive lock, so that two
// processes never write the same blob and a crashed download resumes where it stopped.
class BlobIngest {
public:
  // Blocks while another process downloads the same blob.
  BlobIngest(OciLayout& layout, std::string digest, int64_t size);
  ~BlobIngest();
  BlobIngest(const BlobIngest&) = delete;
  BlobIngest& operator=(const BlobIngest&) = delete;

  bool present() const;                       // already in blobs/ (someone else finished it)
  int64_t offset() const { return offset_; }  // bytes on disk and hashed so far
  void restart();                             // drop what is there and start from byte 0
  void write(const char* data, size_t len);
  // Checks size and digest, fsyncs and renames into blobs/. On a mismatch the partial
  // file is discarded and RuntimeError names WHAT (image and blob).
  void commit(const std::string& what);

private:
  OciLayout& layout_;
  std::string digest_;
  int64_t size_;
  std::string path_;
  FileLock lock_;
  std::unique_ptr<Sha256> hash_;
  int64_t offset_ = 0;
};

}  // namespace lk::oci
