#pragma once
// File-system helpers: RAII descriptors, whole-file reads, and atomic writes
// (temp file in the target's directory, fsync, rename) so that no reader ever
// sees a half-written output.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lk {

class Fd {
public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = o.release();
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }
  void reset(int fd = -1);

private:
  int fd_ = -1;
};

// Whether PATH names anything (stat succeeds: a file, a directory...).
bool path_exists(const std::string& path);
uint64_t round_up(uint64_t v, uint64_t to);

std::string read_file(const std::string& path);
std::string read_stream(int fd);
// S without its trailing newlines, carriage returns and spaces (one-line files).
std::string trim_end(std::string s);
void write_all(int fd, std::string_view data, const std::string& what);

// Writes to PATH.tmp-XXXXXX beside the target; commit() fsyncs and renames it into
// place. Destroyed without commit(), the temp file is removed.
class AtomicFile {
public:
  explicit AtomicFile(std::string path, int mode = 0644);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  int fd() const { return fd_.get(); }
  const std::string& temp_path() const { return tmp_; }
  void write(std::string_view data);
  void commit();

private:
  std::string path_;
  std::string tmp_;
  Fd fd_;
  bool committed_ = false;
};

// Writes DATA to PATH atomically, or to stdout when PATH is "" or "-".
void write_output(const std::string& path, std::string_view data);

std::string dirname_of(const std::string& path);

struct SparseRegion {
  uint64_t offset, length;
};
// The data regions of the regular file FD, in whole 512-byte blocks, from SEEK_DATA and
// SEEK_HOLE (one region where the file system has no holes). The last region always ends
// at the file's size: when the file ends in a hole, or is empty, it is (size, 0). A
// non-regular FD is an InputError naming WHAT.
std::vector<SparseRegion> data_regions(int fd, const std::string& what);

// Copies the regular file FROM, whole, to TO. Holes stay holes when TO is a regular
// file (written with seeks from its start, then truncated to size); a pipe gets zeros.
void copy_sparse(int from, int to, const std::string& what);

// The directory of the running executable (where the other lk tools are).
std::string executable_dir();

// The image cache: FLAG when given, else $LK_CACHE, else $XDG_CACHE_HOME/lk, else
// ~/.cache/lk.
std::string default_cache_dir(const std::string& flag = "");

// Where temporary files go: $TMPDIR, else /tmp.
std::string temp_root();

// A fresh directory PARENT/PREFIX-XXXXXX, removed with all it holds when destroyed.
class TempDir {
public:
  TempDir(const std::string& parent, const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

private:
  std::string path_;
};

}  // namespace lk
