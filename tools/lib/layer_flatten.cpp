#include "layer_flatten.h"

#include "error.h"
#include "path_norm.h"
#include "tar_reader.h"

namespace lk {

namespace {

constexpr std::string_view kWhiteout = ".wh.";
constexpr std::string_view kOpaque = ".wh..wh..opq";

bool is_whiteout(std::string_view path) { return base_name(path).substr(0, kWhiteout.size()) == kWhiteout; }

template <typename Fn>
void for_each_ancestor(const std::string& path, Fn fn) {
  for (size_t pos = path.find('/'); pos != std::string::npos; pos = path.find('/', pos + 1))
    if (!fn(path.substr(0, pos))) return;
}

const char* type_word(TarEntry::Type t) {
  switch (t) {
    case TarEntry::kSymlink: return "symlink";
    case TarEntry::kHardlink: return "hard link";
    case TarEntry::kDir: return "directory";
    default: return "file";
  }
}

std::string promotion_key(int layer, const std::string& target) { return std::to_string(layer) + "/" + target; }

}  // namespace

Flattener::Flattener(std::vector<FlattenLayer> layers, std::string prefix, EditFn edit, int64_t epoch)
    : layers_(std::move(layers)), prefix_(std::move(prefix)), edit_(std::move(edit)), epoch_(epoch) {}

void Flattener::index_pass() {
  // Whiteouts and opaque markers seen so far in the current group, with the highest
  // layer that has them: they hide a path of layer L when that layer is above L.
  std::unordered_map<std::string, int> whiteouts, opaque;
  std::unordered_map<std::string, int> seen_in_layer;
  std::vector<Link> links;  // surviving hard links, top layer first, stream order within a layer
  int group = layers_.empty() ? 0 : layers_.back().group;
  for (int i = static_cast<int>(layers_.size()) - 1; i >= 0; --i) {
    const auto& layer = layers_[static_cast<size_t>(i)];
    if (layer.group != group) {
      whiteouts.clear();
      opaque.clear();
      group = layer.group;
    }
    seen_in_layer.clear();
    TarReader r = TarReader::open_file(layer.path, layer.where);
    while (r.next()) {
      TarEntry h = r.header();
      std::string p = clean_member_path(h.path, layer.where);
      if (p.empty()) continue;
      if (!seen_in_layer.emplace(p, 0).second)
        throw RuntimeError(layer.where + ": entry \"" + p + "\" appears twice in the layer");
      if (is_whiteout(p)) {
        std::string_view base = base_name(p);
        std::string dir = parent_path(p);
        if (base == kOpaque) {
          opaque.emplace(dir, i);
        } else {
          std::string hidden = dir.empty() ? std::string(base.substr(kWhiteout.size()))
                                           : dir + "/" + std::string(base.substr(kWhiteout.size()));
          if (hidden.empty() || hidden == "." || hidden == "..")
            throw RuntimeError(layer.where + ": whiteout \"" + p + "\" names nothing");
          whiteouts.emplace(hidden, i);
        }
        continue;
      }
      auto above = [&](const std::unordered_map<std::string, int>& m, const std::string& k) {
        auto it = m.find(k);
        return it != m.end() && it->second > i;
      };
      bool hidden = above(whiteouts, p) || above(opaque, "");
      for_each_ancestor(p, [&](const std::string& a) {
        if (above(whiteouts, a) || above(opaque, a)) hidden = true;
        auto n = nodes_.find(a);
        if (n != nodes_.end() && n->second.type != TarEntry::kDir && n->second.layer > i) hidden = true;
        return !hidden;
      });
      if (hidden || nodes_.count(p)) continue;
      Node& n = nodes_[p];
      n.layer = i;
      n.type = h.type;
      if (h.type == TarEntry::kDir) n.dir = std::make_unique<TarEntry>(std::move(h));
      if (h.type == TarEntry::kHardlink) links.push_back({i, p, clean_member_path(h.linkname, layer.where)});
    }
  }
  plan_promotions(links);
}

void Flattener::plan_promotions(const std::vector<Link>& links) {
  // A surviving hard link whose target a higher layer replaced or removed: the
  // target's data (in the link's own layer) is written under the link's name
  // instead, and the group's other links point there. Stream order decides which
  // name carries the data, so the result is deterministic.
  for (const auto& l : links) {
    auto t = nodes_.find(l.target);
    if (t != nodes_.end() && t->second.layer <= l.layer && t->second.type == TarEntry::kFile) continue;
    if (promoted_.emplace(promotion_key(l.layer, l.target), l.path).second) nodes_[l.path].type = TarEntry::kFile;
  }
}

void Flattener::write_entry(TarEntry e, const std::string& path, TarWriter& out,
                            const std::function<void(const std::string&)>& on_write, TarReader* data) {
  Node& n = nodes_[path];
  n.emitted = true;
  EntryEdit edit = edit_ ? edit_(path, e) : EntryEdit{};
  if (edit.kind == EntryEdit::kDrop) return;
  std::string full = join_member(prefix_, path);
  if (edit.kind == EntryEdit::kReplace) {
    TarEntry r = edit.replacement;
    r.path = full;
    out.add(r, edit.contents);
  } else {
    e.path = full;
    if (e.type == TarEntry::kHardlink) e.linkname = join_member(prefix_, e.linkname);
    out.header(e);
    if (e.type == TarEntry::kFile) {
      if (data) data->copy_data([&](const void* p, size_t len) { out.data(p, len); });
    }
    out.end_entry();
  }
  n.written = true;
  ++entries_;
  if (on_write) on_write(full);
}

void Flattener::ensure_parents(const std::string& path, const std::string& where, TarWriter& out,
                               const std::function<void(const std::string&)>& on_write) {
  for_each_ancestor(path, [&](const std::string& a) {
    auto it = nodes_.find(a);
    if (it != nodes_.end() && it->second.type != TarEntry::kDir)
      throw RuntimeError(where + ": entry \"" + path + "\" lies below \"" + a + "\", which is a " +
                         type_word(it->second.type) + ": writing it would go through a link, possibly out of the root");
    if (it != nodes_.end() && it->second.emitted) return true;
    TarEntry dir;
    if (it != nodes_.end() && it->second.dir) {
      dir = *it->second.dir;
    } else {
      // A parent no layer lists: make it up, so extraction never has to guess.
      dir.type = TarEntry::kDir;
      dir.mode = 0755;
      dir.mtime = epoch_;
      nodes_[a].type = TarEntry::kDir;
    }
    write_entry(std::move(dir), a, out, on_write, nullptr);
    return true;
  });
}

void Flattener::write_pass(TarWriter& out, const std::function<void(const std::string&)>& on_write) {
  for (size_t i = 0; i < layers_.size(); ++i) {
    const auto& layer = layers_[i];
    TarReader r = TarReader::open_file(layer.path, layer.where);
    while (r.next()) {
      TarEntry h = r.header();
      std::string p = clean_member_path(h.path, layer.where);
      if (p.empty() || is_whiteout(p)) continue;
      if (!promoted_.empty() && h.type == TarEntry::kFile) {
        auto pr = promoted_.find(promotion_key(static_cast<int>(i), p));
        if (pr != promoted_.end()) {
          ensure_parents(pr->second, layer.where, out, on_write);
          write_entry(std::move(h), pr->second, out, on_write, &r);
          continue;
        }
      }
      auto it = nodes_.find(p);
      if (it == nodes_.end() || it->second.layer != static_cast<int>(i) || it->second.emitted) continue;
      ensure_parents(p, layer.where, out, on_write);
      if (h.type == TarEntry::kHardlink) {
        std::string target = clean_member_path(h.linkname, layer.where + ": hard link \"" + p + "\"");
        auto pr = promoted_.find(promotion_key(static_cast<int>(i), target));
        const std::string& carrier = pr != promoted_.end() ? pr->second : target;
        auto t = nodes_.find(carrier);
        if (t == nodes_.end() || !t->second.written || t->second.type == TarEntry::kDir)
          throw RuntimeError(layer.where + ": hard link \"" + p + "\" points to \"" + target +
                             "\", which is not a file earlier in the layer or below it");
        h.linkname = carrier;
      }
      write_entry(std::move(h), p, out, on_write, &r);
    }
  }
}

void Flattener::run(TarWriter& out, const std::function<void(const std::string&)>& on_write) {
  index_pass();
  write_pass(out, on_write);
}

bool Flattener::written(const std::string& path) const {
  auto it = nodes_.find(path);
  return it != nodes_.end() && it->second.written;
}

}  // namespace lk
