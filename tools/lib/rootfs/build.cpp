#include "rootfs/build.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "base/error.h"
#include "base/fs.h"
#include "base/path_norm.h"
#include "base/sha256.h"
#include "oci/manifest.h"
#include "rootfs/edits.h"
#include "rootfs/runtime_config.h"
#include "spec/container_id.h"
#include "spec/plan.h"
#include "spec/volumes.h"
#include "spec/yaml_source.h"
#include "streams/segments.h"
#include "streams/tar_reader.h"

namespace lk::rootfs {

using nlohmann::json;

namespace {

constexpr const char* kApkDb = "lib/apk/db/installed";

std::string layer_where(const oci::ImageData& img, size_t i) {
  return "image " + img.name() + " layer " + std::to_string(i) + " (" + img.layers[i].digest + ")";
}

std::vector<FlattenLayer> layers_of(const oci::ImageData& img, int group) {
  std::vector<FlattenLayer> out;
  for (size_t i = 0; i < img.layers.size(); ++i) out.push_back({img.layers[i].path, layer_where(img, i), group});
  return out;
}

// Permission bits for a directory lk makes for a file: x wherever the file has any bit.
uint32_t dir_mode_for(uint32_t mode) {
  uint32_t d = mode & 0777;
  for (uint32_t shift : {6u, 3u, 0u})
    if (d & (7u << shift)) d |= 1u << shift;
  return d;
}

// Each container and volume name becomes a folder under containers/ (and a runc id):
// one that is not a plain component would put the bundle anywhere in the tree.
void check_names(const spec::Lock& lock, const std::string& file) {
  auto check = [&](const std::string& section, size_t i, const std::string& name, std::set<std::string>* seen) {
    std::string field = file + ": " + section + "[" + std::to_string(i) + "].name";
    spec::require_container_id(name, section == "volumes" ? "volume name" : "container name", field);
    if (seen && !seen->insert(name).second) throw InputError(field + ": \"" + name + "\" is used twice in " + section);
  };
  for (const auto& s : spec::container_sections()) {
    // onboot and onshutdown folders are numbered, so only services (and volumes) can collide.
    std::set<std::string> seen;
    const auto& list = lock.*s.list;
    for (size_t i = 0; i < list.size(); ++i)
      check(s.name, i, list[i].name, std::string_view(s.name) == "services" ? &seen : nullptr);
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < lock.volumes.size(); ++i) check("volumes", i, lock.volumes[i].name, &seen);
}

// lk-parse refused these in a spec; a lock another tool wrote gets the same rules.
void check_volume_uses(const spec::Lock& lock, const spec::VolumeBinds& volumes, const std::string& file) {
  for (const auto& s : spec::container_sections()) {
    const auto& list = lock.*s.list;
    for (size_t i = 0; i < list.size(); ++i)
      for (const auto& p : volumes.problems(list[i].config))
        throw InputError(file + ": " + s.name + "[" + std::to_string(i) + "].config." + p.field + ": " + p.message);
  }
}

class Builder {
public:
  Builder(const spec::Lock& lock, const oci::OciLayout& cache, streams::TarWriter& out, const RootfsOptions& opts,
          const Log& log)
      : lock_(lock), cache_(cache), out_(out), opts_(opts), log_(log), volume_binds_(lock.volumes) {}

  void run() {
    if (lock_.stage != spec::Stage::kLock)
      throw InputError(opts_.lock_name + ": a plan, not a lock (make it with lk-pull)");
    check_names(lock_, opts_.lock_name);
    check_volume_uses(lock_, volume_binds_, opts_.lock_name);
    if (opts_.segments) {
      if (opts_.segments->codec == "auto") opts_.segments->codec = auto_codec();
      out_.add(gen(streams::TarEntry::kFile, streams::kMarkName, 0644),
               streams::mark_text({streams::SegmentMark::kCodec, "", "", opts_.segments->codec}));
    }
    if (lock_.kernel) kernel(*lock_.kernel);
    init();
    volumes();
    for (const auto& s : spec::container_sections()) bundles(s.name, lock_.*s.list);
    files();
    out_.close();
  }

private:
  oci::ImageData load(const spec::ImageEntry& e) const {
    std::string ref = e.reference.value_or(e.image);
    if (!e.digest) throw InputError("image " + ref + " has no digest in the lock (was it made by lk-pull?)");
    return cache_.image(ref, *e.digest);
  }

  void record(const std::string& path, streams::TarEntry::Type type) { written_[path] = type; }
  OnWrite recorder() {
    return [this](const std::string& p, streams::TarEntry::Type t) { record(p, t); };
  }

  // lk's own entries obey the flattener's rule too: an image that made "containers"
  // or "etc" a symlink must not get bundles or files written through it.
  void check_parents(const std::string& path, const std::string& where) const {
    check_not_below_link(
        path,
        [this](const std::string& a) -> const streams::TarEntry::Type* {
          auto it = written_.find(a);
          return it == written_.end() ? nullptr : &it->second;
        },
        where);
  }
  static constexpr const char* kLayout =
      "lk's layout of the root filesystem (over what the kernel and init images hold)";

  streams::TarEntry gen(streams::TarEntry::Type type, const std::string& path, uint32_t mode) const {
    streams::TarEntry e;
    e.type = type;
    e.path = path;
    e.mode = mode;
    e.mtime = opts_.epoch;
    return e;
  }

  // A directory lk lays out (containers/, bundle dirs), written once.
  void dir(const std::string& path) {
    check_parents(path + "/", kLayout);  // PATH itself included
    for (size_t pos = path.find('/'); pos != std::string::npos; pos = path.find('/', pos + 1)) dir(path.substr(0, pos));
    if (written_.count(path)) return;
    out_.add(gen(streams::TarEntry::kDir, path, 0755));
    record(path, streams::TarEntry::kDir);
  }

  // Entry E with its E.size bytes streamed from FD; WHAT names the source in errors.
  void add_from(const streams::TarEntry& e, int fd, const std::string& what) {
    check_parents(e.path, kLayout);
    out_.header(e);
    char buf[1 << 16];
    uint64_t left = e.size;
    while (left) {
      ssize_t n = ::read(fd, buf, left < sizeof buf ? static_cast<size_t>(left) : sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw RuntimeError(what + " changed while it was read");
      out_.data(buf, static_cast<size_t>(n));
      left -= static_cast<uint64_t>(n);
    }
    out_.end_entry();
  }

  void file(const std::string& path, const std::string& contents, uint32_t mode = 0644) {
    check_parents(path, kLayout);
    out_.add(gen(streams::TarEntry::kFile, path, mode), contents);
    record(path, streams::TarEntry::kFile);
  }

  // The kernel image's NAME, a regular file of the flattened image, as DEST.
  void copy_member_as(Flattener& image, const oci::ImageData& img, const std::string& name, const std::string& dest,
                      bool keep_mode) {
    bool found = image.read_member(name, [&](streams::TarReader& r, const streams::TarEntry& h) {
      streams::TarEntry e = gen(streams::TarEntry::kFile, dest, keep_mode ? h.mode : 0644);
      e.size = h.size;
      check_parents(dest, kLayout);
      out_.header(e);
      r.copy_data([&](const void* p, size_t n) { out_.data(p, n); });
      out_.end_entry();
      record(dest, streams::TarEntry::kFile);
    });
    if (!found) throw InputError("kernel image " + img.name() + " has no \"" + name + "\"");
  }

  // What PRODUCE writes, all below PREFIX, as a segment for lk-initrd (--segments)
  // identified by ID, what produced it: only a mark when the store already holds it.
  void segment(nlohmann::json id, const std::string& prefix, const std::function<void()>& produce) {
    if (!opts_.segments) return produce();
    // A zstd initrd holds each segment and the glue around it as archives of their own,
    // and the kernel links a file only to one of the same archive.
    oci_blobs_.clear();
    id["prefix"] = prefix;
    id["epoch"] = opts_.epoch;
    const std::string key = streams::segment_key(id);
    const std::string& codec = opts_.segments->codec;
    auto mark = [&](streams::SegmentMark::Kind kind) {
      out_.add(gen(streams::TarEntry::kFile, streams::kMarkName, 0644), streams::mark_text({kind, key, prefix, codec}));
    };
    if (auto stored = opts_.segments->store.find(key, codec)) {
      mark(streams::SegmentMark::kCached);
      for (const auto& [path, type] : stored->paths) record(path, static_cast<streams::TarEntry::Type>(type));
      return;
    }
    mark(streams::SegmentMark::kBegin);
    produce();
    mark(streams::SegmentMark::kEnd);
  }

  void kernel(const spec::Kernel& k) {
    oci::ImageData img = load(k);
    dir("boot");
    file("boot/cmdline", k.cmdline);
    json id = {{"role", "kernel"},
               {"image", img.digest},
               {"binaries", k.binaries},
               {"ucode", k.ucode.value_or("")},
               {"tar", k.tar.value_or("")}};
    segment(id, "", [&] { kernel_content(k, img); });
  }

  // The kernel image, read (its layers decompressed) once for all that needs it.
  Flattener& kernel_image(const oci::ImageData& img) {
    if (!kernel_image_) {
      kernel_image_ = std::make_unique<Flattener>(layers_of(img, 0), "", nullptr, opts_.epoch);
      kernel_image_->index();
    }
    return *kernel_image_;
  }

  // --segments auto: zstd when the kernel unpacks it (its image's config says
  // CONFIG_RD_ZSTD=y), else gzip. The answer is kept in the store by the image's
  // digest, so a warm build never reads the kernel image for it.
  std::string auto_codec() {
    const std::string gzip = streams::codec_id({streams::Codec::kGzip, -1, 0}),
                      zstd = streams::codec_id({streams::Codec::kZstd, -1, 0});
    if (!lock_.kernel) return gzip;
    oci::ImageData img = load(*lock_.kernel);
    const std::string known_path = opts_.segments->store.kernel_codec_note(img.digest);
    std::string known = trim_end(read_or_empty(known_path));
    if (known == gzip || known == zstd) return known;
    Flattener& image = kernel_image(img);
    std::string config;
    if (image.has("config"))
      image.read_member("config", [&](streams::TarReader& r, const streams::TarEntry&) {
        r.copy_data([&](const void* p, size_t n) {
          if (config.size() + n > (16 << 20)) throw InputError("kernel image " + img.name() + ": config is over 16 MiB");
          config.append(static_cast<const char*>(p), n);
        });
      });
    known = streams::initrd_codec_for(config) == streams::Codec::kZstd ? zstd : gzip;
    std::filesystem::create_directories(opts_.segments->store.dir());
    AtomicFile f(known_path);
    f.write(known + "\n");
    f.commit();
    log_.verbose("initrd: " + known + (known == zstd ? " (the kernel has CONFIG_RD_ZSTD=y)" : ""));
    return known;
  }

  // boot/kernel, boot/ucode.cpio and the modules: what the kernel image holds.
  void kernel_content(const spec::Kernel& k, const oci::ImageData& img) {
    Flattener& image = kernel_image(img);
    std::string binary;
    for (const auto& b : k.binaries) {
      if (image.has(b)) {
        binary = b;
        break;
      }
    }
    if (binary.empty())
      throw InputError("kernel image " + img.name() + " has no kernel file (looked for " + json(k.binaries).dump() +
                       ")");
    copy_member_as(image, img, binary, "boot/kernel", true);
    if (k.ucode) copy_member_as(image, img, *k.ucode, "boot/ucode.cpio", false);
    if (k.tar) {
      std::string tar = *k.tar;
      if (!image.has(tar))
        throw InputError("kernel image " + img.name() + " has no \"" + tar +
                         "\" (set kernel.tar: none if it has no modules)");
      // Unpacked at / like a layer of its own, with the same checks: the kernel's
      // unpacker would follow a symlink or a ".." in it at boot just as tar would.
      FlattenLayer modules;
      modules.where = "image " + img.name() + " " + tar;
      modules.read = [&image, tar, where = modules.where](const std::function<void(streams::TarReader&)>& fn) {
        image.read_member(tar, [&](streams::TarReader& outer, const streams::TarEntry&) {
          streams::TarReader inner = streams::TarReader::open_member(outer, where);
          fn(inner);
        });
      };
      std::vector<FlattenLayer> layers;
      layers.push_back(std::move(modules));
      Flattener(std::move(layers), "", nullptr, opts_.epoch).run(out_, recorder());
    }
  }

  void init() {
    if (lock_.init.empty()) return;
    std::vector<oci::ImageData> images;
    json digests = json::array();
    for (const auto& i : lock_.init) {
      images.push_back(load(i));
      digests.push_back(images.back().digest);
    }
    segment({{"role", "init"}, {"images", digests}}, "", [&] { init_content(images); });
  }

  void init_content(const std::vector<oci::ImageData>& inits) {
    std::vector<FlattenLayer> layers;
    int group = 0;
    std::string apk_db;
    int apk_dbs = 0;
    for (const auto& img : inits) {
      auto l = layers_of(img, group++);
      // Only a merge needs each image's own database (read as the flattener sees it).
      if (inits.size() > 1)
        apk_dbs += Flattener(l, "", nullptr, opts_.epoch)
                       .read_member(kApkDb, [&](streams::TarReader& r, const streams::TarEntry&) {
                         r.copy_data([&](const void* p, size_t n) { apk_db.append(static_cast<const char*>(p), n); });
                         if (!apk_db.empty() && apk_db.back() != '\n') apk_db += '\n';
                         apk_db += '\n';
                       });
      layers.insert(layers.end(), l.begin(), l.end());
    }
    if (layers.empty()) return;
    EditFn edit = image_edits(ImageRole::kInit, opts_.epoch);
    // Alpine-based init images each bring their apk database; as LinuxKit does, the
    // system gets all of them concatenated (so `apk info` lists every package), not
    // only the last image's.
    if (apk_dbs > 1)
      edit = [edit, apk_db](const std::string& path, const streams::TarEntry& e) -> EntryEdit {
        if (path != kApkDb || e.type != streams::TarEntry::kFile) return edit(path, e);
        EntryEdit merged{EntryEdit::kReplace, e, apk_db};
        merged.replacement.size = apk_db.size();
        return merged;
      };
    Flattener f(std::move(layers), "", edit, opts_.epoch);
    f.run(out_, recorder());
    write_touch_entries(f, "init images", "", ImageRole::kInit, opts_.epoch, out_, recorder());
  }

  void flatten_image(const oci::ImageData& img, const std::string& prefix, ImageRole role) {
    json id = {{"role", role == ImageRole::kVolume ? "volume" : "container"}, {"image", img.digest}};
    segment(id, prefix, [&] {
      Flattener f(layers_of(img, 0), prefix, image_edits(role, opts_.epoch), opts_.epoch);
      f.run(out_, recorder());
      write_touch_entries(f, "image " + img.name(), prefix, role, opts_.epoch, out_, recorder());
    });
  }

  void volumes() {
    for (const auto& v : lock_.volumes) {
      std::string base = "containers/volumes/" + v.name;
      dir(base + "/lower");
      if (v.is_oci())
        oci_layout(v, base + "/lower");
      else if (!v.image.empty())
        flatten_image(load(v), base + "/lower/", ImageRole::kVolume);
      // The guest's init mounts a volume with a tmp folder writable (an overlay whose
      // upper is there), one without read-only.
      if (!v.readonly.value_or(false)) dir(base + "/tmp");
      dir(base + "/merged");
    }
  }

  // A `format: oci` volume: the image as an OCI image layout (the platforms the lock
  // pinned), named by its reference, for a service that loads images itself.
  void oci_layout(const spec::Volume& v, const std::string& root) {
    std::string name = v.reference.value_or(v.image);
    std::string where = v.at.value_or(root) + ": volume " + v.name + " (" + name + ")";
    if (!v.manifests || !v.digest)
      throw InputError(where + ": format oci needs \"digest\" and \"manifests\" in the lock (make it with lk-pull)");
    std::set<std::string> blobs;
    std::set<std::string> picked;
    for (const auto& m : *v.manifests) {
      const std::string& digest = m.digest;
      auto manifest = oci::parse_manifest(cache_.read_blob(digest, where + ": manifest"), where);
      picked.insert(digest);
      blobs.insert(digest);
      blobs.insert(manifest.config.digest);
      for (const auto& l : manifest.layers) blobs.insert(l.digest);
    }
    std::string top = *v.digest;
    std::string top_bytes = cache_.read_blob(top, where + ": manifest");
    std::string top_type = oci::detect_media_type(top_bytes, "", where);
    std::string generated;  // an index narrowed to the pinned platforms
    if (oci::is_index_type(top_type)) {
      json index = json::parse(top_bytes);
      json kept = json::array();
      for (const auto& m : index["manifests"])
        if (picked.count(m.value("digest", ""))) kept.push_back(m);
      if (kept.size() != index["manifests"].size()) {
        index["manifests"] = kept;
        generated = index.dump();
        top_bytes = generated;
        top = "sha256:" + sha256_hex(generated);
      }
    } else if (picked.size() != 1 || !picked.count(top)) {
      throw InputError(where + ": the lock's manifests do not match its single-platform digest " + top);
    }
    if (generated.empty()) blobs.insert(top);

    nlohmann::ordered_json desc = {{"mediaType", top_type},
                                   {"digest", top},
                                   {"size", top_bytes.size()},
                                   {"annotations", {{"org.opencontainers.image.ref.name", name}}}};
    nlohmann::ordered_json index_json = {{"schemaVersion", 2}, {"manifests", {desc}}};
    file(root + "/oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
    file(root + "/index.json", index_json.dump());
    dir(root + "/blobs/sha256");
    if (!generated.empty()) file(root + "/blobs/sha256/" + top.substr(7), generated);
    for (const auto& digest : blobs) {
      std::string path = cache_.blob_path(digest);
      streams::TarEntry e = gen(streams::TarEntry::kFile, root + "/blobs/sha256/" + digest.substr(7), 0644);
      // A blob another oci volume already holds becomes a hard link to it: lower/ is
      // only ever an overlay's read-only layer, so the two never diverge.
      auto [first, fresh] = oci_blobs_.emplace(digest, e.path);
      if (!fresh) {
        e.type = streams::TarEntry::kHardlink;
        e.linkname = first->second;
        check_parents(e.path, kLayout);
        out_.add(e);
        record(e.path, e.type);
        continue;
      }
      Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
      struct stat st {};
      if (!fd || ::fstat(fd.get(), &st) != 0) throw RuntimeError(where + ": blob " + digest + " is not in the cache");
      e.size = static_cast<uint64_t>(st.st_size);
      add_from(e, fd.get(), where + ": blob " + digest);
      record(e.path, e.type);
    }
  }

  void bundles(const std::string& section, const std::vector<spec::Container>& entries) {
    size_t index = 0;
    for (const auto& entry : entries) {
      const std::string& name = entry.name;
      char num[16];
      std::snprintf(num, sizeof num, "%03zu-", index++);
      std::string base = "containers/" + section + "/" + (section == "services" ? "" : num) + name;
      oci::ImageData img = load(entry);
      OciInputs in;
      in.image = img.config;
      std::string label = moby_label_text(img.config);
      if (!label.empty()) in.label = parse_moby_label(label, lock_.ids, "image " + img.name());
      in.yaml = volume_binds_.resolved(entry.config);
      OciSpec spec;
      try {
        spec = make_oci_spec(in);
      } catch (const InputError& e) {
        throw InputError(entry.at.value_or(base) + ": " + section + " " + name + ": " + e.what());
      }

      std::string content = base + (spec.readonly ? "/rootfs" : "/lower");
      auto [first, fresh] = first_copy_.emplace(img.digest, content);
      std::string source = "/" + first->second;
      nlohmann::ordered_json mounts = nlohmann::ordered_json::array();
      if (spec.readonly) {
        // A bind of rootfs onto itself makes it a mount point, which runc prefers.
        mounts.push_back({{"destination", "/" + base + "/rootfs"}, {"source", source}, {"options", {"bind"}}});
      } else {
        mounts.push_back({{"destination", "/" + base + "/tmp"}, {"type", "tmpfs"}, {"source", "tmpfs"}});
        mounts.push_back({{"destination", "/" + base + "/tmp"}, {"options", {"remount", "private"}}});
        mounts.push_back(
            {{"destination", "/" + base + "/rootfs"},
             {"type", "overlay"},
             {"source", "overlay"},
             {"options",
              {"lowerdir=" + source, "upperdir=/" + base + "/tmp/upper", "workdir=/" + base + "/tmp/work"}}});
      }
      for (auto& m : spec.runtime["mounts"]) mounts.push_back(m);
      spec.runtime["mounts"] = mounts;

      dir(base);
      file(base + "/config.json", oci_json_text(spec.config));
      file(base + "/runtime.json", oci_json_text(spec.runtime));
      if (fresh) {
        dir(content);
        flatten_image(img, content + "/", ImageRole::kContainer);
      }
      if (!spec.readonly) dir(base + "/tmp");
      dir(base + "/rootfs");
    }
  }

  void files() {
    std::unordered_set<std::string> made;  // leading dirs made by this section, each once
    size_t i = 0;
    for (const auto& f : lock_.files) {
      std::string where = f.at.value_or("files[" + std::to_string(i) + "]");
      ++i;
      std::string path;
      try {
        path = clean_member_path(f.path, where + ": files");
      } catch (const RuntimeError& e) {
        throw InputError(e.what());
      }
      if (path.empty()) throw InputError(where + ": files: path names the root");
      uint32_t mode = static_cast<uint32_t>(f.mode) & 07777;
      uint64_t uid = static_cast<uint64_t>(f.uid), gid = static_cast<uint64_t>(f.gid);
      auto owned = [&](streams::TarEntry e) {
        e.uid = uid;
        e.gid = gid;
        return e;
      };
      std::string src;
      Fd fd;
      struct stat st {};
      if (f.source_path || f.source_home) {
        src = f.source_path ? *f.source_path : opts_.home + "/" + *f.source_home;
        fd.reset(::open(src.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
          if (f.optional.value_or(false)) {
            log_.verbose(where + ": optional source " + src + " is not there; skipped");
            continue;
          }
          throw InputError(where + ": files: source " + src + " is not a readable regular file");
        }
      }
      try {
        check_parents(path, where + ": files");
      } catch (const RuntimeError& e) {
        throw InputError(e.what());  // the spec's path, over what an image holds
      }
      // Leading directories LinuxKit adds for each file; lk leaves alone those the images already have.
      for (size_t pos = path.find('/'); pos != std::string::npos; pos = path.find('/', pos + 1)) {
        std::string d = path.substr(0, pos);
        if (written_.count(d) || made.count(d)) continue;
        out_.add(owned(gen(streams::TarEntry::kDir, d, dir_mode_for(mode))));
        made.insert(d);
        record(d, streams::TarEntry::kDir);
      }
      streams::TarEntry::Type type = streams::TarEntry::kFile;
      if (f.directory.value_or(false)) {
        type = streams::TarEntry::kDir;
        out_.add(owned(gen(streams::TarEntry::kDir, path, mode)));
      } else if (f.symlink) {
        type = streams::TarEntry::kSymlink;
        streams::TarEntry e = owned(gen(streams::TarEntry::kSymlink, path, mode));
        e.linkname = *f.symlink;
        out_.add(e);
      } else if (f.metadata) {
        const json spec = lock_.spec.value_or(json::object());
        out_.add(owned(gen(streams::TarEntry::kFile, path, mode)),
                 *f.metadata == "json" ? spec.dump(2) + "\n" : spec::json_to_yaml(spec));
      } else if (fd) {
        streams::TarEntry e = owned(gen(streams::TarEntry::kFile, path, mode));
        e.size = static_cast<uint64_t>(st.st_size);
        add_from(e, fd.get(), where + ": files: " + src);
      } else {
        out_.add(owned(gen(streams::TarEntry::kFile, path, mode)), f.contents.value_or(""));
      }
      record(path, type);
    }
  }

  const spec::Lock& lock_;
  const oci::OciLayout& cache_;
  streams::TarWriter& out_;
  RootfsOptions opts_;  // a copy: --segments auto becomes the codec chosen
  const Log& log_;
  const spec::VolumeBinds volume_binds_;
  std::unordered_map<std::string, streams::TarEntry::Type> written_;  // every path in the output, as last written
  std::map<std::string, std::string> first_copy_;                     // image digest -> bundle dir holding its files
  std::map<std::string, std::string> oci_blobs_;                      // digest -> where an oci volume holds it
  std::unique_ptr<Flattener> kernel_image_;
};

}  // namespace

void build_rootfs(const spec::Lock& lock, const oci::OciLayout& cache, streams::TarWriter& out,
                  const RootfsOptions& opts, const Log& log) {
  Builder(lock, cache, out, opts, log).run();
}

}  // namespace lk::rootfs
