#include "streams/cpio_writer.h"

#include <cstdio>

#include "base/error.h"

namespace lk::streams {

void CpioWriter::put(const void* p, size_t n) {
  out_.write(p, n);
  pos_ += n;
}

void CpioWriter::pad(size_t align) {
  static const char zeros[512] = {};
  size_t n = (align - pos_ % align) % align;
  if (n) put(zeros, n);
}

void CpioWriter::header(const CpioEntry& e) {
  if (got_ != expected_) throw RuntimeError("cpio: entry " + name_ + " is incomplete");
  if (e.size > 0xffffffffull)
    throw RuntimeError("\"" + e.name + "\" is " + std::to_string(e.size) +
                       " bytes: cpio newc (the initramfs format) cannot hold a member of 4 GiB or more");
  char h[111];
  std::snprintf(h, sizeof h, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", e.ino, e.mode, e.uid, e.gid,
                e.nlink, e.mtime, static_cast<uint32_t>(e.size), e.dev_major, e.dev_minor, e.rdev_major, e.rdev_minor,
                static_cast<uint32_t>(e.name.size() + 1), 0u);
  put(h, 110);
  put(e.name.c_str(), e.name.size() + 1);
  pad(4);
  expected_ = e.size;
  got_ = 0;
  name_ = e.name;
}

void CpioWriter::data(const void* p, size_t n) {
  if (got_ + n > expected_) throw RuntimeError("cpio: entry " + name_ + " has more data than its size");
  put(p, n);
  got_ += n;
}

void CpioWriter::end_entry() {
  if (got_ != expected_)
    throw RuntimeError("cpio: entry " + name_ + ": got " + std::to_string(got_) + " of " + std::to_string(expected_) +
                       " bytes");
  pad(4);
  expected_ = got_ = 0;
}

void CpioWriter::add(const CpioEntry& e, std::string_view contents) {
  CpioEntry c = e;
  c.size = contents.size();
  header(c);
  if (!contents.empty()) data(contents.data(), contents.size());
  end_entry();
}

void CpioWriter::end_archive() {
  CpioEntry t;
  t.name = "TRAILER!!!";
  add(t);
}

void CpioWriter::trailer() {
  end_archive();
  pad(512);
}

}  // namespace lk::streams
