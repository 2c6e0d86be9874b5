#include "boot/disk_container.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "base/error.h"
#include "base/fs.h"
#include "base/process.h"
#include "base/sha256.h"

namespace lk::boot {

namespace {

constexpr size_t kFooter = 512;
// The VHD epoch is 2000-01-01 00:00:00 UTC.
constexpr int64_t kVhdEpoch = 946684800;

void put_be32(std::string& s, size_t off, uint32_t v) {
  for (int i = 0; i < 4; ++i) s[off + i] = static_cast<char>(v >> (24 - 8 * i));
}

// 32 hex digits of SHA-256(SEED + WHAT): the bytes behind a UUID or a content id.
std::string derived_hex(const std::string& seed, const std::string& what) { return sha256_hex(seed + "\n" + what); }

std::string read_at(int fd, uint64_t off, size_t n, const std::string& what) {
  std::string buf(n, '\0');
  if (::pread(fd, buf.data(), n, static_cast<off_t>(off)) != static_cast<ssize_t>(n)) throw_errno("read " + what);
  return buf;
}

void write_at(int fd, uint64_t off, const std::string& data, const std::string& what) {
  if (::pwrite(fd, data.data(), data.size(), static_cast<off_t>(off)) != static_cast<ssize_t>(data.size()))
    throw_errno("write " + what);
}

// A fixed VHD ends in its footer; a dynamic one also starts with a copy of it.
void stamp_vhd(const std::string& path, bool dynamic, int64_t epoch, const std::string& seed) {
  Fd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd) throw_errno("open " + path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw_errno("stat " + path);
  if (static_cast<uint64_t>(st.st_size) < 2 * kFooter) throw RuntimeError(path + ": too short for a VHD");
  const uint64_t end = static_cast<uint64_t>(st.st_size) - kFooter;
  // The two kinds of one disk are two disks: their UUIDs differ.
  std::string footer =
      stamp_vhd_footer(read_at(fd.get(), end, kFooter, path), epoch, seed + (dynamic ? " dynamic" : " fixed"));
  write_at(fd.get(), end, footer, path);
  if (dynamic) {
    if (read_at(fd.get(), 0, 8, path) != "conectix") throw RuntimeError(path + ": no footer copy at the start");
    write_at(fd.get(), 0, footer, path);
  }
}

uint64_t le64_at(std::string_view s, size_t off) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(s[off + i]);
  return v;
}

// The descriptor is the NUL-padded text in the sectors the sparse header names.
void stamp_vmdk(const std::string& path, const std::string& seed) {
  Fd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd) throw_errno("open " + path);
  const std::string header = read_at(fd.get(), 0, 512, path);
  if (header.compare(0, 4, "KDMV") != 0) throw RuntimeError(path + ": not a sparse VMDK");
  const uint64_t at = le64_at(header, 28), sectors = le64_at(header, 36);
  if (at == 0 || sectors == 0 || sectors > 128) throw RuntimeError(path + ": no embedded descriptor");
  write_at(fd.get(), at * 512, stamp_vmdk_descriptor(read_at(fd.get(), at * 512, sectors * 512, path), seed), path);
}

}  // namespace

DiskFormat parse_disk_format(const std::string& name, const std::string& known) {
  if (name == "vhd") return {DiskContainer::kVhd, true, false};
  if (name == "dynamic-vhd") return {DiskContainer::kDynamicVhd, true, false};
  if (name == "vmdk") return {DiskContainer::kVmdk, true, false};
  const auto dash = name.find('-');
  const std::string container = name.substr(0, dash);
  const std::string firmware = dash == std::string::npos ? "" : name.substr(dash + 1);
  if ((container != "raw" && container != "qcow2") || (firmware != "bios" && firmware != "efi" && firmware != "dual"))
    throw InputError("--format must be " + known + ", not \"" + name + "\"");
  return {container == "raw" ? DiskContainer::kRaw : DiskContainer::kQcow2, firmware != "efi", firmware != "bios"};
}

std::string stamp_vhd_footer(std::string_view in, int64_t epoch, const std::string& seed) {
  if (in.size() != kFooter || in.substr(0, 8) != "conectix") throw RuntimeError("not a VHD footer");
  std::string f(in);
  put_be32(f, 24, static_cast<uint32_t>(epoch > kVhdEpoch ? epoch - kVhdEpoch : 0));
  std::string hex = derived_hex(seed, "vhd uuid");
  for (size_t i = 0; i < 16; ++i) f[68 + i] = static_cast<char>(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
  // RFC 9562 version 8 (custom: derived from the content, not random) and its variant.
  f[68 + 6] = static_cast<char>((f[68 + 6] & 0x0f) | 0x80);
  f[68 + 8] = static_cast<char>((f[68 + 8] & 0x3f) | 0x80);
  put_be32(f, 64, 0);
  uint32_t sum = 0;
  for (unsigned char c : f) sum += c;
  put_be32(f, 64, ~sum);
  return f;
}

std::string stamp_vmdk_descriptor(std::string_view region, const std::string& seed) {
  const std::string_view text = region.substr(0, region.find('\0'));
  const std::string key = "\nCID=";
  const auto at = text.find(key);
  if (at == std::string_view::npos) throw RuntimeError("no CID in the VMDK descriptor");
  // qemu prints the CID without leading zeros: its width varies, ours is always 8.
  const auto end = text.find_first_not_of("0123456789abcdef", at + key.size());
  if (end == std::string_view::npos || text[end] != '\n') throw RuntimeError("no CID in the VMDK descriptor");
  std::string out = std::string(text.substr(0, at + key.size())) + derived_hex(seed, "vmdk cid").substr(0, 8) +
                    std::string(text.substr(end));
  if (out.size() >= region.size()) throw RuntimeError("the VMDK descriptor does not fit its sectors");
  out.resize(region.size(), '\0');
  return out;
}

void convert_disk(const std::string& raw, DiskContainer container, const std::string& path, const std::string& workdir,
                  int64_t epoch, const std::string& seed) {
  if (find_program("qemu-img").empty()) throw RuntimeError("qemu-img not found: install Debian's qemu-utils");
  switch (container) {
    case DiskContainer::kRaw: throw RuntimeError("convert_disk: a raw disk needs no conversion");
    case DiskContainer::kQcow2:
      run_checked({"qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2", raw, path});
      return;
    case DiskContainer::kVhd:
    case DiskContainer::kDynamicVhd: {
      // force_size keeps the size exact: Azure wants whole MiB, not qemu's CHS rounding.
      bool dynamic = container == DiskContainer::kDynamicVhd;
      run_checked({"qemu-img", "convert", "-q", "-f", "raw", "-O", "vpc", "-o",
                   std::string("subformat=") + (dynamic ? "dynamic" : "fixed") + ",force_size", raw, path});
      stamp_vhd(path, dynamic, epoch, seed);
      return;
    }
    case DiskContainer::kVmdk: {
      // The descriptor names the file it was written as: always disk.vmdk, as LinuxKit's.
      const std::string made = workdir + "/disk.vmdk";
      run_checked({"qemu-img", "convert", "-q", "-f", "raw", "-O", "vmdk", "-o",
                   "adapter_type=lsilogic,subformat=streamOptimized,compat6", raw, made});
      stamp_vmdk(made, seed);
      Fd from(::open(made.c_str(), O_RDONLY | O_CLOEXEC));
      Fd to(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
      if (!from || !to) throw_errno("copy " + made + " to " + path);
      copy_sparse(from.get(), to.get(), made);
      return;
    }
  }
}

}  // namespace lk::boot
