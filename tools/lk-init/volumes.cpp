#include "volumes.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "base/error.h"
#include "base/fs.h"
#include "containers.h"
#include "guest/volumes.h"
#include "modules.h"
#include "mounts.h"

namespace lkinit {
namespace {

bool is_dir(int dir_fd, const char* name) {
  struct stat st {};
  return ::fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

lk::guest::VolumeLayout layout_of(int volumes_fd, const std::string& name) {
  lk::guest::VolumeLayout v;
  v.name = name;
  lk::Fd fd(::openat(volumes_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) return v;
  v.lower = is_dir(fd.get(), "lower");
  v.tmp = is_dir(fd.get(), "tmp");
  v.merged = is_dir(fd.get(), "merged");
  if (v.lower) {
    lk::Fd lower(::openat(fd.get(), "lower", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
    try {
      v.lower_empty = lower && lk::list_dir(lower.get(), name + "/lower").empty();
    } catch (const lk::RuntimeError&) {
      v.lower_empty = false;  // unreadable: leave it to the mount to say so
    }
  }
  return v;
}

}  // namespace

void mount_volumes(const Console& con, ModuleLoader* modules) {
  const std::string dir = std::string(kContainers) + "/volumes";
  lk::Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return;  // a system without volumes
  auto load_fs = [modules](const std::string& type) { return modules && modules->load_fs(type); };
  for (const auto& [name, type] : lk::list_dir_or_empty(dir)) {
    if (!is_dir(fd.get(), name.c_str())) continue;
    try {
      auto plan = lk::guest::volume_mounts(dir, layout_of(fd.get(), name));
      for (const auto& s : plan.steps) {
        if (s.kind == lk::guest::VolumeStep::kMkdir)
          make_dirs(s.target);
        else
          mount_or_throw(s.source, s.target, s.type, s.flags, s.data, load_fs);
      }
      con.line("volume " + name + ": " + plan.summary);
    } catch (const lk::Error& e) {
      con.line("volume " + name + ": not mounted: " + e.what());
    }
  }
}

}  // namespace lkinit
