#include "gcp/image_file.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <memory>

#include "base/error.h"
#include "streams/archive_handle.h"

namespace lk::gcp {

ImageFileInfo check_image_tarball(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw InputError(path + ": no such file");
  if (!S_ISREG(st.st_mode)) throw InputError(path + ": not a regular file");
  ImageFileInfo info;
  info.file_size = st.st_size;

  streams::ArchiveRead a = streams::new_archive_read();
  archive_read_support_filter_gzip(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 20) != ARCHIVE_OK)
    throw InputError(path + ": " + archive_error_string(a.get()));
  if (archive_filter_code(a.get(), 0) != ARCHIVE_FILTER_GZIP)
    throw InputError(path + ": not gzip-compressed (GCE wants a .tar.gz holding disk.raw)");

  int members = 0;
  archive_entry* entry = nullptr;
  for (;;) {
    int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) throw InputError(path + ": not a valid tar.gz: " + archive_error_string(a.get()));
    std::string name = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
    if (++members > 1)
      throw InputError(path + ": holds more than one file (\"" + name + "\"); GCE wants only disk.raw");
    if (name != "disk.raw")
      throw InputError(path + ": its member is \"" + name + "\"; GCE wants a single file named disk.raw");
    if (archive_entry_filetype(entry) != AE_IFREG) throw InputError(path + ": disk.raw is not a regular file");
    info.disk_size = archive_entry_size(entry);
    // Reading through the data is what proves the gzip stream is whole.
    if (archive_read_data_skip(a.get()) != ARCHIVE_OK)
      throw InputError(path + ": truncated or corrupt: " + archive_error_string(a.get()));
  }
  if (members == 0) throw InputError(path + ": empty archive; GCE wants a single file named disk.raw");
  return info;
}

std::string image_name_from_path(const std::string& path) {
  std::string base = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  for (const char* suffix : {".img.tar.gz", ".tar.gz", ".tgz"}) {
    std::string s = suffix;
    if (base.size() > s.size() && base.compare(base.size() - s.size(), s.size(), s) == 0)
      return base.substr(0, base.size() - s.size());
  }
  return base;
}

}  // namespace lk::gcp
