#pragma once
// Turns a directory tree into a single-layer OCI image in the cache, byte for byte
// reproducibly: entries sorted by path, owner root, mtime SOURCE_DATE_EPOCH, gzip at a
// fixed level; hard links stay hard links.
#include <nlohmann/json.hpp>
#include <string>

namespace lk::oci {

class OciLayout;

struct ImageConfig {
  nlohmann::json entrypoint, cmd, env;  // arrays or null
  std::string workdir;
  nlohmann::json labels = nlohmann::json::object();
  int64_t mtime = 0;  // SOURCE_DATE_EPOCH
};

struct WrittenImage {
  std::string manifest_digest;
  int64_t manifest_size = 0;
  std::string layer_digest;
  int64_t layer_size = 0;
};

// Stores the image made of ROOT in LAYOUT and names it REF_NAME in index.json.
WrittenImage write_image(OciLayout& layout, const std::string& root, const ImageConfig& cfg,
                         const std::string& ref_name);

}  // namespace lk::oci
