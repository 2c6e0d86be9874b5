#include "boot/initrd.h"

#include <sys/stat.h>
#include <unistd.h>

#include <unordered_map>
#include <unordered_set>

#include "base/error.h"
#include "base/path_norm.h"
#include "streams/cpio_writer.h"

namespace lk::boot {

namespace {

constexpr const char* kWhere = "rootfs tar";
// LinuxKit numbers inodes from 721; keeping its start keeps its cpio's look.
constexpr uint32_t kFirstInode = 721;

void rewind(int fd) {
  if (::lseek(fd, 0, SEEK_SET) != 0) throw_errno("rootfs tar: seek");
}

uint32_t type_bits(streams::TarEntry::Type t) {
  switch (t) {
    case streams::TarEntry::kDir: return S_IFDIR;
    case streams::TarEntry::kSymlink: return S_IFLNK;
    case streams::TarEntry::kChar: return S_IFCHR;
    case streams::TarEntry::kBlock: return S_IFBLK;
    case streams::TarEntry::kFifo: return S_IFIFO;
    default: return S_IFREG;
  }
}

uint32_t id32(uint64_t v, const std::string& path) {
  if (v > 0xffffffffull)
    throw RuntimeError(kWhere + std::string(": \"") + path + "\": uid/gid " + std::to_string(v) + " does not fit cpio");
  return static_cast<uint32_t>(v);
}

bool under_boot(const std::string& p) { return p == "boot" || p.rfind("boot/", 0) == 0; }

// How many names each hard-linked file will have: target -> 1 + links to it.
std::unordered_map<std::string, uint32_t> link_groups(int fd) {
  std::unordered_map<std::string, uint32_t> groups;
  rewind(fd);
  streams::TarReader r = streams::TarReader::open_stream(fd, kWhere);
  while (r.next()) {
    streams::TarEntry h = r.header();
    if (h.type != streams::TarEntry::kHardlink) continue;
    std::string target = clean_member_path(h.linkname, kWhere);
    auto [it, fresh] = groups.emplace(target, 2);
    if (!fresh) ++it->second;
  }
  return groups;
}

}  // namespace

InitrdResult build_initrd(int fd, const InitrdSinks& sinks) {
  InitrdResult res;
  auto groups = link_groups(fd);
  rewind(fd);
  streams::TarReader r = streams::TarReader::open_stream(fd, kWhere);
  streams::CpioWriter cpio(*sinks.cpio);
  uint32_t next_ino = kFirstInode;
  std::unordered_map<std::string, uint32_t> inode_of;  // link targets written so far
  std::unordered_set<std::string> dirs;                // to give every entry its parent first
  bool started = false;
  auto start = [&] {
    if (!started && sinks.before_cpio) sinks.before_cpio();
    started = true;
  };
  auto ensure_parents = [&](const std::string& p) {
    for (size_t pos = p.find('/'); pos != std::string::npos; pos = p.find('/', pos + 1)) {
      std::string d = p.substr(0, pos);
      if (!dirs.insert(d).second) continue;
      // The kernel never creates a missing parent; the tar did not list this one first.
      streams::CpioEntry e;
      e.name = d;
      e.mode = S_IFDIR | 0755;
      e.nlink = 2;
      e.ino = next_ino++;
      cpio.add(e);
      ++res.entries;
    }
  };
  while (r.next()) {
    streams::TarEntry h = r.header();
    std::string p = clean_member_path(h.path, kWhere);
    if (p.empty()) continue;
    if (under_boot(p)) {
      streams::ByteSink* sink = p == "boot/kernel" ? sinks.kernel : p == "boot/ucode.cpio" ? sinks.ucode : nullptr;
      if (p == "boot/cmdline") {
        r.copy_data([&](const void* d, size_t n) {
          if (res.cmdline.size() + n > (1 << 20)) throw RuntimeError("rootfs tar: boot/cmdline is over 1 MiB");
          res.cmdline.append(static_cast<const char*>(d), n);
        });
      } else if (sink && h.type == streams::TarEntry::kFile) {
        if (p == "boot/ucode.cpio" && started)
          throw RuntimeError(
              "rootfs tar: boot/ucode.cpio comes after the root filesystem; it must come first (as lk-rootfs writes "
              "it)");
        r.copy_data([&](const void* d, size_t n) { sink->write(d, n); });
        (p == "boot/kernel" ? res.kernel : res.ucode) = true;
      }
      continue;
    }
    start();
    ensure_parents(p);
    streams::CpioEntry e;
    e.name = p;
    e.uid = id32(h.uid, p);
    e.gid = id32(h.gid, p);
    e.mtime = h.mtime < 0 ? 0 : h.mtime > 0xffffffffll ? 0xffffffffu : static_cast<uint32_t>(h.mtime);
    e.mode = type_bits(h.type) | (h.mode & 07777);
    if (h.type == streams::TarEntry::kHardlink) {
      std::string target = clean_member_path(h.linkname, kWhere);
      auto it = inode_of.find(target);
      if (it == inode_of.end())
        throw RuntimeError("rootfs tar: hard link \"" + p + "\" to \"" + target +
                           "\", which is not a regular file before it");
      e.ino = it->second;
      e.nlink = groups[target];
      e.mode = S_IFREG | (h.mode & 07777);
      // The data travels with the first name; later names only link to it.
      cpio.add(e);
      ++res.entries;
      continue;
    }
    e.ino = next_ino++;
    if (h.type == streams::TarEntry::kDir) {
      e.nlink = 2;
      dirs.insert(p);
    } else if (h.type == streams::TarEntry::kFile) {
      auto g = groups.find(p);
      if (g != groups.end()) {
        e.nlink = g->second;
        inode_of[p] = e.ino;
      }
    }
    e.rdev_major = h.devmajor;
    e.rdev_minor = h.devminor;
    if (h.type == streams::TarEntry::kSymlink) {
      cpio.add(e, h.linkname);
    } else if (h.type == streams::TarEntry::kFile) {
      e.size = h.size;
      cpio.header(e);
      r.copy_data([&](const void* d, size_t n) { cpio.data(d, n); });
      cpio.end_entry();
    } else {
      cpio.add(e);
    }
    ++res.entries;
  }
  start();
  cpio.trailer();
  res.cpio_bytes = cpio.bytes();
  return res;
}

}  // namespace lk::boot
