#include "modules.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <functional>

#include "base/fs.h"

namespace lkinit {
namespace {

// Walks /sys/devices without following symlinks (sysfs is full of cycles through them).
void walk_modaliases(const std::string& dir, int depth, std::set<std::string>& out) {
  if (depth > 24) return;
  for (const auto& [n, type] : lk::list_dir_or_empty(dir)) {
    if (type == DT_DIR) {
      walk_modaliases(dir + "/" + n, depth + 1, out);
    } else if (n == "modalias" && type == DT_REG) {
      std::string a = lk::read_or_empty(dir + "/modalias");
      while (!a.empty() && (a.back() == '\n' || a.back() == ' ')) a.pop_back();
      if (!a.empty()) out.insert(a);
    }
  }
}

}  // namespace

ModuleLoader::ModuleLoader(const Console& con, const std::string& root) : con_(con) {
  utsname u{};
  ::uname(&u);
  dir_ = (root == "/" ? std::string() : root) + "/lib/modules/" + u.release;
  index_.add_dep(lk::read_or_empty(dir_ + "/modules.dep"));
  index_.add_alias(lk::read_or_empty(dir_ + "/modules.alias"));
  index_.add_builtin(lk::read_or_empty(dir_ + "/modules.builtin"));
  loaded_ = lk::guest::parse_proc_modules(lk::read_or_empty("/proc/modules"));
}

bool ModuleLoader::insert(const std::string& rel) {
  std::string name = lk::guest::module_name(rel);
  if (loaded_.count(name)) return true;
  if (failed_.count(name)) return false;
  std::string path = dir_ + "/" + rel;
  lk::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    con_.line("module " + name + ": " + strerror(errno));
    failed_.insert(name);
    return false;
  }
  if (::syscall(SYS_finit_module, fd.get(), "", 0) != 0 && errno != EEXIST) {
    con_.line("module " + name + ": load failed: " + strerror(errno));
    failed_.insert(name);
    return false;
  }
  loaded_.insert(name);
  return true;
}

bool ModuleLoader::load(const std::vector<std::string>& names) {
  if (!available()) return false;
  std::vector<std::string> resolved;
  bool ok = true;
  for (const auto& n : names) {
    auto r = index_.resolve(n);
    if (r.empty()) {
      ok = false;
      continue;
    }
    resolved.insert(resolved.end(), r.begin(), r.end());
  }
  std::vector<std::string> missing;
  for (const auto& path : index_.load_order(resolved, loaded_, &missing)) ok = insert(path) && ok;
  return ok && missing.empty();
}

bool ModuleLoader::load_fs(const std::string& type) {
  if (!available()) return false;
  // Debian's file system modules carry "fs-TYPE" aliases (what the kernel's own
  // request_module asks for); the module name itself is the fallback.
  if (!index_.resolve("fs-" + type).empty()) return load({"fs-" + type});
  return load({type});
}

std::set<std::string> ModuleLoader::scan_modaliases() const {
  std::set<std::string> out;
  walk_modaliases("/sys/devices", 0, out);
  return out;
}

std::vector<std::string> ModuleLoader::load_for_hardware() {
  std::vector<std::string> loaded_now;
  if (!available()) return loaded_now;
  std::set<std::string> seen_aliases;
  for (int pass = 0; pass < 8; ++pass) {
    std::vector<std::string> wanted;
    for (const auto& alias : scan_modaliases()) {
      if (!seen_aliases.insert(alias).second) continue;
      for (auto& m : index_.match(alias))
        if (!loaded_.count(m) && !failed_.count(m)) wanted.push_back(m);
    }
    if (wanted.empty()) break;
    size_t before = loaded_.size();
    std::set<std::string> before_set = loaded_;
    load(wanted);
    for (const auto& m : loaded_)
      if (!before_set.count(m)) loaded_now.push_back(m);
    if (loaded_.size() == before) break;
  }
  return loaded_now;
}

}  // namespace lkinit
