#pragma once
// Flattens a stack of image layers into one tree, as the container runtime would
// see it, and writes it under a prefix of the rootfs tar.
//
// Two passes over the layers, memory bounded by the number of names: pass 1 walks
// top-down and decides which layer provides each path (OCI whiteouts, opaque
// directories, a non-directory hiding what a lower layer had below it); pass 2 walks
// bottom-up and writes each winner from its own layer, every directory before
// anything inside it, so the kernel's initramfs unpacker (which never creates
// parents) and tar both get a tree they can build. Contents stream through.
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "tar_writer.h"

namespace lk {

struct FlattenLayer {
  std::string path;   // the layer blob (tar, gzip or zstd)
  std::string where;  // "image REF layer N (DIGEST)" for messages
  int group = 0;      // whiteouts only reach lower layers of the same group (image)
};

// What the rootfs edits make of one path of the image (relative to its root).
struct EntryEdit {
  enum Kind { kKeep, kDrop, kReplace } kind = kKeep;
  TarEntry replacement;  // path relative to the image root
  std::string contents;
};
using EditFn = std::function<EntryEdit(const std::string& path, const TarEntry& original)>;

class Flattener {
public:
  // PREFIX is "" or ends with '/'. EPOCH stamps the directories lk has to make up.
  Flattener(std::vector<FlattenLayer> layers, std::string prefix, EditFn edit, int64_t epoch);
  // Both passes; writes to OUT. ON_WRITE sees every path written (with the prefix).
  void run(TarWriter& out, const std::function<void(const std::string&)>& on_write);
  // Whether PATH (relative to the image root) was written.
  bool written(const std::string& path) const;
  uint64_t entries() const { return entries_; }

private:
  struct Node {
    int layer = -1;
    TarEntry::Type type = TarEntry::kFile;
    bool emitted = false;  // decided and handled (written or dropped)
    bool written = false;
    std::unique_ptr<TarEntry> dir;  // a directory's header, to write it before its children
  };
  struct Link {
    int layer;
    std::string path, target;
  };
  void index_pass();
  void plan_promotions(const std::vector<Link>& links);
  void write_pass(TarWriter& out, const std::function<void(const std::string&)>& on_write);
  void ensure_parents(const std::string& path, const std::string& where, TarWriter& out,
                      const std::function<void(const std::string&)>& on_write);
  void write_entry(TarEntry e, const std::string& path, TarWriter& out, const std::function<void(const std::string&)>& on_write,
                   class TarReader* data);

  std::vector<FlattenLayer> layers_;
  std::string prefix_;
  EditFn edit_;
  int64_t epoch_;
  std::unordered_map<std::string, Node> nodes_;
  // "LAYER/TARGET" -> the link name that carries TARGET's data (see plan_promotions).
  std::unordered_map<std::string, std::string> promoted_;
  uint64_t entries_ = 0;
};

}  // namespace lk
