#pragma once
// Reading tar streams (plain, gzip or zstd, detected from the bytes) with libarchive,
// one entry at a time, without ever holding a member's contents.
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/fs.h"
#include "streams/archive_handle.h"
#include "streams/tar_writer.h"

struct archive;
struct archive_entry;

namespace lk::streams {

// Entries bigger than this are treated as a damaged or malicious archive: refused as
// soon as their header is read, before anything tries to skip or copy them.
inline constexpr uint64_t kMaxMemberSize = 1ull << 40;

// PATH decompressed (gzip or zstd, from its first bytes) into an unnamed temporary
// file, for a layer read more than once; an empty Fd when PATH is not compressed.
Fd decompressed_copy(const std::string& path, const std::string& where);

class TarReader {
public:
  // WHERE names the stream in every error ("image X layer 2 (sha256:...)").
  static TarReader open_file(const std::string& path, const std::string& where);
  static TarReader open_fd(int fd, const std::string& where);
  // A stage's input (a rootfs tar, a bundle): damage is bad input (InputError), and a
  // stream that ends without the two zero blocks of tar's end marker is truncated, not
  // short: a producer that died between two members must not pass for a whole system.
  static TarReader open_stream(int fd, const std::string& where);
  // Reads the current member of PARENT as a tar of its own (kernel.tar inside a layer).
  static TarReader open_member(TarReader& parent, const std::string& where);

  TarReader(TarReader&&) noexcept;
  TarReader& operator=(TarReader&&) = delete;
  ~TarReader();

  // Advances to the next member; false at the end. Throws RuntimeError on a damaged stream.
  bool next();
  archive_entry* entry() const { return entry_; }
  std::string raw_path() const;
  // The member's header as a TarEntry (path as stored, uncleaned; hard link target in linkname).
  TarEntry header() const;
  // Up to N bytes of the current member; 0 at its end.
  size_t read(void* buf, size_t n);
  // Streams the current member's data into FN, checking it is exactly its size.
  void copy_data(const std::function<void(const void*, size_t)>& fn);
  void skip_data();
  const std::string& where() const { return where_; }

private:
  TarReader(ArchiveRead a, std::string where);
  [[noreturn]] void fail(const std::string& what) const;
  ArchiveRead a_;
  archive_entry* entry_ = nullptr;
  std::string where_;
  bool stream_ = false;
  int64_t members_end_ = 0;  // stream offset where the last member's data ended
};

}  // namespace lk::streams
