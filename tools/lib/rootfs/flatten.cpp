#include "rootfs/flatten.h"

#include <unistd.h>

#include "base/error.h"
#include "base/path_norm.h"
#include "streams/tar_reader.h"

namespace lk::rootfs {

namespace {

constexpr std::string_view kWhiteout = ".wh.";
constexpr std::string_view kOpaque = ".wh..wh..opq";

bool is_whiteout(std::string_view path) { return base_name(path).substr(0, kWhiteout.size()) == kWhiteout; }

template <typename Fn>
void for_each_ancestor(const std::string& path, Fn fn) {
  for (size_t pos = path.find('/'); pos != std::string::npos; pos = path.find('/', pos + 1))
    if (!fn(path.substr(0, pos))) return;
}

const char* type_word(streams::TarEntry::Type t) {
  switch (t) {
    case streams::TarEntry::kSymlink: return "symlink";
    case streams::TarEntry::kHardlink: return "hard link";
    case streams::TarEntry::kDir: return "directory";
    case streams::TarEntry::kChar: return "character device";
    case streams::TarEntry::kBlock: return "block device";
    case streams::TarEntry::kFifo: return "fifo";
    default: return "file";
  }
}

}  // namespace

Flattener::Flattener(std::vector<FlattenLayer> layers, std::string prefix, EditFn edit, int64_t epoch)
    : layers_(std::move(layers)), prefix_(std::move(prefix)), edit_(std::move(edit)), epoch_(epoch) {}

void Flattener::with_reader(const FlattenLayer& layer, const std::function<void(streams::TarReader&)>& fn) {
  if (layer.read) return layer.read(fn);
  // Every layer is read at least twice (the two passes): a compressed one is
  // decompressed once, into a temporary file the passes then read (and seek in).
  auto [it, fresh] = plain_.try_emplace(layer.path);
  if (fresh) it->second = streams::decompressed_copy(layer.path, layer.where);
  if (!it->second) {
    streams::TarReader r = streams::TarReader::open_file(layer.path, layer.where);
    return fn(r);
  }
  if (::lseek(it->second.get(), 0, SEEK_SET) != 0) throw_errno(layer.where + ": seek");
  streams::TarReader r = streams::TarReader::open_fd(it->second.get(), layer.where);
  fn(r);
}

void Flattener::index_pass() {
  // Whiteouts and opaque markers seen so far in the current group, with the highest
  // layer that has them: they hide a path of layer L when that layer is above L.
  std::unordered_map<std::string, int> whiteouts, opaque;
  // Every name of the current layer as its latest entry left it, hidden or not: a
  // hard link refers to the entry its target names at that point of the stream.
  struct Seen {
    streams::TarEntry::Type type;
    int64_t data;           // as Node::data; a file's own position
    std::string data_name;  // for hard links: the name of the entry at DATA (or the lower target)
  };
  std::unordered_map<std::string, Seen> seen;
  std::vector<Link> links;  // hard links that won their name when read, top layer first, stream order within a layer
  int group = layers_.empty() ? 0 : layers_.back().group;
  for (int i = static_cast<int>(layers_.size()) - 1; i >= 0; --i) {
    const auto& layer = layers_[static_cast<size_t>(i)];
    if (layer.group != group) {
      whiteouts.clear();
      opaque.clear();
      group = layer.group;
    }
    seen.clear();
    with_reader(layer, [&](streams::TarReader& r) {
      for (uint64_t k = 0; r.next(); ++k) {
        streams::TarEntry h = r.header();
        std::string p = clean_member_path(h.path, layer.where);
        if (p.empty()) continue;
        if (is_whiteout(p)) {
          std::string_view base = base_name(p);
          std::string dir = parent_path(p);
          if (base == kOpaque) {
            opaque.emplace(dir, i);
          } else {
            // Checked by its own name: "d/.wh.." would otherwise name "d/..", which no
            // cleaned path is, and pass as hiding nothing.
            std::string name(base.substr(kWhiteout.size()));
            if (name.empty() || name == "." || name == "..")
              throw RuntimeError(layer.where + ": whiteout \"" + p + "\" names nothing");
            std::string hidden = dir.empty() ? name : dir + "/" + name;
            whiteouts.emplace(hidden, i);
          }
          continue;
        }
        Seen now{h.type, kNotFile, {}};
        if (h.type == streams::TarEntry::kFile) {
          now.data = static_cast<int64_t>(k);
        } else if (h.type == streams::TarEntry::kHardlink) {
          std::string target = clean_member_path(h.linkname, layer.where + ": hard link \"" + p + "\"");
          auto t = seen.find(target);
          if (t == seen.end())
            now = {h.type, kLowerTarget, target};
          else if (t->second.type == streams::TarEntry::kFile)
            now = {h.type, t->second.data, target};
          else if (t->second.type == streams::TarEntry::kHardlink)
            now = {h.type, t->second.data, t->second.data_name};
        }
        seen[p] = now;

        auto above = [&](const std::unordered_map<std::string, int>& m, const std::string& key) {
          auto it = m.find(key);
          return it != m.end() && it->second > i;
        };
        bool hidden = above(whiteouts, p) || above(opaque, "");
        for_each_ancestor(p, [&](const std::string& a) {
          if (above(whiteouts, a) || above(opaque, a)) hidden = true;
          auto n = nodes_.find(a);
          if (n != nodes_.end() && n->second.type != streams::TarEntry::kDir && n->second.layer > i) hidden = true;
          return !hidden;
        });
        if (hidden) continue;
        auto [it, fresh] = nodes_.try_emplace(p);
        // A higher layer's entry wins; within a layer the last one does. A later
        // non-directory that replaces a directory leaves what came earlier below it
        // below a non-directory, which the write pass refuses (check_parents): no
        // entry ever goes through a link.
        if (!fresh && it->second.layer != i) continue;
        Node& n = it->second;
        n.layer = i;
        n.entry = k;
        n.type = h.type;
        n.data = now.data;
        n.dir = h.type == streams::TarEntry::kDir ? std::make_unique<streams::TarEntry>(std::move(h)) : nullptr;
        if (n.type == streams::TarEntry::kHardlink) links.push_back({i, k, p, now.data, now.data_name});
      }
    });
  }
  plan_carriers(links);
}

void Flattener::plan_carriers(const std::vector<Link>& links) {
  // Surviving hard links to a file entry that lost its name (to a higher layer, a
  // whiteout, or a later entry of the same layer): that entry's data is written
  // under the first such link's name instead, and the others point there. Stream
  // order decides which name carries the data, so the result is deterministic.
  for (const auto& l : links) {
    auto ln = nodes_.find(l.path);
    if (ln->second.layer != l.layer || ln->second.entry != l.entry || l.data < 0) continue;
    Slot slot{l.layer, static_cast<uint64_t>(l.data)};
    if (carriers_.count(slot)) continue;
    auto t = nodes_.find(l.data_name);
    bool own = t != nodes_.end() && t->second.layer == l.layer && t->second.entry == slot.second;
    carriers_.emplace(slot, own ? l.data_name : l.path);
    if (!own) ln->second.type = streams::TarEntry::kFile;
  }
}

void Flattener::write_entry(streams::TarEntry e, const std::string& path, streams::TarWriter& out,
                            const OnWrite& on_write, streams::TarReader* data) {
  Node& n = nodes_[path];
  n.emitted = true;
  EntryEdit edit = edit_ ? edit_(path, e) : EntryEdit{};
  if (edit.kind == EntryEdit::kDrop) return;
  std::string full = join_member(prefix_, path);
  streams::TarEntry::Type type = e.type;
  if (edit.kind == EntryEdit::kReplace) {
    streams::TarEntry r = edit.replacement;
    r.path = full;
    type = r.type;
    out.add(r, edit.contents);
  } else {
    e.path = full;
    if (e.type == streams::TarEntry::kHardlink) e.linkname = join_member(prefix_, e.linkname);
    out.header(e);
    if (e.type == streams::TarEntry::kFile) {
      if (data) data->copy_data([&](const void* p, size_t len) { out.data(p, len); });
    }
    out.end_entry();
  }
  n.written = true;
  ++entries_;
  if (on_write) on_write(full, type);
}

void check_not_below_link(const std::string& path,
                          const std::function<const streams::TarEntry::Type*(const std::string&)>& type_of,
                          const std::string& where) {
  for_each_ancestor(path, [&](const std::string& a) {
    const streams::TarEntry::Type* t = type_of(a);
    if (t && *t != streams::TarEntry::kDir)
      throw RuntimeError(where + ": entry \"" +
                         std::string(std::string_view(path).substr(0, path.find_last_not_of('/') + 1)) +
                         "\" lies below \"" + a + "\", which is a " + type_word(*t) +
                         ": writing it would go through a link, possibly out of the root");
    return true;
  });
}

void Flattener::check_parents(const std::string& path, const std::string& where) const {
  check_not_below_link(
      path,
      [&](const std::string& a) -> const streams::TarEntry::Type* {
        auto it = nodes_.find(a);
        return it == nodes_.end() ? nullptr : &it->second.type;
      },
      where);
}

void Flattener::ensure_parents(const std::string& path, const std::string& where, streams::TarWriter& out,
                               const OnWrite& on_write) {
  check_parents(path, where);
  for_each_ancestor(path, [&](const std::string& a) {
    auto it = nodes_.find(a);
    if (it != nodes_.end() && it->second.emitted) return true;
    streams::TarEntry dir;
    if (it != nodes_.end() && it->second.dir) {
      dir = *it->second.dir;
    } else {
      // A parent no layer lists: make it up, so extraction never has to guess.
      dir.type = streams::TarEntry::kDir;
      dir.mode = 0755;
      dir.mtime = epoch_;
      nodes_[a].type = streams::TarEntry::kDir;
    }
    write_entry(std::move(dir), a, out, on_write, nullptr);
    return true;
  });
}

void Flattener::write_pass(streams::TarWriter& out, const OnWrite& on_write) {
  for (size_t i = 0; i < layers_.size(); ++i) {
    const auto& layer = layers_[i];
    const int li = static_cast<int>(i);
    with_reader(layer, [&](streams::TarReader& r) {
      for (uint64_t k = 0; r.next(); ++k) {
        streams::TarEntry h = r.header();
        std::string p = clean_member_path(h.path, layer.where);
        if (p.empty() || is_whiteout(p)) continue;
        if (!carriers_.empty() && h.type == streams::TarEntry::kFile) {
          auto c = carriers_.find({li, k});
          if (c != carriers_.end() && c->second != p) {
            ensure_parents(c->second, layer.where, out, on_write);
            write_entry(std::move(h), c->second, out, on_write, &r);
            continue;
          }
        }
        auto it = nodes_.find(p);
        if (it == nodes_.end() || it->second.layer != li || it->second.entry != k || it->second.emitted) continue;
        ensure_parents(p, layer.where, out, on_write);
        if (h.type == streams::TarEntry::kHardlink) {
          std::string target = clean_member_path(h.linkname, layer.where + ": hard link \"" + p + "\"");
          int64_t data = it->second.data;
          std::string carrier = data >= 0 ? carriers_.at({li, static_cast<uint64_t>(data)}) : target;
          auto t = nodes_.find(carrier);
          if (data == kNotFile || t == nodes_.end() || !t->second.written || t->second.type == streams::TarEntry::kDir)
            throw RuntimeError(layer.where + ": hard link \"" + p + "\" points to \"" + target +
                               "\", which is not a file earlier in the layer or below it");
          h.linkname = carrier;
        }
        write_entry(std::move(h), p, out, on_write, &r);
      }
    });
  }
}

void Flattener::index() {
  if (indexed_) return;
  index_pass();
  indexed_ = true;
}

void Flattener::run(streams::TarWriter& out, const OnWrite& on_write) {
  index();
  write_pass(out, on_write);
}

bool Flattener::has(const std::string& path) const {
  auto it = nodes_.find(path);
  return it != nodes_.end() && it->second.layer >= 0;
}

bool Flattener::read_member(const std::string& path,
                            const std::function<void(streams::TarReader&, const streams::TarEntry&)>& fn) {
  index();
  auto it = nodes_.find(path);
  if (it == nodes_.end() || it->second.layer < 0) return false;
  const Node& n = it->second;
  const FlattenLayer& layer = layers_[static_cast<size_t>(n.layer)];
  check_parents(path, layer.where);
  bool found = false;
  with_reader(layer, [&](streams::TarReader& r) {
    for (uint64_t k = 0; r.next(); ++k) {
      if (k != n.entry) continue;
      streams::TarEntry h = r.header();
      if (h.type != streams::TarEntry::kFile)
        throw RuntimeError(layer.where + ": \"" + path + "\" is a " + type_word(h.type) + ", expected a regular file");
      fn(r, h);
      found = true;
      return;
    }
  });
  if (!found)
    throw RuntimeError(layer.where + ": \"" + path + "\" is no longer in the layer (did it change while read?)");
  return true;
}

bool Flattener::written(const std::string& path) const {
  auto it = nodes_.find(path);
  return it != nodes_.end() && it->second.written;
}

}  // namespace lk::rootfs
