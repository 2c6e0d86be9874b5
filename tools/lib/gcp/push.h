#pragma once
// `lk push gcp`: check the tarball, upload it to Cloud Storage, and make a GCE image
// of it. lk-run gcp reuses it when it is handed a file rather than an image name.
#include <cstdint>
#include <optional>
#include <string>

#include "base/log.h"
#include "gcp/config.h"
#include "gcp/image_file.h"

namespace lk::gcp {

struct PushOptions {
  std::string file;  // NAME.img.tar.gz
  std::string bucket;
  std::string name;  // the image; default NAME from the file
  std::string family;
  bool public_read = false;
  bool nested_virt = false;
  bool uefi = false;
  bool replace = false;
  int64_t chunk_size = 16 * 1024 * 1024;
  // The result of check_image_tarball() when the caller already ran it (it reads the
  // whole file, so once is enough).
  std::optional<ImageFileInfo> checked;
};

// Returns the image's name. Checks the file, the project, the bucket and the image
// name before uploading anything.
std::string push_image(Session& session, const PushOptions& opts, const Log& log);

}  // namespace lk::gcp
