#include "fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "error.h"

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
      throw_errno("read");
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string read_file(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw InputError(path + ": " + std::strerror(errno));
  try {
    return read_stream(fd.get());
  } catch (const RuntimeError& e) {
    throw RuntimeError(path + ": " + e.what());
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

TempDir::TempDir(const std::string& parent, const std::string& prefix) {
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  std::string tmpl = parent + "/" + prefix + "-XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw_errno("create a temporary folder in " + parent);
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

AtomicFile::AtomicFile(std::string path, int mode) : path_(std::move(path)) {
  std::vector<char> tmpl(path_.begin(), path_.end());
  const char suffix[] = ".tmp-XXXXXX";
  tmpl.insert(tmpl.end(), suffix, suffix + sizeof suffix);
  int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0) throw_errno("create " + path_);
  fd_.reset(fd);
  tmp_ = tmpl.data();
  if (::fchmod(fd, static_cast<mode_t>(mode)) != 0) throw_errno("chmod " + tmp_);
}

AtomicFile::~AtomicFile() {
  if (!committed_) ::unlink(tmp_.c_str());
}

void AtomicFile::write(std::string_view data) { write_all(fd_.get(), data, path_); }

void AtomicFile::commit() {
  if (::fsync(fd_.get()) != 0) throw_errno("fsync " + tmp_);
  fd_.reset();
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) throw_errno("rename " + tmp_ + " to " + path_);
  committed_ = true;
  Fd dir(::open(dirname_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir) ::fsync(dir.get());
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
      ssize_t n = ::pread(from, buf.data(), static_cast<size_t>(std::min<uint64_t>(end - at, buf.size())), static_cast<off_t>(at));
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
