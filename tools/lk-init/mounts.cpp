#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "base/error.h"
#include "base/fs.h"
#include "base/strings.h"

namespace lkinit {
namespace {

constexpr const char* kNewRoot = "/.lk-newroot";

void copy_regular(int src_dir, const char* name, int dst_dir, const struct stat& st) {
  lk::Fd in(::openat(src_dir, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!in) lk::throw_errno(std::string("open ") + name);
  lk::Fd out(::openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777));
  if (!out) lk::throw_errno(std::string("create ") + name);
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(in.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      lk::throw_errno(std::string("read ") + name);
    }
    if (n == 0) break;
    lk::write_all(out.get(), std::string_view(buf, static_cast<size_t>(n)), name);
  }
  (void)::fchown(out.get(), st.st_uid, st.st_gid);
  (void)::fchmod(out.get(), st.st_mode & 07777);
  timespec times[2] = {st.st_atim, st.st_mtim};
  (void)::futimens(out.get(), times);
}

// Moves the contents of SRC_DIR into DST_DIR, recursively; files are unlinked as soon as
// they are copied so the initramfs never needs twice its size in memory.
void move_tree(int src_dir, int dst_dir, dev_t root_dev) {
  for (const auto& [n, type] : lk::list_dir(src_dir, "the initramfs")) {
    const char* name = n.c_str();
    struct stat st {};
    if (::fstatat(src_dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (st.st_dev != root_dev) continue;  // a mount point (or the new root itself): not ours
    timespec times[2] = {st.st_atim, st.st_mtim};
    if (S_ISDIR(st.st_mode)) {
      if (::mkdirat(dst_dir, name, st.st_mode & 07777) != 0 && errno != EEXIST) lk::throw_errno("mkdir " + n);
      lk::Fd s(::openat(src_dir, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
      lk::Fd t(::openat(dst_dir, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
      if (!s || !t) lk::throw_errno("open dir " + n);
      move_tree(s.get(), t.get(), root_dev);
      (void)::fchownat(dst_dir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
      (void)::fchmodat(dst_dir, name, st.st_mode & 07777, 0);
      (void)::utimensat(dst_dir, name, times, AT_SYMLINK_NOFOLLOW);
      (void)::unlinkat(src_dir, name, AT_REMOVEDIR);
      continue;
    }
    if (S_ISREG(st.st_mode)) {
      copy_regular(src_dir, name, dst_dir, st);
    } else if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      ssize_t len = ::readlinkat(src_dir, name, target.data(), target.size());
      if (len < 0) lk::throw_errno("readlink " + n);
      target.resize(static_cast<size_t>(len));
      if (::symlinkat(target.c_str(), dst_dir, name) != 0) lk::throw_errno("symlink " + n);
      (void)::fchownat(dst_dir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
      (void)::utimensat(dst_dir, name, times, AT_SYMLINK_NOFOLLOW);
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
      if (::mknodat(dst_dir, name, st.st_mode, st.st_rdev) != 0) lk::throw_errno("mknod " + n);
      (void)::fchownat(dst_dir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
      (void)::utimensat(dst_dir, name, times, AT_SYMLINK_NOFOLLOW);
    } else {
      continue;  // sockets cannot be in an initramfs
    }
    (void)::unlinkat(src_dir, name, 0);
  }
}

bool try_mount(const char* src, const char* dst, const char* type, unsigned long flags, const char* data) {
  ::mkdir(dst, 0755);
  return ::mount(src, dst, type, flags, data) == 0;
}

}  // namespace

bool root_is_initramfs() {
  struct statfs fs {};
  if (::statfs("/", &fs) != 0) return false;
  if (fs.f_type != RAMFS_MAGIC && fs.f_type != TMPFS_MAGIC) return false;
  // A tmpfs we already moved to is a mount of its own, with a parent in mountinfo; the
  // initramfs is the root of the mount tree. Before /proc exists, look for our marker.
  return ::access("/.lk-root-moved", F_OK) != 0;
}

double move_root_to_tmpfs() {
  timespec t0{}, t1{};
  ::clock_gettime(CLOCK_MONOTONIC, &t0);
  ::mkdir(kNewRoot, 0755);
  mount_or_throw("rootfs", kNewRoot, "tmpfs", 0, "mode=0755");
  {
    struct stat root_st {};
    if (::stat("/", &root_st) != 0) lk::throw_errno("stat /");
    lk::Fd src(::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    lk::Fd dst(::open(kNewRoot, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!src || !dst) lk::throw_errno("open root");
    move_tree(src.get(), dst.get(), root_st.st_dev);
    lk::Fd mark(::openat(dst.get(), ".lk-root-moved", O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  }
  if (::chdir(kNewRoot) != 0) lk::throw_errno("chdir new root");
  if (::mount(".", "/", nullptr, MS_MOVE, nullptr) != 0) lk::throw_errno("move new root to /");
  if (::chroot(".") != 0) lk::throw_errno("chroot");
  if (::chdir("/") != 0) lk::throw_errno("chdir /");
  ::clock_gettime(CLOCK_MONOTONIC, &t1);
  return static_cast<double>(t1.tv_sec - t0.tv_sec) + static_cast<double>(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

void make_dirs(const std::string& dir, unsigned mode) {
  if (dir.empty()) return;
  std::string cur;
  size_t pos = 0;
  while (pos <= dir.size()) {
    size_t slash = dir.find('/', pos);
    if (slash == std::string::npos) slash = dir.size();
    cur = dir.substr(0, slash);
    pos = slash + 1;
    if (cur.empty()) continue;
    if (::mkdir(cur.c_str(), mode) != 0 && errno != EEXIST) lk::throw_errno("mkdir " + cur);
  }
}

void mount_or_throw(const std::string& source, const std::string& target, const std::string& type, unsigned long flags,
                    const std::string& data, const std::function<bool(const std::string&)>& load_fs) {
  auto attempt = [&] {
    return ::mount(source.empty() ? nullptr : source.c_str(), target.c_str(), type.empty() ? nullptr : type.c_str(),
                   flags, data.empty() ? nullptr : data.c_str());
  };
  if (attempt() == 0) return;
  if (errno == ENODEV && load_fs && !type.empty() && load_fs(type) && attempt() == 0) return;
  std::string what = "mount " + (type.empty() ? std::string("(bind)") : type) + " " + source + " on " + target;
  if (!data.empty()) what += " (" + data + ")";
  lk::throw_errno(what);
}

bool is_mountpoint(const std::string& path) {
  struct stat a {
  }, b{};
  if (::stat(path.c_str(), &a) != 0) return false;
  if (::stat((path + "/..").c_str(), &b) != 0) return false;
  if (a.st_dev != b.st_dev) return true;
  // Bind mounts of a directory onto itself keep st_dev: compare mount ids instead.
  struct statx sa {
  }, sb{};
  if (::statx(AT_FDCWD, path.c_str(), 0, STATX_MNT_ID, &sa) != 0) return false;
  if (::statx(AT_FDCWD, (path + "/..").c_str(), 0, STATX_MNT_ID, &sb) != 0) return false;
  if (!(sa.stx_mask & STATX_MNT_ID)) return false;
  return sa.stx_mnt_id != sb.stx_mnt_id;
}

void mount_proc() {
  make_dirs("/proc");
  mount_or_throw("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "");
}

void mount_base(const Console& con, bool root_readonly) {
  constexpr unsigned long kNoSuidDevExec = MS_NOSUID | MS_NODEV | MS_NOEXEC;
  // /run, /tmp and /var are tmpfs in LinuxKit, so the root can be read-only.
  make_dirs("/run");
  make_dirs("/tmp");
  make_dirs("/var");
  make_dirs("/dev");
  make_dirs("/sys");
  if (root_readonly && ::mount(nullptr, "/", nullptr, MS_REMOUNT | MS_RDONLY, nullptr) != 0)
    con.line(std::string("warning: cannot remount / read-only: ") + strerror(errno));
  mount_or_throw("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=10%,mode=755");
  mount_or_throw("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=10%,mode=1777");
  mount_or_throw("tmpfs", "/var", "tmpfs", MS_NOSUID | MS_NODEV, "size=50%,mode=755");
  for (const char* d : {"/var/cache", "/var/lib", "/var/local", "/var/lock", "/var/log", "/var/opt", "/var/spool"})
    make_dirs(d);
  ::mkdir("/var/empty", 0555);
  ::mkdir("/var/tmp", 01777);
  ::chmod("/var/tmp", 01777);
  (void)::symlink("/run", "/var/run");
  mount_or_throw("dev", "/dev", "devtmpfs", MS_NOSUID | MS_NOEXEC, "size=10m");
  // devtmpfs has the nodes already; these symlinks are what a shell expects around them.
  (void)::symlink("/proc/self/fd", "/dev/fd");
  (void)::symlink("/proc/self/fd/0", "/dev/stdin");
  (void)::symlink("/proc/self/fd/1", "/dev/stdout");
  (void)::symlink("/proc/self/fd/2", "/dev/stderr");
  (void)::symlink("/proc/kcore", "/dev/kcore");
  try_mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "gid=5,mode=0620,ptmxmode=666");
  try_mount("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
  ::chmod("/dev/shm", 01777);
  try_mount("mqueue", "/dev/mqueue", "mqueue", kNoSuidDevExec, nullptr);
  mount_or_throw("sysfs", "/sys", "sysfs", kNoSuidDevExec, "");
  // runc needs a cgroup mount; LinuxKit's default is the unified v2 hierarchy.
  mount_or_throw("cgroup2", "/sys/fs/cgroup", "cgroup2", kNoSuidDevExec, "");
  // Best effort, as in LinuxKit: these exist only when the kernel has them.
  try_mount("securityfs", "/sys/kernel/security", "securityfs", kNoSuidDevExec, nullptr);
  try_mount("debugfs", "/sys/kernel/debug", "debugfs", kNoSuidDevExec, nullptr);
  try_mount("configfs", "/sys/kernel/config", "configfs", kNoSuidDevExec, nullptr);
  try_mount("bpf", "/sys/fs/bpf", "bpf", kNoSuidDevExec, nullptr);
  try_mount("pstore", "/sys/fs/pstore", "pstore", kNoSuidDevExec, nullptr);
  // Shared propagation lets a container's bind of /run or /var see later host mounts.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_SHARED, nullptr) != 0)
    con.line(std::string("warning: cannot make / rshared: ") + strerror(errno));
}

void unmount_all(const Console& con) {
  std::string text;
  try {
    text = lk::read_file("/proc/self/mounts");
  } catch (...) {
    return;
  }
  std::vector<std::string> targets;
  for (const std::string& line : lk::split(text, '\n')) {
    auto a = line.find(' ');
    auto b = line.find(' ', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string target = line.substr(a + 1, b - a - 1);
    if (target == "/" || target == "/proc" || target == "/sys" || target == "/dev") continue;
    targets.push_back(target);
  }
  int failed = 0;
  for (auto it = targets.rbegin(); it != targets.rend(); ++it)
    if (::umount2(it->c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) ++failed;
  ::sync();
  (void)::mount(nullptr, "/", nullptr, MS_REMOUNT | MS_RDONLY, nullptr);
  if (failed) con.line("warning: " + std::to_string(failed) + " mounts could not be detached");
}

}  // namespace lkinit
