#pragma once
// Reads pinned images out of the OCI layout cache that lk-pull fills: the manifest
// named by the lock's digest, its config blob, and the paths of its layer blobs.
// Blobs were verified when lk-pull wrote them, so they are not hashed again here.
#include <nlohmann/json.hpp>
#include <string>

#include "base/fs.h"
#include <vector>

namespace lk::oci {

struct ImageLayer {
  std::string digest;
  std::string media_type;
  std::string path;  // the blob in the cache
};

struct ImageData {
  std::string reference;  // for messages
  std::string digest;     // of the manifest
  nlohmann::json config;  // the image config's "config" object (Entrypoint, Cmd, Env, WorkingDir, Labels)
  std::vector<ImageLayer> layers;  // bottom first
  std::string name() const { return reference.empty() ? digest : reference + "@" + digest; }
};


class ImageStore {
public:
  explicit ImageStore(std::string dir) : dir_(std::move(dir)) {}
  // An image object of the lock (with "reference" and "digest"). A missing blob or a
  // manifest that is not a single-platform image is a RuntimeError naming the image.
  ImageData load(const nlohmann::json& image) const;
  std::string blob_path(const std::string& digest) const;
  // The blob's bytes; WHAT ("image X: manifest") starts the message when it is missing.
  std::string read_blob(const std::string& digest, const std::string& what) const;

private:
  std::string dir_;
};

}  // namespace lk::oci
