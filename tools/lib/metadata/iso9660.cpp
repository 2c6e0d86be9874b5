#include "metadata/iso9660.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <vector>

#include "base/error.h"

namespace lk::metadata {

namespace {

constexpr uint32_t kSector = 2048;
constexpr uint32_t kFirstDescriptor = 16;
constexpr int kMaxDescriptors = 64;
constexpr uint32_t kMaxDirBytes = 1 << 20;  // a metadata disc's folders hold a handful of names
constexpr int kMaxContinuations = 4;        // SUSP CE areas followed for one record

uint32_t le32(std::string_view b, size_t at) {
  auto u = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(b[at + i])); };
  return u(0) | u(1) << 8 | u(2) << 16 | u(3) << 24;
}

std::string trim_id(std::string_view s) {
  size_t end = s.find_last_not_of(std::string_view(" \0", 2));
  return end == std::string_view::npos ? "" : std::string(s.substr(0, end + 1));
}

// ";1" versions go, as Linux's isofs shows names.
std::string_view without_version(std::string_view name) {
  size_t semi = name.rfind(';');
  return semi == std::string_view::npos ? name : name.substr(0, semi);
}

// A plain ISO 9660 name the way Linux shows it without Rock Ridge or Joliet: lower
// case, no version, no trailing dot ("CONFIG.;1" is "config").
std::string plain_name(std::string_view raw) {
  std::string s(without_version(raw));
  if (!s.empty() && s.back() == '.') s.pop_back();
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Joliet names are UCS-2, big-endian.
std::string joliet_name(std::string_view raw) {
  std::string out;
  for (size_t i = 0; i + 1 < raw.size(); i += 2) {
    unsigned c = static_cast<unsigned char>(raw[i]) << 8 | static_cast<unsigned char>(raw[i + 1]);
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xc0 | c >> 6);
      out += static_cast<char>(0x80 | (c & 0x3f));
    } else {
      out += static_cast<char>(0xe0 | c >> 12);
      out += static_cast<char>(0x80 | (c >> 6 & 0x3f));
      out += static_cast<char>(0x80 | (c & 0x3f));
    }
  }
  return std::string(without_version(out));
}

// False when the read fails (errno says why) or the image ends first (errno 0).
bool read_at(int fd, char* buf, size_t len, uint64_t off) {
  while (len > 0) {
    ssize_t n = ::pread(fd, buf, len, static_cast<off_t>(off));
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) errno = 0;
    if (n <= 0) return false;
    buf += n;
    len -= static_cast<size_t>(n);
    off += static_cast<uint64_t>(n);
  }
  return true;
}

}  // namespace

IsoImage::IsoImage(Fd fd, std::string what) : fd_(std::move(fd)), what_(std::move(what)) {
  bool primary = false;
  std::string d(kSector, '\0');
  for (int i = 0; i < kMaxDescriptors; ++i) {
    if (!read_at(fd_.get(), d.data(), kSector, uint64_t{kFirstDescriptor + i} * kSector) ||
        d.compare(1, 5, "CD001") != 0) {
      if (primary) break;
      throw InputError(what_ + ": no ISO 9660 file system");
    }
    unsigned type = static_cast<unsigned char>(d[0]);
    if (type == 255) break;
    std::string_view root(d.data() + 156, 34);
    Extent e{le32(root, 2), le32(root, 10), true};
    if (type == 1 && !primary) {
      primary = true;
      volume_id_ = trim_id(std::string_view(d.data() + 40, 32));
      root_ = e;
    } else if (type == 2 && d[88] == '%' && d[89] == '/' && (d[90] == '@' || d[90] == 'C' || d[90] == 'E')) {
      joliet_ = e;
    }
  }
  if (!primary) throw InputError(what_ + ": no ISO 9660 primary volume");
  // Rock Ridge discs say, in the root's first record, how many bytes of every system
  // use area to skip (SUSP's SP entry, almost always 0).
  std::string first = sectors(root_.lba, std::min(root_.size, kSector));
  if (first.size() >= 34) {
    size_t len = static_cast<unsigned char>(first[0]), name_len = static_cast<unsigned char>(first[32]);
    size_t sua = 33 + name_len + (name_len % 2 == 0 ? 1 : 0);
    if (len <= first.size() && sua + 7 <= len && first.compare(sua, 2, "SP") == 0 &&
        static_cast<unsigned char>(first[sua + 4]) == 0xbe && static_cast<unsigned char>(first[sua + 5]) == 0xef)
      susp_skip_ = static_cast<unsigned char>(first[sua + 6]);
  }
}

std::string IsoImage::sectors(uint32_t lba, uint32_t bytes) const {
  std::string out(bytes, '\0');
  if (!read_at(fd_.get(), out.data(), bytes, uint64_t{lba} * kSector))
    throw RuntimeError(what_ + ": cannot read " + std::to_string(bytes) + " bytes at sector " + std::to_string(lba) +
                       (errno ? std::string(": ") + strerror(errno) : ": the disc ends before"));
  return out;
}

std::string IsoImage::rock_ridge_name(std::string_view sua, int depth) const {
  std::string name;
  size_t off = 0;
  while (off + 4 <= sua.size()) {
    std::string_view sig = sua.substr(off, 2);
    size_t len = static_cast<unsigned char>(sua[off + 2]);
    if (len < 4 || off + len > sua.size()) break;
    if (sig == "NM" && len >= 5) {
      unsigned flags = static_cast<unsigned char>(sua[off + 4]);
      if ((flags & 6) == 0) name += sua.substr(off + 5, len - 5);  // 2 and 4: "." and ".."
    } else if (sig == "CE" && len >= 28 && depth < kMaxContinuations) {
      uint32_t block = le32(sua, off + 4), at = le32(sua, off + 12), n = le32(sua, off + 20);
      if (at < kSector && n <= kSector && at + n <= kSector) {
        std::string area = sectors(block, kSector);
        name += rock_ridge_name(std::string_view(area).substr(at, n), depth + 1);
      }
    } else if (sig == "ST") {
      break;
    }
    off += len;
  }
  return name;
}

std::optional<IsoImage::Extent> IsoImage::lookup(const Extent& dir, std::string_view want, bool joliet) const {
  if (dir.size > kMaxDirBytes) throw RuntimeError(what_ + ": a folder of " + std::to_string(dir.size) + " bytes");
  std::string d = sectors(dir.lba, dir.size);
  size_t pos = 0;
  while (pos < d.size()) {
    size_t len = static_cast<unsigned char>(d[pos]);
    if (len == 0) {  // records never cross a sector: the rest of this one is padding
      pos = (pos / kSector + 1) * kSector;
      continue;
    }
    if (len < 34 || pos + len > d.size() || pos / kSector != (pos + len - 1) / kSector)
      throw RuntimeError(what_ + ": a broken directory record at sector " + std::to_string(dir.lba + pos / kSector));
    std::string_view rec(d.data() + pos, len);
    pos += len;
    size_t name_len = static_cast<unsigned char>(rec[32]);
    if (33 + name_len > len) throw RuntimeError(what_ + ": a directory record's name runs past its end");
    std::string_view raw = rec.substr(33, name_len);
    if (name_len == 1 && (raw[0] == 0 || raw[0] == 1)) continue;  // "." and ".."
    std::string name;
    if (joliet) {
      name = joliet_name(raw);
    } else {
      size_t sua = 33 + name_len + (name_len % 2 == 0 ? 1 : 0) + susp_skip_;
      if (sua < len) name = rock_ridge_name(rec.substr(sua), 0);
      if (name.empty()) name = plain_name(raw);
    }
    if (name != want) continue;
    unsigned flags = static_cast<unsigned char>(rec[25]);
    if (flags & 0x80) throw RuntimeError(what_ + ": " + name + " is a multi-extent file");
    return Extent{le32(rec, 2), le32(rec, 10), (flags & 2) != 0};
  }
  return std::nullopt;
}

std::optional<IsoImage::Extent> IsoImage::find(const Extent& root, std::string_view path, bool joliet) const {
  Extent cur = root;
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view part = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
    if (part.empty()) continue;
    if (!cur.dir) return std::nullopt;
    auto next = lookup(cur, part, joliet);
    if (!next) return std::nullopt;
    cur = *next;
  }
  return cur;
}

std::optional<std::string> IsoImage::read(std::string_view path, size_t max) const {
  auto e = find(root_, path, false);
  if (!e && has_joliet()) e = find(joliet_, path, true);
  if (!e || e->dir) return std::nullopt;
  if (e->size > max)
    throw RuntimeError(what_ + ": " + std::string(path) + " is " + std::to_string(e->size) + " bytes, more than " +
                       std::to_string(max));
  return sectors(e->lba, e->size);
}

std::string iso_volume_id(int fd) {
  std::string d(kSector, '\0');
  if (!read_at(fd, d.data(), kSector, uint64_t{kFirstDescriptor} * kSector)) return "";
  if (d.compare(1, 5, "CD001") != 0 || static_cast<unsigned char>(d[0]) != 1) return "";
  return trim_id(std::string_view(d.data() + 40, 32));
}

}  // namespace lk::metadata
