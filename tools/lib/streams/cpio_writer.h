#pragma once
// cpio "newc" (070701), the format the kernel unpacks into its initramfs: headers
// and names padded to 4 bytes, a TRAILER!!! entry, the whole padded to 512 bytes.
#include <cstdint>
#include <string>

#include "streams/compress.h"

namespace lk::streams {

struct CpioEntry {
  std::string name;   // relative, no leading "/"
  uint32_t mode = 0;  // file type bits | permissions
  uint32_t uid = 0, gid = 0;
  uint32_t nlink = 1;
  uint32_t mtime = 0;
  uint64_t size = 0;  // must fit 32 bits
  uint32_t ino = 0;
  uint32_t rdev_major = 0, rdev_minor = 0;
  // The file-system device it claims (LinuxKit writes 3:1 for all); the kernel keys
  // hard links on (device, inode), so each segment of an initrd has its own.
  uint32_t dev_major = 3, dev_minor = 1;
};

class CpioWriter {
public:
  explicit CpioWriter(ByteSink& out) : out_(out) {}
  void header(const CpioEntry& e);
  void data(const void* p, size_t n);
  void end_entry();
  void add(const CpioEntry& e, std::string_view contents = {});
  // TRAILER!!! and the padding to 512 bytes; does not finish the sink.
  void trailer();
  // TRAILER!!! alone: an archive ends, and another may follow in the same stream.
  void end_archive();
  uint64_t bytes() const { return pos_; }
  // N bytes of whole entries were put in the stream another way (a spliced segment).
  void skip(uint64_t n) { pos_ += n; }

private:
  void put(const void* p, size_t n);
  void pad(size_t align);
  ByteSink& out_;
  uint64_t pos_ = 0;
  uint64_t expected_ = 0, got_ = 0;
  std::string name_;
};

}  // namespace lk::streams
