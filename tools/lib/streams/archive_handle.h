#pragma once
// Owning handles for libarchive objects, so that every archive is freed exactly once,
// whichever way its reader leaves.
#include <memory>

struct archive;

namespace lk::streams {

struct ArchiveReadFree {
  void operator()(archive* a) const;
};
struct ArchiveWriteFree {
  void operator()(archive* a) const;
};
using ArchiveRead = std::unique_ptr<archive, ArchiveReadFree>;
using ArchiveWrite = std::unique_ptr<archive, ArchiveWriteFree>;

// archive_read_new(), or RuntimeError when libarchive is out of memory.
ArchiveRead new_archive_read();
// archive_write_disk_new(), likewise.
ArchiveWrite new_archive_write_disk();

}  // namespace lk::streams
