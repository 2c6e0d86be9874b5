#include "runtime_apply.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "base/fs.h"
#include "modules.h"
#include "mounts.h"
#include "netlink.h"

namespace lkinit {
namespace {

void apply_mount(const std::string& bundle, const lk::guest::RuntimeMount& m, ModuleLoader* modules) {
  auto args = lk::guest::parse_mount_options(m.options);
  std::string dest = lk::guest::bundle_path(bundle, m.destination);
  std::string source = m.source;
  bool bind = args.flags & MS_BIND;
  if (bind) source = lk::guest::bundle_path(bundle, source);
  std::string data = args.data;
  if (m.type == "overlay") {
    data = lk::guest::overlay_data_in_bundle(bundle, data);
    // The upper and work dirs live on the tmpfs mounted just before; they are created here
    // because a fresh tmpfs is empty.
    for (const auto& d : lk::guest::overlay_dirs_to_create(data)) make_dirs(d);
  }
  auto load_fs = [modules](const std::string& type) { return modules && modules->load_fs(type); };
  if (args.flags & MS_REMOUNT) {
    // A remount carries only flags (LinuxKit's "remount,private" on the bundle's tmp).
    if ((args.flags & ~MS_REMOUNT) || !data.empty()) mount_or_throw("", dest, "", args.flags, data);
  } else {
    make_dirs(dest);
    if (bind) {
      mount_or_throw(source, dest, "", args.flags & (MS_BIND | MS_REC), "");
      // Bind mounts ignore other flags until remounted (ro, nosuid...).
      unsigned long extra = args.flags & ~(MS_BIND | MS_REC);
      if (extra) mount_or_throw("", dest, "", MS_REMOUNT | MS_BIND | extra, "");
    } else {
      mount_or_throw(source.empty() ? m.type : source, dest, m.type, args.flags, data, load_fs);
    }
  }
  if (args.propagation) mount_or_throw("", dest, "", args.propagation, "");
}

}  // namespace

lk::guest::RuntimeConfig load_runtime(const std::string& bundle) {
  std::string path = bundle + "/runtime.json";
  if (::access(path.c_str(), F_OK) != 0) return {};
  return lk::guest::parse_runtime(lk::read_file(path), path);
}

void prepare_filesystem(const std::string& bundle, const lk::guest::RuntimeConfig& rc, ModuleLoader* modules) {
  for (const auto& d : rc.mkdir) make_dirs(lk::guest::bundle_path(bundle, d));
  for (const auto& cg : rc.cgroups) {
    std::string dir = "/sys/fs/cgroup/" + cg;
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) lk::throw_errno("cgroup " + dir);
  }
  std::string rootfs = bundle + "/rootfs";
  // Already prepared (a service restarted without cleanup): mounting again would stack.
  if (is_mountpoint(rootfs)) return;
  for (const auto& m : rc.mounts) apply_mount(bundle, m, modules);
  if (is_mountpoint(rootfs)) return;
  auto load_fs = [modules](const std::string& type) { return modules && modules->load_fs(type); };
  if (::access((bundle + "/lower").c_str(), F_OK) == 0) {
    std::string tmp = bundle + "/tmp";
    make_dirs(tmp);
    mount_or_throw("tmpfs", tmp, "tmpfs", 0, "size=10%");
    mount_or_throw("", tmp, "", MS_PRIVATE, "");
    make_dirs(tmp + "/upper");
    make_dirs(tmp + "/work");
    make_dirs(rootfs);
    mount_or_throw("overlay", rootfs, "overlay", 0,
                   "lowerdir=" + bundle + "/lower,upperdir=" + tmp + "/upper,workdir=" + tmp + "/work", load_fs);
  } else {
    mount_or_throw(rootfs, rootfs, "", MS_BIND, "");
  }
}

void prepare_process(const std::string& name, pid_t pid, const lk::guest::RuntimeConfig& rc, ModuleLoader* modules,
                     const Console& con) {
  std::string ns = std::to_string(pid);
  for (const auto& i : rc.interfaces) {
    if (!i.add.empty()) {
      // The kernel would ask /sbin/modprobe for the link type's module; loading it here
      // does not depend on a modprobe being there.
      if (modules) modules->load({i.add});
      link_add(i.name, i.add, i.peer);
    }
    // Created in the root namespace (or already there): move it into the container's.
    link_set_netns(i.name, pid);
    con.line(name + ": interface " + i.name + (i.add.empty() ? "" : " (" + i.add + ")") +
             " moved into its network namespace");
  }
  for (const auto& [kind, path] : rc.bind_ns) {
    make_dirs(lk::dirname_of(path));
    lk::Fd f(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
    if (!f) lk::throw_errno("bindNS " + path);
    mount_or_throw("/proc/" + ns + "/ns/" + kind, path, "", MS_BIND, "");
    con.line(name + ": " + kind + " namespace bound at " + path);
  }
}

void cleanup_filesystem(const std::string& bundle, const lk::guest::RuntimeConfig& rc) {
  for (auto it = rc.mounts.rbegin(); it != rc.mounts.rend(); ++it) {
    std::string dest = lk::guest::bundle_path(bundle, it->destination);
    if (dest.rfind(bundle + "/", 0) != 0) continue;  // only the bundle's own mounts
    if (is_mountpoint(dest)) ::umount2(dest.c_str(), MNT_DETACH);
  }
  for (const char* sub : {"/rootfs", "/tmp"}) {
    std::string p = bundle + sub;
    while (is_mountpoint(p) && ::umount2(p.c_str(), MNT_DETACH) == 0) {}
  }
}

}  // namespace lkinit
