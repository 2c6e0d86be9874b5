#include "base/fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "base/error.h"

namespace lk {

void throw_errno(const std::string& what) { throw RuntimeError(what + ": " + std::strerror(errno)); }

void Fd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

std::string read_stream(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EISDIR) throw InputError("the input is a directory, not a file");
      throw_errno("read");
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string read_file(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw InputError(path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && S_ISDIR(st.st_mode)) throw InputError(path + ": is a directory, not a file");
  try {
    return read_stream(fd.get());
  } catch (const RuntimeError& e) {
    throw RuntimeError(path + ": " + e.what());
  }
}

void read_chunks(const std::string& path, const std::function<void(const char* data, size_t len)>& fn) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw_errno("open " + path);
  std::vector<char> buf(1 << 20);
  for (;;) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("read " + path);
    if (n == 0) return;
    fn(buf.data(), static_cast<size_t>(n));
  }
}

std::string read_or_empty(const std::string& path) {
  try {
    return read_file(path);
  } catch (const Error&) {
    return "";
  }
}

void write_all(int fd, std::string_view data, const std::string& what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("write " + what);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

std::string dirname_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

namespace {
// Reads and closes D (NULL: the open failed, errno set).
std::vector<DirEntry> read_dir(DIR* d, const std::string& what) {
  if (!d) throw_errno("cannot list " + what);
  std::vector<DirEntry> out;
  errno = 0;
  while (dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") out.push_back({std::string(n), e->d_type});
  }
  int err = errno;
  ::closedir(d);
  if (err != 0) {
    errno = err;
    throw_errno("cannot list " + what);
  }
  std::sort(out.begin(), out.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return out;
}
}  // namespace

std::vector<DirEntry> list_dir(const std::string& path) { return read_dir(::opendir(path.c_str()), path); }

std::vector<DirEntry> list_dir(int dirfd, const std::string& what) {
  // fdopendir takes the descriptor it is given, and reads on from its offset.
  int copy = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR* d = copy < 0 ? nullptr : ::fdopendir(copy);
  if (copy >= 0 && !d) {
    int err = errno;
    ::close(copy);
    errno = err;
  }
  return read_dir(d, what);
}

std::vector<DirEntry> list_dir_or_empty(const std::string& path) {
  DIR* d = ::opendir(path.c_str());
  return d ? read_dir(d, path) : std::vector<DirEntry>{};
}

std::string executable_dir() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) throw_errno("readlink /proc/self/exe");
  return dirname_of(std::string(buf, static_cast<size_t>(n)));
}

std::string default_cache_dir(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* c = std::getenv("LK_CACHE"); c && *c) return c;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/lk";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/lk";
  throw InputError("no cache directory: set --cache, LK_CACHE, XDG_CACHE_HOME or HOME");
}

namespace {

// Takes an exclusive flock on FD; false when another process holds one.
bool try_lock(int fd) { return ::flock(fd, LOCK_EX | LOCK_NB) == 0; }

// Whether PATH still names the file open as FD (a stale-temp sweep may have removed
// it between its creation and our lock).
bool still_named(int fd, const std::string& path) {
  struct stat a {
  }, b{};
  return ::fstat(fd, &a) == 0 && ::lstat(path.c_str(), &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

std::string base_name(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// PATH with symlinks followed, also a dangling last one, so that replacing the result
// keeps the links.
std::string follow_links(std::string path) {
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return path;
    std::vector<char> buf(static_cast<size_t>(st.st_size) + 256);
    ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
    if (n < 0) throw_errno("readlink " + path);
    std::string target(buf.data(), static_cast<size_t>(n));
    path = target.starts_with('/') ? target : dirname_of(path) + "/" + target;
  }
  throw InputError(path + ": too many levels of symbolic links");
}

// The descriptor a name such as /dev/stdout or /proc/self/fd/3 stands for, or -1.
int named_descriptor(const std::string& path) {
  if (path == "/dev/stdout") return STDOUT_FILENO;
  if (path == "/dev/stderr") return STDERR_FILENO;
  for (std::string_view dir : {"/dev/fd/", "/proc/self/fd/"}) {
    if (!path.starts_with(dir) || path.size() == dir.size() || path.size() > dir.size() + 6) continue;
    int fd = 0;
    for (char c : path.substr(dir.size())) {
      if (c < '0' || c > '9') return -1;
      fd = fd * 10 + (c - '0');
    }
    return fd;
  }
  return -1;
}

}  // namespace

void remove_stale_temps(const std::string& dir, const std::string& prefix) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.size() != prefix.size() + 6 || !name.starts_with(prefix)) continue;
    Fd fd(::open(entry.path().c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd || !try_lock(fd.get())) continue;
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode))
      std::filesystem::remove_all(entry.path(), ec);
    else
      ::unlink(entry.path().c_str());
  }
}

TempDir::TempDir(const std::string& parent, const std::string& prefix) {
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  for (;;) {
    std::string tmpl = parent + "/" + prefix + "-XXXXXX";
    if (!::mkdtemp(tmpl.data())) throw_errno("create a temporary folder in " + parent);
    lock_.reset(::open(tmpl.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!lock_) throw_errno("open " + tmpl);
    ::flock(lock_.get(), LOCK_EX);
    path_ = tmpl;
    if (still_named(lock_.get(), path_)) break;
  }
  remove_stale_temps(parent, prefix + "-");
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

AtomicFile::AtomicFile(std::string path, int mode) {
  if (int named = named_descriptor(path); named >= 0) {
    fd_.reset(::fcntl(named, F_DUPFD_CLOEXEC, 3));
    if (!fd_) throw InputError(path + ": " + std::strerror(errno));
    path_ = std::move(path);
    return;
  }
  path_ = follow_links(path);
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) throw InputError(path + ": is a directory (an output must be a file)");
    fd_.reset(::open(path_.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC));
    if (!fd_) throw_errno("open " + path);
    return;
  }
  for (;;) {
    std::string tmpl = path_ + ".tmp-XXXXXX";
    int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
    if (fd < 0) throw_errno("create " + path_);
    fd_.reset(fd);
    tmp_ = tmpl;
    ::flock(fd, LOCK_EX);
    if (still_named(fd, tmp_)) break;
  }
  if (::fchmod(fd_.get(), static_cast<mode_t>(mode)) != 0) throw_errno("chmod " + tmp_);
  remove_stale_temps(dirname_of(path_), base_name(path_) + ".tmp-");
}

AtomicFile::~AtomicFile() {
  if (!committed_ && !direct()) ::unlink(tmp_.c_str());
}

void AtomicFile::write(std::string_view data) { write_all(fd_.get(), data, path_); }

void AtomicFile::commit() {
  if (direct()) {
    fd_.reset();
    committed_ = true;
    return;
  }
  if (::fsync(fd_.get()) != 0) throw_errno("fsync " + tmp_);
  // Renamed while still locked, so no stale-temp sweep can take it first.
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) throw_errno("rename " + tmp_ + " to " + path_);
  committed_ = true;
  fd_.reset();
  Fd dir(::open(dirname_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir) ::fsync(dir.get());
}

Fd open_input(const std::string& path, const std::string& what) {
  Fd fd(path == "-" ? ::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3) : ::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  const std::string name = path == "-" ? "stdin" : path;
  if (!fd) throw InputError(name + ": " + std::strerror(errno) + " (expected " + what + ")");
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw_errno("stat " + name);
  if (S_ISDIR(st.st_mode)) throw InputError(name + ": is a directory (expected " + what + ")");
  if (::isatty(fd.get())) throw InputError(name + ": is a terminal (expected " + what + "; use -i FILE or a pipe)");
  return fd;
}

void write_output(const std::string& path, std::string_view data) {
  if (path.empty() || path == "-") {
    write_all(STDOUT_FILENO, data, "stdout");
    return;
  }
  AtomicFile f(path);
  f.write(data);
  f.commit();
}

std::string temp_root() {
  const char* t = std::getenv("TMPDIR");
  return t && *t ? t : "/tmp";
}

Fd temp_file() {
  std::string d = temp_root();
  int fd = ::open(d.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) {
    std::string tmpl = d + "/lk-XXXXXX";
    fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
    if (fd < 0) throw_errno("temporary file in " + d);
    ::unlink(tmpl.c_str());
  }
  return Fd(fd);
}

bool path_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

uint64_t round_up(uint64_t v, uint64_t to) { return (v + to - 1) / to * to; }

std::string trim_end(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

namespace {
constexpr uint64_t kBlock = 512;
}  // namespace

std::vector<SparseRegion> data_regions(int fd, const std::string& what) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw_errno("stat " + what);
  if (!S_ISREG(st.st_mode)) throw InputError(what + ": not a regular file");
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  std::vector<SparseRegion> out;
  uint64_t pos = 0;
  while (pos < size) {
    off_t data = ::lseek(fd, static_cast<off_t>(pos), SEEK_DATA);
    off_t hole = static_cast<off_t>(size);
    if (data < 0) {
      if (errno == ENXIO) break;  // only a hole is left
      if (errno != EINVAL) throw_errno("find data in " + what);
      data = static_cast<off_t>(pos);  // no SEEK_DATA here: the rest is data
    } else {
      hole = ::lseek(fd, data, SEEK_HOLE);
      if (hole < 0) throw_errno("find holes in " + what);
      if (hole <= data) throw RuntimeError("find holes in " + what + ": no data at a data offset");
    }
    if (static_cast<uint64_t>(data) >= size) break;  // the file grew since fstat
    // Whole blocks, as GNU tar's sparse reader pads them; the clamp keeps a file that
    // grows while we scan from adding regions past SIZE.
    uint64_t start = static_cast<uint64_t>(data) / kBlock * kBlock;
    uint64_t end = std::min(round_up(static_cast<uint64_t>(hole), kBlock), size);
    if (!out.empty() && start <= out.back().offset + out.back().length)
      out.back().length = end - out.back().offset;
    else
      out.push_back({start, end - start});
    pos = end;
  }
  if (out.empty() || out.back().offset + out.back().length < size) out.push_back({size, 0});
  return out;
}

void copy_sparse(int from, int to, const std::string& what) {
  struct stat out {};
  if (::fstat(to, &out) != 0) throw_errno("stat " + what);
  const bool seekable = S_ISREG(out.st_mode);
  if (seekable && ::ftruncate(to, 0) != 0) throw_errno("truncate " + what);
  std::string buf(1 << 20, '\0');
  uint64_t pos = 0;
  for (const auto& r : data_regions(from, what)) {
    if (seekable) {
      if (::lseek(to, static_cast<off_t>(r.offset), SEEK_SET) < 0) throw_errno("seek " + what);
    } else {
      const std::string zeros(buf.size(), '\0');
      for (uint64_t gap = r.offset - pos; gap > 0;) {
        size_t n = static_cast<size_t>(std::min<uint64_t>(gap, zeros.size()));
        write_all(to, std::string_view(zeros.data(), n), what);
        gap -= n;
      }
    }
    for (uint64_t at = r.offset, end = r.offset + r.length; at < end;) {
      ssize_t n = ::pread(from, buf.data(), static_cast<size_t>(std::min<uint64_t>(end - at, buf.size())),
                          static_cast<off_t>(at));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw_errno("read " + what);
      write_all(to, std::string_view(buf.data(), static_cast<size_t>(n)), what);
      at += static_cast<uint64_t>(n);
    }
    pos = r.offset + r.length;
  }
  if (seekable && ::ftruncate(to, static_cast<off_t>(pos)) != 0) throw_errno("truncate " + what);
}

}  // namespace lk
