#include "boot/partition_table.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>

#include "base/error.h"
#include "base/sha256.h"

namespace lk::boot {

namespace {

constexpr size_t kBootCodeMax = 440;
constexpr size_t kMbrEntries = 446;
constexpr uint64_t kEntryCount = 128;
constexpr uint64_t kEntrySize = 128;
constexpr uint64_t kEntrySectors = kEntryCount * kEntrySize / kSectorSize;  // 32
constexpr uint32_t kHeaderSize = 92;
constexpr size_t kNameMax = 36;
// The geometry every partitioner since the 1990s assumes, and the last cylinder CHS reaches.
constexpr uint64_t kHeads = 255, kSectorsPerTrack = 63, kMaxCylinder = 1023;

// On disk the first three GUID groups are little-endian and the last two are plain
// bytes: disk byte I is text byte kSwap[I]. The permutation is its own inverse.
constexpr std::array<size_t, 16> kSwap = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Little-endian, byte by byte, so the layout does not depend on the host.
template <typename T>
void put_le(std::string& buf, size_t at, T v) {
  for (size_t i = 0; i < sizeof(T); ++i) buf[at + i] = static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff);
}

void put_guid(std::string& buf, size_t at, const Guid& g) {
  std::copy(g.begin(), g.end(), buf.begin() + static_cast<std::ptrdiff_t>(at));
}

uint32_t crc(std::string_view data) {
  return static_cast<uint32_t>(::crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

void pwrite_all(int fd, std::string_view data, uint64_t offset, const std::string& what) {
  while (!data.empty()) {
    ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("write " + what);
    if (n == 0) throw RuntimeError("write " + what + ": no progress");
    data.remove_prefix(static_cast<size_t>(n));
    offset += static_cast<uint64_t>(n);
  }
}

// CHS fields are what fdisk writes, so the images look like any partitioner's and old
// BIOSes that sanity-check the table accept them; LBA-aware loaders (syslinux's mbr.bin)
// ignore them. Past cylinder 1023, 1023/254/63 (fe ff ff) says "use the LBA fields".
std::array<uint8_t, 3> chs(uint64_t lba) {
  uint64_t c = lba / (kHeads * kSectorsPerTrack);
  if (c > kMaxCylinder) return {0xfe, 0xff, 0xff};
  uint64_t h = lba / kSectorsPerTrack % kHeads, s = lba % kSectorsPerTrack + 1;
  return {static_cast<uint8_t>(h), static_cast<uint8_t>(s | ((c >> 2) & 0xc0)), static_cast<uint8_t>(c & 0xff)};
}

std::string mbr_sector(std::string_view boot_code, uint32_t disk_signature, const std::vector<MbrPartition>& parts) {
  if (boot_code.size() > kBootCodeMax)
    throw InputError("MBR boot code is " + std::to_string(boot_code.size()) + " bytes; at most " +
                     std::to_string(kBootCodeMax) + " fit");
  if (parts.size() > 4) throw InputError("an MBR holds at most 4 partitions, not " + std::to_string(parts.size()));
  for (size_t i = 0; i < parts.size(); ++i) {
    const MbrPartition& p = parts[i];
    const std::string which = "MBR partition " + std::to_string(i + 1);
    if (p.type == 0) throw InputError(which + " has type 0, which marks an unused entry");
    if (p.first_lba == 0 || p.sectors == 0) throw InputError(which + " must start after sector 0 and not be empty");
    if (p.first_lba > UINT32_MAX || p.sectors > UINT32_MAX)
      throw InputError(which + " does not fit the 32-bit LBA fields (start " + std::to_string(p.first_lba) + ", " +
                       std::to_string(p.sectors) + " sectors)");
  }
  std::vector<MbrPartition> sorted = parts;
  std::sort(sorted.begin(), sorted.end(), [](auto& a, auto& b) { return a.first_lba < b.first_lba; });
  for (size_t i = 1; i < sorted.size(); ++i)
    if (sorted[i - 1].first_lba + sorted[i - 1].sectors > sorted[i].first_lba)
      throw InputError("MBR partitions at sectors " + std::to_string(sorted[i - 1].first_lba) + " and " +
                       std::to_string(sorted[i].first_lba) + " overlap");

  std::string s(kSectorSize, '\0');
  s.replace(0, boot_code.size(), boot_code);
  put_le<uint32_t>(s, kBootCodeMax, disk_signature);  // bytes 444-445 stay 0: not copy-protected
  for (size_t i = 0; i < parts.size(); ++i) {
    const MbrPartition& p = parts[i];
    const size_t e = kMbrEntries + 16 * i;
    auto start = chs(p.first_lba), end = chs(p.first_lba + p.sectors - 1);
    s[e] = static_cast<char>(p.bootable ? 0x80 : 0x00);
    std::copy(start.begin(), start.end(), s.begin() + static_cast<std::ptrdiff_t>(e + 1));
    s[e + 4] = static_cast<char>(p.type);
    std::copy(end.begin(), end.end(), s.begin() + static_cast<std::ptrdiff_t>(e + 5));
    put_le<uint32_t>(s, e + 8, static_cast<uint32_t>(p.first_lba));
    put_le<uint32_t>(s, e + 12, static_cast<uint32_t>(p.sectors));
  }
  s[510] = '\x55';
  s[511] = '\xaa';
  return s;
}

void check_gpt_partitions(const std::vector<GptPartition>& parts, uint64_t first_usable, uint64_t last_usable) {
  if (parts.size() > kEntryCount)
    throw InputError("a GPT holds at most " + std::to_string(kEntryCount) + " partitions, not " +
                     std::to_string(parts.size()));
  for (size_t i = 0; i < parts.size(); ++i) {
    const GptPartition& p = parts[i];
    const std::string which = "GPT partition " + std::to_string(i + 1) + " (" + p.name + ")";
    if (p.type == Guid{}) throw InputError(which + " has the zero type GUID, which marks an unused entry");
    if (p.first_lba > p.last_lba || p.first_lba < first_usable || p.last_lba > last_usable)
      throw InputError(which + ": sectors " + std::to_string(p.first_lba) + ".." + std::to_string(p.last_lba) +
                       " are not within the usable " + std::to_string(first_usable) + ".." +
                       std::to_string(last_usable));
    if (p.name.size() > kNameMax) throw InputError(which + ": the name is longer than 36 characters");
    for (char c : p.name)
      if (c < 0x20 || c > 0x7e) throw InputError(which + ": the name must be printable ASCII");
  }
  std::vector<GptPartition> sorted = parts;
  std::sort(sorted.begin(), sorted.end(), [](auto& a, auto& b) { return a.first_lba < b.first_lba; });
  for (size_t i = 1; i < sorted.size(); ++i)
    if (sorted[i - 1].last_lba >= sorted[i].first_lba)
      throw InputError("GPT partitions " + sorted[i - 1].name + " and " + sorted[i].name + " overlap (sectors " +
                       std::to_string(sorted[i - 1].first_lba) + ".." + std::to_string(sorted[i - 1].last_lba) +
                       " and " + std::to_string(sorted[i].first_lba) + ".." + std::to_string(sorted[i].last_lba) + ")");
}

}  // namespace

Guid guid_from_seed(std::string_view seed) {
  const std::string hex = sha256_hex(seed);
  Guid g;
  for (size_t i = 0; i < g.size(); ++i)
    g[i] = static_cast<uint8_t>(hex_value(hex[2 * i]) << 4 | hex_value(hex[2 * i + 1]));
  // The version is the top nibble of the third group, which is little-endian on disk.
  g[7] = static_cast<uint8_t>((g[7] & 0x0f) | 0x40);
  g[8] = static_cast<uint8_t>((g[8] & 0x3f) | 0x80);
  return g;
}

Guid parse_guid(std::string_view text) {
  Guid t{};
  bool ok = text.size() == 36;
  for (size_t i = 0, b = 0; ok && i < text.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      ok = text[i++] == '-';
      continue;
    }
    int hi = hex_value(text[i]), lo = hex_value(text[i + 1]);
    ok = hi >= 0 && lo >= 0;
    t[b++] = static_cast<uint8_t>(hi << 4 | lo);
    i += 2;
  }
  if (!ok) throw InputError("malformed GUID \"" + std::string(text) + "\" (want XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX)");
  Guid g;
  for (size_t i = 0; i < g.size(); ++i) g[i] = t[kSwap[i]];
  return g;
}

std::string format_guid(const Guid& g) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < g.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    uint8_t b = g[kSwap[i]];
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

void write_mbr(int fd, std::string_view boot_code, uint32_t disk_signature, const std::vector<MbrPartition>& parts) {
  pwrite_all(fd, mbr_sector(boot_code, disk_signature, parts), 0, "the MBR");
}

void write_gpt(int fd, uint64_t disk_sectors, const Guid& disk_guid, const std::vector<GptPartition>& parts,
               std::string_view boot_code) {
  const uint64_t first_usable = 2 + kEntrySectors;  // after the MBR, the header and the entries
  if (disk_sectors < 2 * first_usable)
    throw InputError("a GPT disk needs more than " + std::to_string(disk_sectors) + " sectors");
  const uint64_t last_lba = disk_sectors - 1;
  const uint64_t backup_entries = last_lba - kEntrySectors;
  const uint64_t last_usable = backup_entries - 1;
  // The backup header must be the last sector; firmware and Linux look for it there.
  struct stat st;
  if (::fstat(fd, &st) != 0) throw_errno("stat the disk image");
  if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) != disk_sectors * kSectorSize)
    throw InputError("the disk image is " + std::to_string(st.st_size) + " bytes, not the " +
                     std::to_string(disk_sectors * kSectorSize) + " the GPT is written for");
  check_gpt_partitions(parts, first_usable, last_usable);

  std::string entries(kEntryCount * kEntrySize, '\0');
  for (size_t i = 0; i < parts.size(); ++i) {
    const GptPartition& p = parts[i];
    const size_t e = i * kEntrySize;
    put_guid(entries, e, p.type);
    put_guid(entries, e + 16, p.unique);
    put_le<uint64_t>(entries, e + 32, p.first_lba);
    put_le<uint64_t>(entries, e + 40, p.last_lba);
    put_le<uint64_t>(entries, e + 48, p.attributes);
    for (size_t c = 0; c < p.name.size(); ++c) entries[e + 56 + 2 * c] = p.name[c];  // UTF-16LE of ASCII
  }
  const uint32_t entries_crc = crc(entries);

  auto header = [&](uint64_t my_lba, uint64_t alternate_lba, uint64_t entries_lba) {
    std::string h(kSectorSize, '\0');
    h.replace(0, 8, "EFI PART");
    put_le<uint32_t>(h, 8, 0x00010000);  // revision 1.0
    put_le<uint32_t>(h, 12, kHeaderSize);
    put_le<uint64_t>(h, 24, my_lba);
    put_le<uint64_t>(h, 32, alternate_lba);
    put_le<uint64_t>(h, 40, first_usable);
    put_le<uint64_t>(h, 48, last_usable);
    put_guid(h, 56, disk_guid);
    put_le<uint64_t>(h, 72, entries_lba);
    put_le<uint32_t>(h, 80, static_cast<uint32_t>(kEntryCount));
    put_le<uint32_t>(h, 84, static_cast<uint32_t>(kEntrySize));
    put_le<uint32_t>(h, 88, entries_crc);
    put_le<uint32_t>(h, 16, crc(std::string_view(h).substr(0, kHeaderSize)));  // over the field zeroed
    return h;
  };

  // The protective MBR covers the whole disk (as far as 32 bits reach) so MBR-only tools
  // see it as in use. UEFI wants no disk signature, and an end CHS it cannot express as ff ff ff.
  MbrPartition protective;
  protective.first_lba = 1;
  protective.sectors = std::min<uint64_t>(last_lba, UINT32_MAX);
  protective.type = 0xee;
  std::string mbr = mbr_sector(boot_code, 0, {protective});
  if (last_lba / (kHeads * kSectorsPerTrack) > kMaxCylinder) mbr.replace(kMbrEntries + 5, 3, "\xff\xff\xff");

  pwrite_all(fd, entries, backup_entries * kSectorSize, "the backup GPT entries");
  pwrite_all(fd, header(last_lba, 1, backup_entries), last_lba * kSectorSize, "the backup GPT header");
  pwrite_all(fd, entries, 2 * kSectorSize, "the GPT entries");
  pwrite_all(fd, header(1, last_lba, 2), kSectorSize, "the GPT header");
  pwrite_all(fd, mbr, 0, "the protective MBR");
}

}  // namespace lk::boot
