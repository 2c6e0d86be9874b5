#pragma once
// Segments of a rootfs tar, and the cache of their compressed form.
//
// A warm build should compress only what changed. lk-rootfs --segments marks where
// the content each image produced (the kernel and its modules, the init images, a
// container's rootfs) begins and ends; lk-initrd compresses each segment as its own
// run of gzip blocks and keeps the run in the cache, keyed by what produced the
// segment. The next build, lk-rootfs finds the segment there and writes one mark
// instead of the content, and lk-initrd splices the stored run. The cpio of a segment
// depends on nothing outside it (its own inode numbers and device, its own parent
// directories), so a spliced build and a fresh one give the same bytes.
//
// A mark is a regular file named kMarkName at the top of the tar, holding one JSON
// object (docs/initrd-segments.md):
//   {"begin":KEY,"prefix":P}             the entries up to the matching end, all below P
//   {"end":KEY}
//   {"cached":KEY,"prefix":P,"codec":C}  the stored segment KEY, compressed as C
//   {"codec":C}                          first in the tar: what lk-rootfs chose for
//                                        --segments auto (lk-initrd --compress auto)
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/fs.h"
#include "streams/compress.h"

namespace lk::streams {

inline constexpr const char* kMarkName = ".lk-segment";

struct SegmentMark {
  enum Kind { kBegin, kEnd, kCached, kCodec } kind = kBegin;
  std::string key;     // not for kCodec
  std::string prefix;  // "" or ending in '/'; kBegin and kCached
  std::string codec;   // kCached and kCodec
};
std::string mark_text(const SegmentMark& m);
// Throws RuntimeError naming WHERE for anything but a well-formed mark.
SegmentMark parse_mark(const std::string& text, const std::string& where);

// The key of the segment IDENTITY (what produced it: role, image digest, prefix...)
// describes, for this version of lk's rootfs and cpio layout.
std::string segment_key(const nlohmann::json& identity);

// One segment as the store holds it: its compressed run and what the tools need to
// know of its content without reading it.
struct StoredSegment {
  std::string dir;                                 // its folder in the store
  std::vector<std::pair<std::string, int>> paths;  // each tar entry: path, TarEntry::Type
  std::vector<std::string> dirs;                   // the directories its cpio holds
  uint64_t entries = 0;                            // cpio entries
  RunInfo run;                                     // the cpio it compresses
  uint64_t run_size = 0;                           // compressed bytes
  uint32_t run_check = 0;                          // CRC-32 of the compressed bytes
  bool kernel = false, ucode = false;              // boot/kernel, boot/ucode.cpio are in it
  std::string cmdline;                             // boot/cmdline bytes, if any
};

// CACHE/initrd-segments: one folder per segment and codec, written under a temporary
// name and renamed into place whole, so a crash or two builds at once leave either a
// whole segment or none.
class SegmentStore {
public:
  explicit SegmentStore(std::string dir) : dir_(std::move(dir)) {}
  static SegmentStore in_cache(const std::string& cache_dir) { return SegmentStore(cache_dir + "/initrd-segments"); }
  const std::string& dir() const { return dir_; }
  std::string folder(const std::string& key, const std::string& codec) const;
  // Where lk-rootfs --segments auto notes the codec it chose for the kernel image DIGEST.
  std::string kernel_codec_note(const std::string& digest) const;
  // The segment's index, or nullopt when the store does not hold it.
  std::optional<StoredSegment> find(const std::string& key, const std::string& codec) const;
  // Streams the run's bytes to OUT, checking them against the index.
  static void copy_run(const StoredSegment& s, ByteSink& out);
  // Streams the segment's boot/kernel or boot/ucode.cpio ("kernel", "ucode") to OUT.
  static void copy_part(const StoredSegment& s, const char* part, ByteSink& out);

  // Records one segment; commit() puts it in the store, destruction without it drops it.
  class Writer {
  public:
    Writer(const SegmentStore& store, const std::string& key, const std::string& codec);
    ByteSink& kernel() { return kernel_; }
    ByteSink& ucode() { return ucode_; }
    ByteSink& run() { return run_; }
    // INDEX's run_size and run_check are filled in from what run() got.
    void commit(StoredSegment index);

  private:
    class Checked : public ByteSink {
    public:
      explicit Checked(ByteSink& next) : next_(next) {}
      void write(const void* data, size_t len) override;
      void finish() override { next_.finish(); }
      uint32_t crc() const { return crc_; }

    private:
      ByteSink& next_;
      uint32_t crc_ = 0;
    };
    std::string final_;
    TempDir tmp_;
    Fd kernel_fd_, ucode_fd_, run_fd_;
    FdSink kernel_, ucode_, run_file_;
    Checked run_;
  };

private:
  std::string dir_;
};

}  // namespace lk::streams
