#pragma once
// A POSIX (pax) tar writer with nothing implicit: every field comes from the
// entry, so the same entries always give the same bytes.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "streams/compress.h"

namespace lk::streams {

struct TarEntry {
  enum Type : char { kFile = '0', kHardlink = '1', kSymlink = '2', kChar = '3', kBlock = '4', kDir = '5', kFifo = '6' };
  std::string path;  // relative, no trailing slash
  Type type = kFile;
  uint32_t mode = 0644;  // permission bits with setuid/setgid/sticky
  uint64_t uid = 0, gid = 0;
  std::string uname, gname;
  int64_t mtime = 0;
  uint64_t size = 0;
  std::string linkname;
  uint32_t devmajor = 0, devminor = 0;
  std::vector<std::pair<std::string, std::string>> pax;  // extra records, e.g. SCHILY.xattr.*
};

class TarWriter {
public:
  explicit TarWriter(ByteSink& out) : out_(out) {}
  // Writes the header; a file's SIZE bytes of data must follow through data().
  void header(const TarEntry& e);
  void data(const void* p, size_t n);
  // Pads the data to the block size; checks exactly SIZE bytes came.
  void end_entry();
  void add(const TarEntry& e, std::string_view contents = {});
  // The two zero blocks, then finish() of the sink.
  void close();

private:
  ByteSink& out_;
  uint64_t expected_ = 0, got_ = 0;
  std::string path_;
};

}  // namespace lk::streams
