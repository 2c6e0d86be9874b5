#include "rootfs/edits.h"

#include <set>

#include "base/path_norm.h"

namespace lk::rootfs {

namespace {

constexpr const char* kHosts =
    "127.0.0.1       localhost\n"
    "::1     localhost ip6-localhost ip6-loopback\n"
    "fe00::0 ip6-localnet\n"
    "ff00::0 ip6-mcastprefix\n"
    "ff02::1 ip6-allnodes\n"
    "ff02::2 ip6-allrouters\n";
constexpr const char* kResolv = "\n# no resolv.conf configured\n";

streams::TarEntry generated(streams::TarEntry::Type type, uint32_t mode, int64_t epoch, std::string link = "") {
  streams::TarEntry e;
  e.type = type;
  e.mode = mode;
  e.mtime = epoch;
  e.linkname = std::move(link);
  return e;
}

EntryEdit replacement_for(const std::string& path, ImageRole role, int64_t epoch) {
  EntryEdit edit;
  edit.kind = EntryEdit::kReplace;
  if (path == "etc/hosts") {
    edit.replacement = generated(streams::TarEntry::kFile, 0644, epoch);
    edit.contents = kHosts;
  } else if (role != ImageRole::kContainer) {  // etc/resolv.conf of init and volume images
    edit.replacement = generated(streams::TarEntry::kSymlink, 0777, epoch, "/run/resolvconf/resolv.conf");
  } else {
    edit.replacement = generated(streams::TarEntry::kFile, 0644, epoch);
    edit.contents = kResolv;
  }
  return edit;
}

}  // namespace

EditFn image_edits(ImageRole role, int64_t epoch) {
  return [role, epoch](const std::string& path, const streams::TarEntry&) -> EntryEdit {
    static const std::set<std::string> dropped = {".dockerenv", "Dockerfile", "dev/console",
                                                  "dev/pts",    "dev/shm",    "etc/hostname"};
    if (dropped.count(path)) return {EntryEdit::kDrop, {}, {}};
    if (path == "etc/hosts" || path == "etc/resolv.conf") return replacement_for(path, role, epoch);
    return {};
  };
}

void write_touch_entries(const Flattener& image, const std::string& where, const std::string& prefix, ImageRole role,
                         int64_t epoch, streams::TarWriter& out, const OnWrite& on_write) {
  static const char* const kTouched[] = {"dev",      "dev/pts",         "dev/shm", "etc", "etc/hosts",
                                         "etc/mtab", "etc/resolv.conf", "proc",    "sys"};
  for (const char* p : kTouched) {
    std::string path = p;
    if (image.written(path)) continue;
    image.check_parents(path, where);
    streams::TarEntry e;
    std::string contents;
    if (path == "etc/mtab") {
      e = generated(streams::TarEntry::kSymlink, 0777, epoch, "/proc/mounts");
    } else if (path == "etc/hosts" || path == "etc/resolv.conf") {
      EntryEdit r = replacement_for(path, role, epoch);
      e = r.replacement;
      contents = r.contents;
    } else {
      e = generated(streams::TarEntry::kDir, 0755, epoch);
    }
    e.path = join_member(prefix, path);
    out.add(e, contents);
    if (on_write) on_write(e.path, e.type);
  }
}

}  // namespace lk::rootfs
