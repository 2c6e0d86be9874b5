#include "streams/archive_handle.h"

#include <archive.h>

#include "base/error.h"

namespace lk::streams {

void ArchiveReadFree::operator()(archive* a) const { archive_read_free(a); }
void ArchiveWriteFree::operator()(archive* a) const { archive_write_free(a); }

ArchiveRead new_archive_read() {
  ArchiveRead a(archive_read_new());
  if (!a) throw RuntimeError("libarchive: out of memory");
  return a;
}

ArchiveWrite new_archive_write_disk() {
  ArchiveWrite a(archive_write_disk_new());
  if (!a) throw RuntimeError("libarchive: out of memory");
  return a;
}

}  // namespace lk::streams
