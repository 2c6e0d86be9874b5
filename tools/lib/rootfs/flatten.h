#pragma once
// Flattens a stack of image layers into one tree, as the container runtime would
// see it, and writes it under a prefix of the rootfs tar.
//
// Two passes over the layers, memory bounded by the number of names: pass 1 walks
// top-down and decides which entry provides each path (OCI whiteouts, opaque
// directories, a non-directory hiding what a lower layer had below it, and within
// one layer the last entry of a name, as Docker and containerd extract); pass 2
// walks bottom-up and writes each winner from its own layer, every directory before
// anything inside it, so the kernel's initramfs unpacker (which never creates
// parents) and tar both get a tree they can build, with each name once. Contents
// stream through.
//
// A layer's tar ends at its first end-of-archive marker, as Go's archive/tar (and so
// Docker and containerd) reads it: a tar appended after it is never looked at.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/fs.h"
#include "streams/tar_writer.h"

namespace lk::streams {
class TarReader;
}  // namespace lk::streams

namespace lk::rootfs {

struct FlattenLayer {
  std::string path;   // the layer blob (tar, gzip or zstd)
  std::string where;  // "image REF layer N (DIGEST)" for messages
  int group = 0;      // whiteouts only reach lower layers of the same group (image)
  // Set for a tar that is not a file of its own (kernel.tar, a member of the kernel
  // image): calls FN with a reader before its first member, once per pass.
  std::function<void(const std::function<void(streams::TarReader&)>& fn)> read;
};

// Sees each entry as it is written: its full path (with the prefix) and its type.
using OnWrite = std::function<void(const std::string& path, streams::TarEntry::Type type)>;

// The rule for every entry that goes into a rootfs, from a layer or from lk: no
// ancestor of PATH is something other than a directory, or writing PATH would go
// through a link (possibly out of the root). TYPE_OF gives what was written at a
// path, or null; a PATH ending in '/' is itself checked. Throws RuntimeError("WHERE: entry PATH lies below ...").
void check_not_below_link(const std::string& path,
                          const std::function<const streams::TarEntry::Type*(const std::string&)>& type_of,
                          const std::string& where);

// What the rootfs edits make of one path of the image (relative to its root).
struct EntryEdit {
  enum Kind { kKeep, kDrop, kReplace } kind = kKeep;
  streams::TarEntry replacement;  // path relative to the image root
  std::string contents;
};
using EditFn = std::function<EntryEdit(const std::string& path, const streams::TarEntry& original)>;

class Flattener {
public:
  // PREFIX is "" or ends with '/'. EPOCH stamps the directories lk has to make up.
  Flattener(std::vector<FlattenLayer> layers, std::string prefix, EditFn edit, int64_t epoch);
  // Pass 1 alone: enough for has() and read_member(). run() does it when not done.
  void index();
  // Both passes; writes to OUT. ON_WRITE sees every path written (with the prefix).
  void run(streams::TarWriter& out, const OnWrite& on_write);
  // Whether the flattened image has PATH (relative to its root); after index().
  bool has(const std::string& path) const;
  // Calls FN with a reader on the entry that provides PATH, which must be a regular
  // file not below a link; false when the image has no PATH. After index().
  bool read_member(const std::string& path,
                   const std::function<void(streams::TarReader&, const streams::TarEntry&)>& fn);
  // Whether PATH (relative to the image root) was written.
  bool written(const std::string& path) const;
  // check_not_below_link for PATH (relative to the image root) in this image.
  void check_parents(const std::string& path, const std::string& where) const;
  uint64_t entries() const { return entries_; }

private:
  static constexpr int64_t kLowerTarget = -1, kNotFile = -2;
  struct Node {
    int layer = -1;      // -1: a parent lk made up
    uint64_t entry = 0;  // the winner's position in its layer's stream
    // A hard link's file in its own layer: the position of the entry holding the
    // data, kLowerTarget when the target is in a lower layer, kNotFile otherwise.
    int64_t data = kLowerTarget;
    streams::TarEntry::Type type = streams::TarEntry::kFile;
    bool emitted = false;  // decided and handled (written or dropped)
    bool written = false;
    std::unique_ptr<streams::TarEntry> dir;  // a directory's header, to write it before its children
  };
  struct Link {
    int layer;
    uint64_t entry;
    std::string path;
    int64_t data;
    std::string data_name;  // the name of the entry at DATA
  };
  using Slot = std::pair<int, uint64_t>;  // (layer, position in its stream)
  void with_reader(const FlattenLayer& layer, const std::function<void(streams::TarReader&)>& fn);
  void index_pass();
  void plan_carriers(const std::vector<Link>& links);
  void write_pass(streams::TarWriter& out, const OnWrite& on_write);
  void ensure_parents(const std::string& path, const std::string& where, streams::TarWriter& out,
                      const OnWrite& on_write);
  void write_entry(streams::TarEntry e, const std::string& path, streams::TarWriter& out, const OnWrite& on_write,
                   streams::TarReader* data);

  std::vector<FlattenLayer> layers_;
  std::string prefix_;
  EditFn edit_;
  int64_t epoch_;
  std::unordered_map<std::string, Node> nodes_;
  // A file entry that surviving hard links share -> the name its data is written
  // under: its own when it won its name, else the first such link (see plan_carriers).
  std::map<Slot, std::string> carriers_;
  bool indexed_ = false;
  uint64_t entries_ = 0;
  std::map<std::string, Fd> plain_;  // layer path -> its decompressed copy (empty: not compressed)
};

}  // namespace lk::rootfs
