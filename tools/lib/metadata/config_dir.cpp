#include "metadata/config_dir.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <random>

#include "base/error.h"

namespace lk::metadata {

namespace {

[[noreturn]] void fail(const std::string& what, int err) { throw RuntimeError(what + ": " + strerror(err)); }

// PATH's folders made one by one, as mkdir -p.
void make_parents(const std::string& path) {
  std::string sofar;
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i < path.size() && path[i] != '/') continue;
    sofar = path.substr(0, i);
    if (::mkdir(sofar.c_str(), 0755) != 0 && errno != EEXIST) fail(sofar, errno);
  }
}

}  // namespace

bool safe_name(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.size() <= 255 &&
         name.find_first_of(std::string_view("/\0", 2)) == std::string_view::npos;
}

std::vector<std::string> rel_path(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t slash = path.find('/', start);
    std::string_view part =
        path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!safe_name(part)) throw InputError("\"" + std::string(path) + "\" is not a relative path of plain names");
    out.emplace_back(part);
    if (slash == std::string_view::npos) return out;
    start = slash + 1;
  }
}

ConfigDir::ConfigDir(std::string path) : path_(std::move(path)) {
  if (path_.empty()) throw InputError("the metadata folder has no name");
  make_parents(path_);
  dir_ = Fd(::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_) fail(path_, errno);
}

std::string ConfigDir::shown(const std::vector<std::string>& rel) const {
  std::string s = path_;
  for (const auto& r : rel) s += "/" + r;
  return s;
}

Fd ConfigDir::open_parent(const std::vector<std::string>& rel, bool create) const {
  Fd cur(::dup(dir_.get()));
  if (!cur) fail(path_, errno);
  for (size_t i = 0; i + 1 < rel.size(); ++i) {
    if (!safe_name(rel[i])) throw RuntimeError(shown(rel) + ": not a plain name: \"" + rel[i] + "\"");
    if (create && ::mkdirat(cur.get(), rel[i].c_str(), 0755) != 0 && errno != EEXIST)
      fail(shown({rel.begin(), rel.begin() + static_cast<long>(i) + 1}), errno);
    Fd next(::openat(cur.get(), rel[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next) {
      if (!create && errno == ENOENT) return Fd();
      fail(shown({rel.begin(), rel.begin() + static_cast<long>(i) + 1}), errno == ELOOP ? ENOTDIR : errno);
    }
    cur = std::move(next);
  }
  return cur;
}

void ConfigDir::write(const std::vector<std::string>& rel, std::string_view data, mode_t mode) const {
  if (rel.empty() || !safe_name(rel.back())) throw RuntimeError(shown(rel) + ": not a plain file name");
  Fd parent = open_parent(rel, true);
  const std::string& name = rel.back();
  std::string tmp;
  Fd f;
  std::random_device rd;
  for (int tries = 0; tries < 16 && !f; ++tries) {
    tmp = "." + name.substr(0, 200) + ".tmp-" + std::to_string(rd() % 1000000);
    f = Fd(::openat(parent.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!f && errno != EEXIST) fail(shown(rel), errno);
  }
  if (!f) fail(shown(rel), EEXIST);
  try {
    write_all(f.get(), data, shown(rel));
    // The mode exactly as asked: fchmod, because the umask would narrow the open's mode.
    if (::fchmod(f.get(), mode & 07777) != 0) fail(shown(rel), errno);
    if (::renameat(parent.get(), tmp.c_str(), parent.get(), name.c_str()) != 0) fail(shown(rel), errno);
  } catch (...) {
    ::unlinkat(parent.get(), tmp.c_str(), 0);
    throw;
  }
}

void ConfigDir::make_dir(const std::vector<std::string>& rel, mode_t mode) const {
  if (rel.empty()) return;
  if (!safe_name(rel.back())) throw RuntimeError(shown(rel) + ": not a plain folder name");
  Fd parent = open_parent(rel, true);
  if (::mkdirat(parent.get(), rel.back().c_str(), 0700) == 0) {
    Fd d(::openat(parent.get(), rel.back().c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!d || ::fchmod(d.get(), mode & 07777) != 0) fail(shown(rel), errno);
    return;
  }
  if (errno != EEXIST) fail(shown(rel), errno);
  struct stat st {};
  if (::fstatat(parent.get(), rel.back().c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) fail(shown(rel), errno);
  if (!S_ISDIR(st.st_mode)) throw RuntimeError(shown(rel) + ": exists and is not a folder");
}

std::optional<std::string> ConfigDir::read(const std::vector<std::string>& rel, size_t max) const {
  if (rel.empty()) return std::nullopt;
  Fd parent = open_parent(rel, false);
  if (!parent) return std::nullopt;
  Fd f(::openat(parent.get(), rel.back().c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (!f) {
    if (errno == ENOENT) return std::nullopt;
    fail(shown(rel), errno);
  }
  struct stat st {};
  if (::fstat(f.get(), &st) != 0) fail(shown(rel), errno);
  if (!S_ISREG(st.st_mode)) throw RuntimeError(shown(rel) + ": not a regular file");
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(f.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(shown(rel), errno);
    if (n == 0) return out;
    if (out.size() + static_cast<size_t>(n) > max)
      throw RuntimeError(shown(rel) + ": larger than " + std::to_string(max) + " bytes");
    out.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace lk::metadata
