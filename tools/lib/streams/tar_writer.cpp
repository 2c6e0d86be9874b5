#include "streams/tar_writer.h"

#include <cstring>

#include "base/error.h"

namespace lk::streams {

namespace {

constexpr size_t kBlock = 512;

// One pax record: "LEN key=value\n", LEN counting itself.
std::string pax_record(const std::string& key, const std::string& value) {
  size_t body = key.size() + value.size() + 3;  // ' ', '=', '\n'
  size_t len = body + 1;
  while (std::to_string(len).size() + body != len) ++len;
  return std::to_string(len) + " " + key + "=" + value + "\n";
}

bool put_octal(char* field, size_t width, uint64_t v) {
  // width-1 digits and a NUL, as GNU tar and Go write them.
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + (v & 7)));
    v >>= 3;
  } while (v);
  if (digits.size() > width - 1) return false;
  std::memset(field, '0', width - 1);
  std::memcpy(field + (width - 1 - digits.size()), digits.data(), digits.size());
  field[width - 1] = '\0';
  return true;
}

void put_str(char* field, size_t width, const std::string& s) {
  std::memcpy(field, s.data(), std::min(width, s.size()));
}

std::string ustar_block(const std::string& name, char type, uint32_t mode, uint64_t uid, uint64_t gid, uint64_t size,
                        int64_t mtime, const std::string& link, const std::string& uname, const std::string& gname,
                        uint32_t major, uint32_t minor) {
  std::string b(kBlock, '\0');
  char* h = b.data();
  put_str(h, 100, name);
  put_octal(h + 100, 8, mode);
  put_octal(h + 108, 8, uid);
  put_octal(h + 116, 8, gid);
  put_octal(h + 124, 12, size);
  put_octal(h + 136, 12, static_cast<uint64_t>(mtime < 0 ? 0 : mtime));
  std::memset(h + 148, ' ', 8);
  h[156] = type;
  put_str(h + 157, 100, link);
  std::memcpy(h + 257,
              "ustar\0"
              "00",
              8);
  put_str(h + 265, 32, uname);
  put_str(h + 297, 32, gname);
  put_octal(h + 329, 8, major);
  put_octal(h + 337, 8, minor);
  unsigned sum = 0;
  for (size_t i = 0; i < kBlock; ++i) sum += static_cast<unsigned char>(b[i]);
  put_octal(h + 148, 7, sum);
  h[155] = ' ';
  return b;
}

}  // namespace

void TarWriter::header(const TarEntry& e) {
  if (expected_ != got_) throw RuntimeError("tar: entry " + path_ + " is incomplete");
  std::string name = e.type == TarEntry::kDir ? e.path + "/" : e.path;
  std::string records;
  auto needs = [](const std::string& s, size_t width) { return s.size() > width; };
  if (needs(name, 100)) records += pax_record("path", name);
  if (needs(e.linkname, 100)) records += pax_record("linkpath", e.linkname);
  uint64_t size = e.type == TarEntry::kFile ? e.size : 0;
  char probe[12];
  if (!put_octal(probe, 12, size)) records += pax_record("size", std::to_string(size));
  if (!put_octal(probe, 8, e.uid)) records += pax_record("uid", std::to_string(e.uid));
  if (!put_octal(probe, 8, e.gid)) records += pax_record("gid", std::to_string(e.gid));
  if (needs(e.uname, 32)) records += pax_record("uname", e.uname);
  if (needs(e.gname, 32)) records += pax_record("gname", e.gname);
  for (const auto& [k, v] : e.pax) records += pax_record(k, v);
  if (!records.empty()) {
    std::string base(name.substr(0, name.size() - (name.back() == '/')));
    auto slash = base.rfind('/');
    std::string pax_name = (slash == std::string::npos ? "" : base.substr(0, slash + 1)) + "PaxHeaders.0/" +
                           (slash == std::string::npos ? base : base.substr(slash + 1));
    if (pax_name.size() > 100) pax_name.resize(100);
    out_.write(ustar_block(pax_name, 'x', 0644, 0, 0, records.size(), e.mtime, "", "", "", 0, 0));
    out_.write(records);
    size_t pad = (kBlock - records.size() % kBlock) % kBlock;
    out_.write(std::string(pad, '\0'));
  }
  char probe2[12];
  uint64_t hsize = put_octal(probe2, 12, size) ? size : 0;
  uint64_t huid = put_octal(probe2, 8, e.uid) ? e.uid : 0, hgid = put_octal(probe2, 8, e.gid) ? e.gid : 0;
  out_.write(ustar_block(name, static_cast<char>(e.type), e.mode & 07777, huid, hgid, hsize, e.mtime, e.linkname,
                         e.uname, e.gname, e.devmajor, e.devminor));
  expected_ = size;
  got_ = 0;
  path_ = e.path;
}

void TarWriter::data(const void* p, size_t n) {
  if (got_ + n > expected_) throw RuntimeError("tar: entry " + path_ + " has more data than its size");
  out_.write(p, n);
  got_ += n;
}

void TarWriter::end_entry() {
  if (got_ != expected_)
    throw RuntimeError("tar: entry " + path_ + ": got " + std::to_string(got_) + " of " + std::to_string(expected_) +
                       " bytes");
  size_t pad = (kBlock - expected_ % kBlock) % kBlock;
  if (pad) out_.write(std::string(pad, '\0'));
  expected_ = got_ = 0;
}

void TarWriter::add(const TarEntry& e, std::string_view contents) {
  TarEntry copy = e;
  if (copy.type == TarEntry::kFile) copy.size = contents.size();
  header(copy);
  if (!contents.empty()) data(contents.data(), contents.size());
  end_entry();
}

void TarWriter::close() {
  out_.write(std::string(2 * kBlock, '\0'));
  out_.finish();
}

}  // namespace lk::streams
