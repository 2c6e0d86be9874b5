#include "boot/initrd.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <set>
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

// The compressed cpio, its compressor made only when the first cpio byte comes, so
// that ucode can be written before the compressed data starts.
class LazyCompressor : public streams::ByteSink {
public:
  // OPTS is read when the compressor is made: it may change until then.
  LazyCompressor(const streams::CompressOptions& opts, streams::ByteSink& out) : opts_(opts), out_(out) {}
  streams::Compressor& get() {
    if (!comp_) comp_ = streams::make_compressor(opts_, out_);
    return *comp_;
  }
  bool started() const { return comp_ != nullptr; }
  void write(const void* d, size_t n) override {
    written_ += n;
    get().write(d, n);
  }
  void finish() override { get().finish(); }

private:
  const streams::CompressOptions& opts_;
  streams::ByteSink& out_;
  std::unique_ptr<streams::Compressor> comp_;
};

// Where entries go: the glue lk writes between images, or one segment. Each has its
// own inode numbers and device, so that a segment's cpio is the same wherever it lands.
struct Scope {
  uint32_t next_ino = kFirstInode;
  uint32_t dev_minor = 1;
  std::unordered_map<std::string, uint32_t> inode_of;  // link targets written so far
};

struct Segment {
  streams::SegmentMark mark;
  Scope scope;
  std::unordered_set<std::string> dirs;  // the directories of its cpio
  std::vector<std::pair<std::string, int>> paths;  // its tar entries, when it is stored
  uint64_t entries = 0;
  bool run_begun = false;
  std::unique_ptr<streams::SegmentStore::Writer> writer;
  std::string cmdline;
  bool kernel = false, ucode = false;
};

class Builder {
public:
  Builder(int fd, const InitrdSinks& sinks, const streams::SegmentStore* store)
      : fd_(fd),
        sinks_(sinks),
        store_(store),
        copts_(sinks.compress),
        cpio_out_(copts_, *sinks.initrd),
        cpio_(cpio_out_) {
    if (sinks.compress_from_tar) {
      copts_.codec = streams::Codec::kGzip;
      copts_.level = -1;
    }
    archives_ = streams::runs_are_archives(copts_.codec);
  }

  InitrdResult run() {
    groups_ = link_groups(fd_);
    rewind(fd_);
    streams::TarReader r = streams::TarReader::open_stream(fd_, kWhere);
    while (r.next()) entry(r);
    if (seg_) throw InputError("rootfs tar: segment " + seg_->mark.key + " has no end mark (cut short?)");
    cpio_out_.get();
    cpio_.trailer();
    cpio_out_.finish();
    res_.cpio_bytes = cpio_.bytes();
    return res_;
  }

private:
  void entry(streams::TarReader& r) {
    streams::TarEntry h = r.header();
    std::string p = clean_member_path(h.path, kWhere);
    if (p.empty()) return;
    if (p == streams::kMarkName && h.type == streams::TarEntry::kFile) return mark(r);
    first_ = false;
    if (seg_ && seg_->writer) seg_->paths.emplace_back(p, static_cast<int>(h.type));
    if (under_boot(p)) return boot_file(r, h, p);
    ensure_parents(p);
    write(r, h, p);
  }

  Scope& scope() { return seg_ ? seg_->scope : glue_; }

  // The first cpio byte of a segment starts its run (not its mark: ucode may come first).
  streams::CpioWriter& cpio() {
    if (seg_ && !seg_->run_begun) {
      seg_->run_begun = true;
      // Run or not, a segment's blocks start and end with it, so a build with the
      // store and one without give the same bytes.
      cpio_out_.get().begin_run(seg_->writer ? &seg_->writer->run() : nullptr);
    }
    cpio_out_.get();
    return cpio_;
  }

  void add(const streams::CpioEntry& e, std::string_view contents = {}) {
    cpio().add(e, contents);
    count();
  }
  void count() {
    ++res_.entries;
    if (seg_)
      ++seg_->entries;
    else
      glue_open_ = true;
  }
  void note_dir(const std::string& d) { (seg_ ? seg_->dirs : dirs_).insert(d); }

  bool has_dir(const std::string& d) const {
    if (!seg_) return dirs_.count(d) > 0;
    // The prefix and its parents are the glue's, written before the segment.
    if (seg_->mark.prefix.compare(0, d.size() + 1, d + "/") == 0) return true;
    return seg_->dirs.count(d) > 0;
  }

  void ensure_parents(const std::string& p) {
    for (size_t pos = p.find('/'); pos != std::string::npos; pos = p.find('/', pos + 1)) {
      std::string d = p.substr(0, pos);
      if (has_dir(d)) continue;
      note_dir(d);
      // The kernel never creates a missing parent; the tar did not list this one first.
      streams::CpioEntry e = base_entry(d);
      e.mode = S_IFDIR | 0755;
      e.nlink = 2;
      e.ino = scope().next_ino++;
      add(e);
    }
  }

  streams::CpioEntry base_entry(const std::string& name) {
    streams::CpioEntry e;
    e.name = name;
    e.dev_minor = scope().dev_minor;
    return e;
  }

  void boot_file(streams::TarReader& r, const streams::TarEntry& h, const std::string& p) {
    const bool kernel = p == "boot/kernel", ucode = p == "boot/ucode.cpio";
    if (p == "boot/cmdline") {
      r.copy_data([&](const void* d, size_t n) {
        if (res_.cmdline.size() + n > (1 << 20)) throw RuntimeError("rootfs tar: boot/cmdline is over 1 MiB");
        res_.cmdline.append(static_cast<const char*>(d), n);
        if (seg_) seg_->cmdline.append(static_cast<const char*>(d), n);
      });
      return;
    }
    if ((!kernel && !ucode) || h.type != streams::TarEntry::kFile) return;
    if (ucode && cpio_out_.started())
      throw RuntimeError(
          "rootfs tar: boot/ucode.cpio comes after the root filesystem; it must come first (as lk-rootfs writes it)");
    streams::ByteSink* sink = kernel ? sinks_.kernel : sinks_.ucode;
    streams::ByteSink* copy = nullptr;
    if (seg_ && seg_->writer) copy = kernel ? &seg_->writer->kernel() : &seg_->writer->ucode();
    r.copy_data([&](const void* d, size_t n) {
      sink->write(d, n);
      if (copy) copy->write(d, n);
    });
    (kernel ? res_.kernel : res_.ucode) = true;
    if (seg_) (kernel ? seg_->kernel : seg_->ucode) = true;
  }

  void write(streams::TarReader& r, const streams::TarEntry& h, const std::string& p) {
    streams::CpioEntry e = base_entry(p);
    e.uid = id32(h.uid, p);
    e.gid = id32(h.gid, p);
    e.mtime = h.mtime < 0 ? 0 : h.mtime > 0xffffffffll ? 0xffffffffu : static_cast<uint32_t>(h.mtime);
    e.mode = type_bits(h.type) | (h.mode & 07777);
    Scope& s = scope();
    if (h.type == streams::TarEntry::kHardlink) {
      std::string target = clean_member_path(h.linkname, kWhere);
      auto it = s.inode_of.find(target);
      if (it == s.inode_of.end())
        throw RuntimeError("rootfs tar: hard link \"" + p + "\" to \"" + target + "\", which is not a regular file " +
                           (seg_ ? "of its segment " : "") + "before it");
      e.ino = it->second;
      e.nlink = groups_[target];
      e.mode = S_IFREG | (h.mode & 07777);
      // The data travels with the first name; later names only link to it.
      add(e);
      return;
    }
    e.ino = s.next_ino++;
    if (h.type == streams::TarEntry::kDir) {
      e.nlink = 2;
      note_dir(p);
    } else if (h.type == streams::TarEntry::kFile) {
      auto g = groups_.find(p);
      if (g != groups_.end()) {
        e.nlink = g->second;
        s.inode_of[p] = e.ino;
      }
    }
    e.rdev_major = h.devmajor;
    e.rdev_minor = h.devminor;
    if (h.type == streams::TarEntry::kSymlink) {
      add(e, h.linkname);
    } else if (h.type == streams::TarEntry::kFile) {
      e.size = h.size;
      streams::CpioWriter& c = cpio();
      c.header(e);
      r.copy_data([&](const void* d, size_t n) { c.data(d, n); });
      c.end_entry();
      count();
    } else {
      add(e);
    }
  }

  void mark(streams::TarReader& r) {
    std::string text;
    r.copy_data([&](const void* d, size_t n) {
      if (text.size() + n > 4096) throw InputError("rootfs tar: a segment mark of over 4 KiB");
      text.append(static_cast<const char*>(d), n);
    });
    streams::SegmentMark m;
    try {
      m = streams::parse_mark(text, kWhere);
    } catch (const RuntimeError& e) {
      throw InputError(e.what());
    }
    if (m.kind == streams::SegmentMark::kCodec) {
      if (!first_) throw InputError("rootfs tar: a codec mark after the first entry");
      first_ = false;
      if (sinks_.compress_from_tar) {
        const int threads = copts_.threads;
        copts_ = streams::parse_codec_id(m.codec);
        copts_.threads = threads;
        archives_ = streams::runs_are_archives(copts_.codec);
      }
      return;
    }
    first_ = false;
    if (m.kind == streams::SegmentMark::kEnd) {
      if (!seg_ || seg_->mark.key != m.key)
        throw InputError("rootfs tar: the end of segment " + m.key + ", which did not begin");
      return end_segment();
    }
    if (seg_) throw InputError("rootfs tar: segment " + m.key + " begins inside segment " + seg_->mark.key);
    ++res_.segments;
    // The prefix is the glue's: made (if the tar did not) before the segment starts.
    if (!m.prefix.empty()) ensure_parents(m.prefix);
    if (archives_ && glue_open_) {
      cpio_.end_archive();
      glue_open_ = false;
      glue_.inode_of.clear();  // the kernel forgets an archive's inodes at its trailer
    }
    seg_ = std::make_unique<Segment>();
    seg_->mark = m;
    seg_->scope.dev_minor = device_of(m.key);
    if (m.kind == streams::SegmentMark::kCached) return splice();
    if (store_ && streams::can_splice(copts_.codec))
      seg_->writer = std::make_unique<streams::SegmentStore::Writer>(*store_, m.key, codec());
  }

  std::string codec() const { return streams::codec_id(copts_); }

  // A segment's device number, from its key: the same wherever the segment lands.
  uint32_t device_of(const std::string& key) {
    uint32_t minor = static_cast<uint32_t>(std::stoul(key.substr(0, 8), nullptr, 16));
    if (minor == glue_.dev_minor || !minors_.insert(minor).second)
      throw RuntimeError("rootfs tar: segment " + key + " has the device number of another (a 1 in 2^32 draw): " +
                         "change the spec or SOURCE_DATE_EPOCH, which the keys depend on");
    return minor;
  }

  void end_segment() {
    Segment& s = *seg_;
    streams::RunInfo run;
    if (s.run_begun && archives_) cpio_.end_archive();
    if (s.run_begun) run = cpio_out_.get().end_run();
    for (const auto& d : s.dirs) dirs_.insert(d);
    if (s.writer) {
      streams::StoredSegment index;
      index.paths = std::move(s.paths);
      index.dirs.assign(s.dirs.begin(), s.dirs.end());
      std::sort(index.dirs.begin(), index.dirs.end());
      index.entries = s.entries;
      index.run = run;
      index.kernel = s.kernel;
      index.ucode = s.ucode;
      index.cmdline = s.cmdline;
      s.writer->commit(std::move(index));
      ++res_.stored;
    }
    seg_.reset();
  }

  void splice() {
    const streams::SegmentMark& m = seg_->mark;
    if (m.codec != codec())
      throw InputError("rootfs tar: segment " + m.key + " is cached as " + m.codec + " (lk-rootfs --segments " +
                       m.codec + "), but this initrd is " + codec());
    if (!store_) throw InputError("rootfs tar: segment " + m.key + " is cached, but lk-initrd was given no cache");
    auto s = store_->find(m.key, m.codec);
    if (!s)
      throw RuntimeError("rootfs tar: cached segment " + m.key + " is not in " + store_->dir() +
                         " (removed during the build?): build again");
    if (s->kernel) {
      streams::SegmentStore::copy_part(*s, "kernel", *sinks_.kernel);
      res_.kernel = true;
    }
    if (s->ucode) {
      if (cpio_out_.started())
        throw RuntimeError("rootfs tar: a cached boot/ucode.cpio comes after the root filesystem");
      streams::SegmentStore::copy_part(*s, "ucode", *sinks_.ucode);
      res_.ucode = true;
    }
    res_.cmdline += s->cmdline;
    if (s->run.length) {
      cpio_out_.get().splice(s->run, [&](streams::ByteSink& out) { streams::SegmentStore::copy_run(*s, out); });
      cpio_.skip(s->run.length);
    }
    for (const auto& d : s->dirs) dirs_.insert(d);
    res_.entries += s->entries;
    res_.spliced_bytes += s->run.length;
    ++res_.spliced;
    seg_.reset();
  }

  int fd_;
  const InitrdSinks& sinks_;
  const streams::SegmentStore* store_;
  streams::CompressOptions copts_;
  // zstd: each segment, and the glue between, is a cpio archive of its own (TRAILER!!!
  // included) in a frame of its own; gzip: one archive in one member.
  bool archives_ = false;
  bool first_ = true;  // no entry read yet
  bool glue_open_ = false;  // glue entries since the last archive ended
  LazyCompressor cpio_out_;
  streams::CpioWriter cpio_;
  InitrdResult res_;
  std::unordered_map<std::string, uint32_t> groups_;
  Scope glue_;
  std::unordered_set<std::string> dirs_;  // every directory of the cpio so far
  std::set<uint32_t> minors_;
  std::unique_ptr<Segment> seg_;
};

}  // namespace

InitrdResult build_initrd(int fd, const InitrdSinks& sinks, const streams::SegmentStore* store) {
  return Builder(fd, sinks, store).run();
}

}  // namespace lk::boot
