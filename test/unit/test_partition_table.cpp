#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "base/error.h"
#include "base/fs.h"
#include "boot/partition_table.h"

namespace {

constexpr uint64_t kDiskBytes = 64 << 20;
constexpr uint64_t kDiskSectors = kDiskBytes / 512;

std::string tmp_parent() {
  const char* t = std::getenv("TMPDIR");
  return t && *t ? t : "/tmp";
}

// A sparse file of SIZE bytes in DIR, opened read-write.
lk::Fd sparse_disk(const std::string& path, uint64_t size) {
  lk::Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  REQUIRE(fd);
  REQUIRE(::ftruncate(fd.get(), static_cast<off_t>(size)) == 0);
  return fd;
}

std::string read_at(int fd, uint64_t offset, size_t len) {
  std::string buf(len, '\0');
  REQUIRE(::pread(fd, buf.data(), len, static_cast<off_t>(offset)) == static_cast<ssize_t>(len));
  return buf;
}

uint64_t le(const std::string& buf, size_t at, size_t bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(buf[at + i])) << (8 * i);
  return v;
}

uint32_t crc(std::string_view data) {
  return static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

// Stdout and stderr of a shell command, or "" with a note when PROGRAM is not installed:
// the external tools are a second opinion, not a requirement.
std::string run_tool(const std::string& program, const std::string& args) {
  if (std::system(("command -v " + program + " >/dev/null 2>&1").c_str()) != 0) {
    MESSAGE(program << " not installed; skipping its check");
    return "";
  }
  std::string out;
  FILE* p = ::popen((program + " " + args + " 2>&1").c_str(), "r");
  REQUIRE(p);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Checks the GPT header in sector MY_LBA and returns it.
std::string check_header(int fd, uint64_t my_lba, uint64_t alternate_lba, uint64_t entries_lba,
                         const std::string& entries) {
  std::string h = read_at(fd, my_lba * 512, 512);
  CHECK(h.substr(0, 8) == "EFI PART");
  CHECK(le(h, 8, 4) == 0x00010000);
  CHECK(le(h, 12, 4) == 92);
  std::string zeroed = h.substr(0, 92);
  zeroed.replace(16, 4, 4, '\0');
  CHECK(le(h, 16, 4) == crc(zeroed));
  CHECK(le(h, 20, 4) == 0);
  CHECK(le(h, 24, 8) == my_lba);
  CHECK(le(h, 32, 8) == alternate_lba);
  CHECK(le(h, 40, 8) == 34);
  CHECK(le(h, 48, 8) == kDiskSectors - 34);
  CHECK(le(h, 72, 8) == entries_lba);
  CHECK(le(h, 80, 4) == 128);
  CHECK(le(h, 84, 4) == 128);
  CHECK(le(h, 88, 4) == crc(entries));
  CHECK(h.substr(92) == std::string(512 - 92, '\0'));
  return h;
}

}  // namespace

TEST_CASE("GUIDs parse to the mixed-endian disk order and format back") {
  lk::boot::Guid esp = lk::boot::parse_guid(lk::boot::kEspTypeGuid);
  const lk::boot::Guid want = {0x28, 0x73, 0x2A, 0xC1, 0x1F, 0xF8, 0xD2, 0x11,
                               0xBA, 0x4B, 0x00, 0xA0, 0xC9, 0x3E, 0xC9, 0x3B};
  CHECK(esp == want);
  CHECK(lk::boot::format_guid(esp) == lk::boot::kEspTypeGuid);
  CHECK(lk::boot::format_guid(lk::boot::parse_guid("0fc63daf-8483-4772-8e79-3d69d8477de4")) ==
        lk::boot::kLinuxDataTypeGuid);
  CHECK_THROWS_AS(lk::boot::parse_guid(""), lk::InputError);
  CHECK_THROWS_AS(lk::boot::parse_guid("C12A7328F81F-11D2-BA4B-00A0C93EC93B0"), lk::InputError);
  CHECK_THROWS_AS(lk::boot::parse_guid("C12A7328-F81F-11D2-BA4B-00A0C93EC93G"), lk::InputError);
  CHECK_THROWS_AS(lk::boot::parse_guid("C12A7328-F81F-11D2-BA4B-00A0C93EC93"), lk::InputError);
}

TEST_CASE("seeded GUIDs are deterministic version-4 GUIDs") {
  lk::boot::Guid a = lk::boot::guid_from_seed("sha256:abc/disk");
  CHECK(a == lk::boot::guid_from_seed("sha256:abc/disk"));
  CHECK(a != lk::boot::guid_from_seed("sha256:abc/esp"));
  for (const char* seed : {"", "x", "sha256:abc/disk", "sha256:abc/esp"}) {
    std::string text = lk::boot::format_guid(lk::boot::guid_from_seed(seed));
    CHECK(text[14] == '4');
    CHECK(std::string("89AB").find(text[19]) != std::string::npos);
    CHECK(lk::boot::parse_guid(text) == lk::boot::guid_from_seed(seed));
  }
}

TEST_CASE("an MBR with one active FAT32 partition") {
  lk::TempDir dir(tmp_parent(), "lk-pt-test");
  const std::string path = dir.path() + "/disk.raw";
  lk::Fd fd = sparse_disk(path, kDiskBytes);
  const std::string boot(440, '\x90');
  lk::boot::MbrPartition p;
  p.first_lba = 2048;
  p.sectors = kDiskSectors - 2048;
  p.type = 0x0c;
  p.bootable = true;
  lk::boot::write_mbr(fd.get(), boot, 0x12345678, {p});

  std::string s = read_at(fd.get(), 0, 512);
  CHECK(s.substr(0, 440) == boot);
  CHECK(le(s, 440, 4) == 0x12345678);
  CHECK(le(s, 444, 2) == 0);
  CHECK(static_cast<uint8_t>(s[446]) == 0x80);
  CHECK(s.substr(447, 3) == std::string("\x20\x21\x00", 3));  // CHS 0/32/33 of LBA 2048
  CHECK(static_cast<uint8_t>(s[450]) == 0x0c);
  CHECK(s.substr(451, 3) == std::string("\x28\x20\x08", 3));  // CHS 8/40/32 of LBA 131071
  CHECK(le(s, 454, 4) == 2048);
  CHECK(le(s, 458, 4) == kDiskSectors - 2048);
  CHECK(s.substr(462, 48) == std::string(48, '\0'));
  CHECK(static_cast<uint8_t>(s[510]) == 0x55);
  CHECK(static_cast<uint8_t>(s[511]) == 0xaa);
  CHECK(::lseek(fd.get(), 0, SEEK_END) == static_cast<off_t>(kDiskBytes));

  std::string out = run_tool("file", "-b '" + path + "'");
  if (!out.empty()) {
    CHECK(contains(out, "DOS/MBR boot sector"));
    CHECK(contains(out, "partition 1 : ID=0xc, active"));
    CHECK(contains(out, "startsector 2048, 129024 sectors"));
  }
  out = run_tool("partx", "-r -g -o NR,START,END,TYPE,UUID,FLAGS '" + path + "'");
  if (!out.empty()) CHECK(out == "1 2048 131071 0xc 12345678-01 0x80\n");

  // Shorter boot code leaves zeros up to the signature; the sector is rewritten whole.
  lk::boot::write_mbr(fd.get(), "ab", 0, {p});
  s = read_at(fd.get(), 0, 512);
  CHECK(s.substr(0, 2) == "ab");
  CHECK(s.substr(2, 442) == std::string(442, '\0'));
}

TEST_CASE("a GPT with one EFI System Partition, primary and backup") {
  lk::TempDir dir(tmp_parent(), "lk-pt-test");
  const std::string path = dir.path() + "/disk.raw";
  lk::Fd fd = sparse_disk(path, kDiskBytes);
  lk::boot::GptPartition esp;
  esp.first_lba = 2048;
  esp.last_lba = kDiskSectors - 2048 - 1;
  esp.type = lk::boot::parse_guid(lk::boot::kEspTypeGuid);
  esp.unique = lk::boot::guid_from_seed("test/esp");
  esp.attributes = 1;
  esp.name = "EFI System";
  const lk::boot::Guid disk_guid = lk::boot::guid_from_seed("test/disk");
  lk::boot::write_gpt(fd.get(), kDiskSectors, disk_guid, {esp}, "boot");

  // Protective MBR: one 0xEE entry over the whole disk, no signature.
  std::string mbr = read_at(fd.get(), 0, 512);
  CHECK(mbr.substr(0, 4) == "boot");
  CHECK(le(mbr, 440, 4) == 0);
  CHECK(static_cast<uint8_t>(mbr[446]) == 0);
  CHECK(mbr.substr(447, 3) == std::string("\x00\x02\x00", 3));
  CHECK(static_cast<uint8_t>(mbr[450]) == 0xee);
  CHECK(le(mbr, 454, 4) == 1);
  CHECK(le(mbr, 458, 4) == kDiskSectors - 1);
  CHECK(mbr.substr(462, 48) == std::string(48, '\0'));
  CHECK(le(mbr, 510, 2) == 0xaa55);

  const std::string entries = read_at(fd.get(), 2 * 512, 128 * 128);
  CHECK(read_at(fd.get(), (kDiskSectors - 33) * 512, 128 * 128) == entries);
  CHECK(entries.substr(0, 16) == std::string(esp.type.begin(), esp.type.end()));
  CHECK(entries.substr(16, 16) == std::string(esp.unique.begin(), esp.unique.end()));
  CHECK(le(entries, 32, 8) == 2048);
  CHECK(le(entries, 40, 8) == kDiskSectors - 2049);
  CHECK(le(entries, 48, 8) == 1);
  CHECK(entries.substr(56, 22) == std::string("E\0F\0I\0 \0S\0y\0s\0t\0e\0m\0\0\0", 22));
  CHECK(entries.substr(128) == std::string(127 * 128, '\0'));

  std::string primary = check_header(fd.get(), 1, kDiskSectors - 1, 2, entries);
  std::string backup = check_header(fd.get(), kDiskSectors - 1, 1, kDiskSectors - 33, entries);
  CHECK(primary.substr(56, 16) == std::string(disk_guid.begin(), disk_guid.end()));
  CHECK(backup.substr(56, 16) == primary.substr(56, 16));
  CHECK(::lseek(fd.get(), 0, SEEK_END) == static_cast<off_t>(kDiskBytes));

  std::string out = run_tool("file", "-b '" + path + "'");
  if (!out.empty()) CHECK(contains(out, "partition 1 : ID=0xee"));
  // libblkid checks both CRCs (a corrupt table lists nothing), so this output means valid.
  const std::string uuid_lower = [&] {
    std::string u = lk::boot::format_guid(esp.unique);
    for (char& c : u) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return u;
  }();
  const std::string partx_args = "-r -g -o NR,START,END,TYPE,UUID,NAME,FLAGS '" + path + "'";
  const std::string partx_want =
      "1 2048 129023 c12a7328-f81f-11d2-ba4b-00a0c93ec93b " + uuid_lower + " EFI\\x20System 0x1\n";
  out = run_tool("partx", partx_args);
  if (!out.empty()) {
    CHECK(out == partx_want);
    // With the primary header wiped, the backup alone must still describe the disk.
    CHECK(::pwrite(fd.get(), std::string(512, '\0').data(), 512, 512) == 512);
    out = run_tool("partx", partx_args);
    CHECK(out == partx_want);
  }
}

TEST_CASE("the same inputs give the same bytes") {
  lk::TempDir dir(tmp_parent(), "lk-pt-test");
  lk::boot::GptPartition p;
  p.first_lba = 34;
  p.last_lba = kDiskSectors - 34;
  p.type = lk::boot::parse_guid(lk::boot::kLinuxDataTypeGuid);
  p.unique = lk::boot::guid_from_seed("u");
  std::string images[2];
  for (std::string& image : images) {
    lk::Fd fd = sparse_disk(dir.path() + "/disk.raw", kDiskBytes);
    lk::boot::write_gpt(fd.get(), kDiskSectors, lk::boot::guid_from_seed("d"), {p});
    image = read_at(fd.get(), 0, 34 * 512) + read_at(fd.get(), (kDiskSectors - 33) * 512, 33 * 512);
  }
  CHECK(images[0] == images[1]);
}

TEST_CASE("bad partition tables are refused") {
  lk::TempDir dir(tmp_parent(), "lk-pt-test");
  lk::Fd fd = sparse_disk(dir.path() + "/disk.raw", kDiskBytes);
  lk::boot::GptPartition a;
  a.first_lba = 2048;
  a.last_lba = 4095;
  a.type = lk::boot::parse_guid(lk::boot::kLinuxDataTypeGuid);
  a.name = "a";
  lk::boot::GptPartition b = a;
  b.name = "b";
  b.first_lba = 4095;
  b.last_lba = 8191;
  const lk::boot::Guid g = lk::boot::guid_from_seed("d");
  CHECK_THROWS_AS(lk::boot::write_gpt(fd.get(), kDiskSectors, g, {a, b}), lk::InputError);
  b.first_lba = 4096;
  CHECK_NOTHROW(lk::boot::write_gpt(fd.get(), kDiskSectors, g, {b, a}));

  lk::boot::GptPartition c = a;
  c.last_lba = kDiskSectors - 33;  // into the backup entries
  CHECK_THROWS_AS(lk::boot::write_gpt(fd.get(), kDiskSectors, g, {c}), lk::InputError);
  c.first_lba = 33;  // into the primary entries
  c.last_lba = 4095;
  CHECK_THROWS_AS(lk::boot::write_gpt(fd.get(), kDiskSectors, g, {c}), lk::InputError);
  c = a;
  c.first_lba = c.last_lba + 1;
  CHECK_THROWS_AS(lk::boot::write_gpt(fd.get(), kDiskSectors, g, {c}), lk::InputError);
  c = a;
  c.name = std::string(37, 'n');
  CHECK_THROWS_AS(lk::boot::write_gpt(fd.get(), kDiskSectors, g, {c}), lk::InputError);
  c = a;
  c.type = lk::boot::Guid{};
  CHECK_THROWS_AS(lk::boot::write_gpt(fd.get(), kDiskSectors, g, {c}), lk::InputError);
  // A disk size other than the file's would put the backup header short of the end.
  CHECK_THROWS_AS(lk::boot::write_gpt(fd.get(), kDiskSectors * 2, g, {a}), lk::InputError);
  CHECK_THROWS_AS(lk::boot::write_gpt(fd.get(), kDiskSectors, g, {a}, std::string(441, 'x')), lk::InputError);

  lk::boot::MbrPartition m;
  m.first_lba = 2048;
  m.sectors = 2048;
  lk::boot::MbrPartition n = m;
  n.first_lba = 4095;
  CHECK_THROWS_AS(lk::boot::write_mbr(fd.get(), "", 0, {m, n}), lk::InputError);
  n.first_lba = 4096;
  CHECK_NOTHROW(lk::boot::write_mbr(fd.get(), "", 0, {m, n}));
  CHECK_THROWS_AS(lk::boot::write_mbr(fd.get(), std::string(441, 'x'), 0, {m}), lk::InputError);
  lk::boot::MbrPartition big = m;
  big.sectors = 1ull << 32;
  CHECK_THROWS_AS(lk::boot::write_mbr(fd.get(), "", 0, {big}), lk::InputError);
  big = m;
  big.first_lba = 0;
  CHECK_THROWS_AS(lk::boot::write_mbr(fd.get(), "", 0, {big}), lk::InputError);
  CHECK_THROWS_AS(lk::boot::write_mbr(fd.get(), "", 0, {m, m, m, m, m}), lk::InputError);
}
