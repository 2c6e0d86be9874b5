#include "oci/image_store.h"

#include <sys/stat.h>

#include <cstdlib>

#include "base/error.h"
#include "base/fs.h"

namespace lk::oci {

using nlohmann::json;

std::string ImageStore::blob_path(const std::string& digest) const {
  if (digest.rfind("sha256:", 0) != 0 || digest.size() != 71 ||
      digest.find_first_not_of("0123456789abcdef", 7) != std::string::npos)
    throw InputError("invalid digest \"" + digest + "\" (expected sha256: and 64 hex digits)");
  return dir_ + "/blobs/sha256/" + digest.substr(7);
}

std::string ImageStore::read_blob(const std::string& digest, const std::string& what) const {
  std::string path;
  try {
    path = blob_path(digest);
  } catch (const InputError& e) {
    throw InputError(what + ": " + e.what());
  }
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

ImageData ImageStore::load(const json& image) const {
  ImageData out;
  out.reference = image.value("reference", image.value("image", ""));
  if (!image.contains("digest") || !image["digest"].is_string())
    throw InputError("image " + out.reference + " has no digest in the lock (was it made by lk-pull?)");
  out.digest = image["digest"];
  json manifest;
  try {
    manifest = json::parse(read_blob(out.digest, "image " + out.name() + ": manifest"));
  } catch (const json::exception& e) {
    throw RuntimeError("image " + out.name() + ": manifest is not JSON: " + e.what());
  }
  std::string mt = manifest.value("mediaType", "");
  if (manifest.contains("manifests"))
    throw RuntimeError("image " + out.name() + ": the digest names an index, not a single-platform manifest");
  if (!manifest.contains("config") || !manifest.contains("layers") || !manifest["layers"].is_array())
    throw RuntimeError("image " + out.name() + ": manifest (" + (mt.empty() ? "no mediaType" : mt) +
                       ") has no config or layers");
  try {
    json cfg = json::parse(read_blob(manifest["config"].value("digest", ""), "image " + out.name() + ": config"));
    out.config = cfg.value("config", json::object());
  } catch (const json::exception& e) {
    throw RuntimeError("image " + out.name() + ": config is not JSON: " + e.what());
  }
  for (const auto& l : manifest["layers"]) {
    ImageLayer layer;
    layer.digest = l.value("digest", "");
    layer.media_type = l.value("mediaType", "");
    if (!is_layer_type(layer.media_type))
      throw RuntimeError("image " + out.name() + ": layer " + layer.digest + " has media type " + layer.media_type +
                         ", which is not a filesystem layer");
    layer.path = blob_path(layer.digest);
    struct stat st;
    if (::stat(layer.path.c_str(), &st) != 0)
      throw RuntimeError("image " + out.name() + ": layer " + layer.digest + " is not in the cache " + dir_);
    out.layers.push_back(std::move(layer));
  }
  return out;
}

}  // namespace lk::oci
