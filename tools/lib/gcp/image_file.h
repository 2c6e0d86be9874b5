#pragma once
// Checks a GCE image tarball before anything is uploaded: GCE only says
// INVALID_IMAGE_TAR minutes later, after the upload, so lk says it first and better.
#include <cstdint>
#include <string>

namespace lk::gcp {

struct ImageFileInfo {
  int64_t file_size = 0;  // the .tar.gz
  int64_t disk_size = 0;  // disk.raw
};

// PATH must be a gzip-compressed tar whose only member is a regular file "disk.raw".
// Throws InputError saying what is wrong otherwise.
ImageFileInfo check_image_tarball(const std::string& path);

// "NAME.img.tar.gz" -> "NAME" (also .tar.gz, .tgz); the name GCE images get by default.
std::string image_name_from_path(const std::string& path);

}  // namespace lk::gcp
