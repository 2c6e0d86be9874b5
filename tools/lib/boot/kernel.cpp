#include "boot/kernel.h"

#include <archive.h>
#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "base/error.h"
#include "base/fs.h"
#include "base/sha256.h"
#include "streams/archive_handle.h"

namespace lk::boot {

namespace {
constexpr uint32_t kXenNotePhys32Entry = 18;

template <typename T>
bool read_at(const std::string& data, size_t off, T& out) {
  if (off > data.size() || data.size() - off < sizeof(T)) return false;
  std::memcpy(&out, data.data() + off, sizeof(T));
  return true;
}
}  // namespace

bool is_elf(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  char magic[4] = {};
  return fd && ::read(fd.get(), magic, 4) == 4 && std::memcmp(magic, ELFMAG, SELFMAG) == 0;
}

bool elf_has_pvh_entry(const std::string& path) {
  std::string elf = read_file(path);
  Elf64_Ehdr eh;
  if (!read_at(elf, 0, eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64)
    return false;
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    if (!read_at(elf, eh.e_phoff + size_t{i} * eh.e_phentsize, ph) || ph.p_type != PT_NOTE) continue;
    for (size_t off = ph.p_offset; off + sizeof(Elf64_Nhdr) <= ph.p_offset + ph.p_filesz;) {
      Elf64_Nhdr nh;
      if (!read_at(elf, off, nh)) break;
      size_t name_off = off + sizeof nh;
      size_t desc_off = name_off + ((nh.n_namesz + 3) & ~3u);
      if (nh.n_type == kXenNotePhys32Entry && nh.n_namesz == 4 && elf.compare(name_off, 3, "Xen") == 0) return true;
      off = desc_off + ((nh.n_descsz + 3) & ~3u);
    }
  }
  return false;
}

void extract_vmlinux(const std::string& bzimage, const std::string& out_path) {
  std::string img = read_file(bzimage);
  // x86 boot protocol: "HdrS" at 0x202; the payload sits after the real-mode setup
  // sectors, at payload_offset (0x248) for payload_length (0x24c) bytes.
  uint32_t magic = 0, payload_offset = 0, payload_length = 0;
  uint8_t setup_sects = 0;
  if (!read_at(img, 0x202, magic) || magic != 0x53726448 || !read_at(img, 0x1f1, setup_sects) ||
      !read_at(img, 0x248, payload_offset) || !read_at(img, 0x24c, payload_length))
    throw InputError(bzimage + ": not a bzImage (no HdrS boot header)");
  size_t start = (size_t{setup_sects ? setup_sects : 4u} + 1) * 512 + payload_offset;
  if (start >= img.size() || payload_length > img.size() - start)
    throw InputError(bzimage + ": payload outside the file");

  // The build appends the decompressed size after the compressed stream; decoders
  // stop with an error on those 4 bytes, so read exactly that many bytes and stop.
  uint32_t expected = 0;
  read_at(img, start + payload_length - 4, expected);
  if (expected == 0) throw InputError(bzimage + ": no decompressed size after the payload");

  streams::ArchiveRead a = streams::new_archive_read();
  archive_read_support_filter_all(a.get());
  archive_read_support_format_raw(a.get());
  if (archive_read_open_memory(a.get(), img.data() + start, payload_length - 4) != ARCHIVE_OK)
    throw InputError(bzimage + ": cannot read the kernel payload: " + archive_error_string(a.get()));
  archive_entry* entry = nullptr;
  if (archive_read_next_header(a.get(), &entry) != ARCHIVE_OK)
    throw InputError(bzimage + ": cannot decompress the kernel payload: " + archive_error_string(a.get()));
  AtomicFile out(out_path, 0644);
  char buf[1 << 16];
  bool first = true;
  for (size_t total = 0; total < expected;) {
    la_ssize_t n = archive_read_data(a.get(), buf, std::min(sizeof buf, size_t{expected} - total));
    if (n == 0) throw InputError(bzimage + ": kernel payload shorter than its recorded size");
    if (n < 0) throw InputError(bzimage + ": corrupt kernel payload: " + archive_error_string(a.get()));
    total += static_cast<size_t>(n);
    if (first && (n < 4 || std::memcmp(buf, ELFMAG, SELFMAG) != 0))
      throw InputError(bzimage + ": the decompressed payload is not an ELF kernel");
    first = false;
    out.write(std::string_view(buf, static_cast<size_t>(n)));
  }
  out.commit();
}

std::string pvh_kernel(const std::string& kernel, const std::string& cache_dir) {
  if (is_elf(kernel)) return elf_has_pvh_entry(kernel) ? kernel : "";
  std::string cached = cache_dir + "/" + sha256_hex(read_file(kernel)) + ".vmlinux";
  struct stat st {};
  if (::stat(cached.c_str(), &st) != 0) {
    ::mkdir(cache_dir.c_str(), 0755);
    try {
      extract_vmlinux(kernel, cached);
    } catch (const InputError&) {
      return "";  // not a bzImage we can unpack: boot it as it is
    }
  }
  return elf_has_pvh_entry(cached) ? cached : "";
}

}  // namespace lk::boot
