#include "streams/sparse_tar.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/error.h"
#include "base/fs.h"

namespace lk::streams {

namespace {

constexpr uint64_t kBlock = 512;
constexpr uint64_t kRecord = 20 * kBlock;  // GNU tar's default blocking factor
constexpr size_t kHeaderEntries = 4;       // sparse map entries in the header
constexpr size_t kExtEntries = 21;         // ... and in each extension block

// GNU tar's numeric fields: octal digits and a NUL when the value fits, else base-256
// (0x80, then the value big-endian in the remaining bytes), which is how GNU tar
// stores offsets and sizes of 8 GiB and more in this format.
void put_num(char* field, size_t width, uint64_t v) {
  const size_t digits = width - 1;
  if (digits * 3 >= 64 || v >> (digits * 3) == 0) {
    for (size_t i = digits; i-- > 0; v >>= 3) field[i] = static_cast<char>('0' + (v & 7));
    field[digits] = '\0';
    return;
  }
  std::memset(field, 0, width);
  field[0] = static_cast<char>(0x80);
  for (size_t i = width; i-- > 1 && v; v >>= 8) field[i] = static_cast<char>(v & 0xff);
}

void put_map(char* entries, const SparseRegion* r, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    put_num(entries + 24 * i, 12, r[i].offset);
    put_num(entries + 24 * i + 12, 12, r[i].length);
  }
}

}  // namespace

void write_sparse_tar(int fd, const std::string& name, int64_t mtime, ByteSink& out) {
  // 100 bytes and more would need GNU's ././@LongLink member; nobody needs that here.
  if (name.empty() || name.size() >= 100) throw InputError("sparse tar: member name must be 1 to 99 bytes: " + name);
  if (mtime < 0) throw InputError("sparse tar " + name + ": negative mtime " + std::to_string(mtime));
  const std::string what = "sparse tar " + name;
  std::vector<SparseRegion> regions = data_regions(fd, what);
  const uint64_t size = regions.back().offset + regions.back().length;
  // GNU tar's SEEK_HOLE scan ends its map with (size, 0) even after data, since it
  // stops only when SEEK_DATA fails at the end; we match its bytes.
  if (regions.back().length != 0) regions.push_back({size, 0});
  uint64_t stored = 0;
  for (const auto& r : regions) stored += r.length;

  std::string h(kBlock, '\0');
  std::memcpy(h.data(), name.data(), name.size());
  put_num(&h[100], 8, 0644);
  put_num(&h[108], 8, 0);
  put_num(&h[116], 8, 0);
  put_num(&h[124], 12, stored);
  put_num(&h[136], 12, static_cast<uint64_t>(mtime));
  h[156] = 'S';
  std::memcpy(&h[257], "ustar  ", 8);  // oldgnu magic and version, NUL included
  std::memcpy(&h[265], "root", 4);
  std::memcpy(&h[297], "root", 4);
  // devmajor/devminor, atime/ctime and offset stay zero bytes, as GNU tar leaves
  // them for a regular file outside --incremental and multi-volume archives.
  const size_t in_header = std::min(regions.size(), kHeaderEntries);
  put_map(&h[386], regions.data(), in_header);
  h[482] = regions.size() > kHeaderEntries;
  put_num(&h[483], 12, size);
  std::memset(&h[148], ' ', 8);
  unsigned sum = 0;
  for (char c : h) sum += static_cast<unsigned char>(c);
  put_num(&h[148], 7, sum);  // six digits, NUL, and the space left at 155
  out.write(h);
  uint64_t total = kBlock;

  for (size_t i = in_header; i < regions.size(); i += kExtEntries) {
    std::string ext(kBlock, '\0');
    const size_t n = std::min(regions.size() - i, kExtEntries);
    put_map(ext.data(), &regions[i], n);
    ext[504] = i + n < regions.size();
    out.write(ext);
    total += kBlock;
  }

  std::vector<char> buf(1 << 20);
  for (const auto& r : regions) {
    for (uint64_t at = r.offset, end = r.offset + r.length; at < end;) {
      const size_t want = static_cast<size_t>(std::min<uint64_t>(end - at, buf.size()));
      ssize_t n = ::pread(fd, buf.data(), want, static_cast<off_t>(at));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw_errno("read " + what);
      // The size is already in the header: a file shrinking under us is fatal.
      if (n == 0) throw RuntimeError("read " + what + ": the file shrank while being archived");
      out.write(buf.data(), static_cast<size_t>(n));
      at += static_cast<uint64_t>(n);
    }
  }
  total += stored;

  // Data padding, the two zero blocks ending the archive, and the rest of the record.
  uint64_t zeros = round_up(total, kBlock) - total + 2 * kBlock;
  zeros += round_up(total + zeros, kRecord) - (total + zeros);
  std::fill(buf.begin(), buf.end(), '\0');
  while (zeros > 0) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(zeros, buf.size()));
    out.write(buf.data(), n);
    zeros -= n;
  }
  out.finish();
}

}  // namespace lk::streams
