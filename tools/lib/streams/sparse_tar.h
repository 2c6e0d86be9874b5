#pragma once
// A one-member tar in GNU tar's oldgnu sparse format: Google Compute Engine imports
// disk images only as such a tar (disk.raw), and our mostly-empty disks stay small in it.
#include <cstdint>
#include <string>

#include "streams/compress.h"  // lk::ByteSink

namespace lk::streams {

// Writes to OUT a tar archive holding one regular file NAME (mode 0644, uid/gid 0,
// uname/gname "root", mtime MTIME) with the contents of FD (a regular file), as GNU tar
// --format=oldgnu --sparse does: typeflag 'S', the sparse map in the header (4
// entries) and in extension headers (21 entries each) when longer, realsize, and only
// the data regions stored. Like GNU tar's SEEK_HOLE scan, the map always ends with
// (size, 0), also after data. Ends the archive (two zero blocks, padded to a
// 10240-byte record as GNU tar does) and calls OUT.finish(). The file must not change
// meanwhile; a pipe or other non-regular FD is an InputError.
void write_sparse_tar(int fd, const std::string& name, int64_t mtime, ByteSink& out);

}  // namespace lk::streams
