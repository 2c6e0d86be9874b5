#include "streams/tar_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>

#include "base/error.h"

namespace lk::streams {

TarReader::TarReader(ArchiveRead a, std::string where) : a_(std::move(a)), where_(std::move(where)) {}
TarReader::TarReader(TarReader&& o) noexcept
    : a_(std::move(o.a_)),
      entry_(o.entry_),
      where_(std::move(o.where_)),
      stream_(o.stream_),
      members_end_(o.members_end_) {}
TarReader::~TarReader() = default;

void TarReader::fail(const std::string& what) const {
  const char* msg = archive_error_string(a_.get());
  std::string text = where_ + ": " + what + (msg ? std::string(": ") + msg : std::string());
  if (stream_) throw InputError(text);
  throw RuntimeError(text);
}

namespace {
ArchiveRead new_reader() {
  ArchiveRead a = new_archive_read();
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_zstd(a.get());
  archive_read_support_filter_none(a.get());
  archive_read_support_format_tar(a.get());
  return a;
}
}  // namespace

Fd decompressed_copy(const std::string& path, const std::string& where) {
  unsigned char magic[4] = {};
  struct stat st {};
  {
    Fd f(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!f || ::fstat(f.get(), &st) != 0) throw_errno(where + ": open " + path);
    if (::read(f.get(), magic, sizeof magic) < 0) throw_errno(where + ": read " + path);
  }
  const bool gzip = magic[0] == 0x1f && magic[1] == 0x8b;
  const bool zstd = magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd;
  if (!gzip && !zstd) return Fd();
  // The copy holds everything the stream decompresses to, even past the tar's end,
  // which the passes never read. Past this bound (no real layer comes near it) the
  // layer is read without a copy, each pass stopping at the tar's end as before.
  const uint64_t bound = std::max<uint64_t>(4ull << 30, 100 * static_cast<uint64_t>(st.st_size));
  ArchiveRead a = new_archive_read();
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_zstd(a.get());
  archive_read_support_format_raw(a.get());
  auto failed = [&] {
    const char* msg = archive_error_string(a.get());
    return RuntimeError(where + ": cannot decompress: " + (msg ? msg : "damaged data"));
  };
  archive_entry* e = nullptr;
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 20) != ARCHIVE_OK ||
      archive_read_next_header(a.get(), &e) != ARCHIVE_OK)
    throw failed();
  Fd out = temp_file();
  std::string buf(1 << 20, '\0');
  uint64_t total = 0;
  for (;;) {
    la_ssize_t n = archive_read_data(a.get(), buf.data(), buf.size());
    if (n < 0) throw failed();
    if (n == 0) break;
    total += static_cast<uint64_t>(n);
    if (total > bound) return Fd();
    write_all(out.get(), std::string_view(buf.data(), static_cast<size_t>(n)), "temporary file");
  }
  return out;
}

TarReader TarReader::open_file(const std::string& path, const std::string& where) {
  TarReader r(new_reader(), where);
  if (archive_read_open_filename(r.a_.get(), path.c_str(), 1 << 20) != ARCHIVE_OK) r.fail("cannot open " + path);
  return r;
}

TarReader TarReader::open_fd(int fd, const std::string& where) {
  TarReader r(new_reader(), where);
  if (archive_read_open_fd(r.a_.get(), fd, 1 << 20) != ARCHIVE_OK) r.fail("cannot read");
  return r;
}

TarReader TarReader::open_stream(int fd, const std::string& where) {
  TarReader r(new_reader(), where);
  r.stream_ = true;
  if (archive_read_open_fd(r.a_.get(), fd, 1 << 20) != ARCHIVE_OK) r.fail("not a tar");
  return r;
}

namespace {
struct MemberSource {
  TarReader* parent;
  char buf[1 << 16];
};
la_ssize_t member_read(archive*, void* client, const void** out) {
  auto* src = static_cast<MemberSource*>(client);
  *out = src->buf;
  return static_cast<la_ssize_t>(src->parent->read(src->buf, sizeof src->buf));
}
int member_close(archive*, void* client) {
  delete static_cast<MemberSource*>(client);
  return ARCHIVE_OK;
}
}  // namespace

TarReader TarReader::open_member(TarReader& parent, const std::string& where) {
  TarReader r(new_reader(), where);
  auto* src = new MemberSource{&parent, {}};
  // libarchive owns SRC from here: member_close frees it, also when open fails.
  if (archive_read_open(r.a_.get(), src, nullptr, member_read, member_close) != ARCHIVE_OK) r.fail("cannot read");
  return r;
}

bool TarReader::next() {
  if (stream_) {
    // libarchive reads past the end marker's two blocks and reports a stream that
    // simply stops between members as a normal end; the offsets tell the two apart.
    if (entry_) skip_data();
    members_end_ = archive_filter_bytes(a_.get(), 0);
  }
  int rc = archive_read_next_header(a_.get(), &entry_);
  if (rc == ARCHIVE_EOF) {
    entry_ = nullptr;
    if (stream_ && archive_filter_bytes(a_.get(), 0) < members_end_ + 1024)
      throw InputError(
          where_ + ": truncated: the tar ends without its end-of-archive marker (did the program writing it fail?)");
    return false;
  }
  if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) fail("damaged archive");
  if (archive_entry_size_is_set(entry_) && static_cast<uint64_t>(archive_entry_size(entry_)) > kMaxMemberSize)
    throw RuntimeError(where_ + ": entry \"" + raw_path() + "\" claims an absurd size (" +
                       std::to_string(archive_entry_size(entry_)) + " bytes)");
  return true;
}

std::string TarReader::raw_path() const {
  const char* p = archive_entry_pathname(entry_);
  return p ? p : "";
}

TarEntry TarReader::header() const {
  TarEntry e;
  e.path = raw_path();
  mode_t ft = archive_entry_filetype(entry_);
  const char* hl = archive_entry_hardlink(entry_);
  if (hl) {
    e.type = TarEntry::kHardlink;
    e.linkname = hl;
  } else {
    switch (ft) {
      case AE_IFREG: e.type = TarEntry::kFile; break;
      case AE_IFDIR: e.type = TarEntry::kDir; break;
      case AE_IFLNK: e.type = TarEntry::kSymlink; break;
      case AE_IFCHR: e.type = TarEntry::kChar; break;
      case AE_IFBLK: e.type = TarEntry::kBlock; break;
      case AE_IFIFO: e.type = TarEntry::kFifo; break;
      default: throw RuntimeError(where_ + ": entry \"" + e.path + "\" has an unsupported type");
    }
    if (e.type == TarEntry::kSymlink) {
      const char* t = archive_entry_symlink(entry_);
      e.linkname = t ? t : "";
    }
  }
  e.mode = archive_entry_perm(entry_) & 07777;
  e.uid = static_cast<uint64_t>(archive_entry_uid(entry_));
  e.gid = static_cast<uint64_t>(archive_entry_gid(entry_));
  if (const char* u = archive_entry_uname(entry_)) e.uname = u;
  if (const char* g = archive_entry_gname(entry_)) e.gname = g;
  e.mtime = archive_entry_mtime(entry_);
  la_int64_t size = archive_entry_size(entry_);
  if (size < 0) throw RuntimeError(where_ + ": entry \"" + e.path + "\" has a negative size");
  e.size = e.type == TarEntry::kFile ? static_cast<uint64_t>(size) : 0;
  if (e.type == TarEntry::kChar || e.type == TarEntry::kBlock) {
    e.devmajor = archive_entry_rdevmajor(entry_);
    e.devminor = archive_entry_rdevminor(entry_);
  }
  // Extended attributes (file capabilities, SELinux labels) travel as SCHILY.xattr records.
  archive_entry_xattr_reset(entry_);
  const char* name;
  const void* value;
  size_t len;
  while (archive_entry_xattr_next(entry_, &name, &value, &len) == ARCHIVE_OK)
    e.pax.emplace_back(std::string("SCHILY.xattr.") + name, std::string(static_cast<const char*>(value), len));
  return e;
}

size_t TarReader::read(void* buf, size_t n) {
  la_ssize_t got = archive_read_data(a_.get(), buf, n);
  if (got < 0) fail("reading \"" + raw_path() + "\"");
  return static_cast<size_t>(got);
}

void TarReader::copy_data(const std::function<void(const void*, size_t)>& fn) {
  const void* block;
  size_t len;
  la_int64_t offset;
  uint64_t total = 0;
  for (;;) {
    int rc = archive_read_data_block(a_.get(), &block, &len, &offset);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) fail("reading \"" + raw_path() + "\"");
    // Sparse members come with holes: fill them so the output is a plain file.
    if (static_cast<uint64_t>(offset) > total) {
      static const char zeros[65536] = {};
      uint64_t gap = static_cast<uint64_t>(offset) - total;
      while (gap) {
        size_t n = gap > sizeof zeros ? sizeof zeros : static_cast<size_t>(gap);
        fn(zeros, n);
        gap -= n;
      }
      total = static_cast<uint64_t>(offset);
    }
    if (len) fn(block, len);
    total += len;
  }
  la_int64_t size = archive_entry_size(entry_);
  if (archive_entry_hardlink(entry_) == nullptr && archive_entry_filetype(entry_) == AE_IFREG &&
      total < static_cast<uint64_t>(size)) {
    static const char zeros[65536] = {};
    uint64_t gap = static_cast<uint64_t>(size) - total;
    while (gap) {
      size_t n = gap > sizeof zeros ? sizeof zeros : static_cast<size_t>(gap);
      fn(zeros, n);
      gap -= n;
    }
  }
}

void TarReader::skip_data() {
  if (archive_read_data_skip(a_.get()) != ARCHIVE_OK) fail("skipping \"" + raw_path() + "\"");
}

}  // namespace lk::streams
