#pragma once
// File-system helpers: RAII descriptors, whole-file reads, and atomic writes
// (temp file in the target's directory, fsync, rename) so that no reader ever
// sees a half-written output.
#include <cstdint>
#include <functional>
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
// PATH's bytes in order, at most 1 MiB per call of FN, without holding the file.
void read_chunks(const std::string& path, const std::function<void(const char* data, size_t len)>& fn);
// PATH's contents, or "" when it cannot be read: for optional files (/etc/hostname,
// sysfs attributes) whose absence is an ordinary state, not an error.
std::string read_or_empty(const std::string& path);
std::string read_stream(int fd);
// S without its trailing newlines, carriage returns and spaces (one-line files).
std::string trim_end(std::string s);
void write_all(int fd, std::string_view data, const std::string& what);

// Writes to PATH.tmp-XXXXXX beside the target; commit() fsyncs and renames it into
// place. Destroyed without commit(), the temp file is removed. The temp file is flock'ed
// while it is written, so the temp files of a killed writer (unlocked) are removed the
// next time anyone writes the same PATH.
//
// Replacing is only right for a regular file. A symlink is followed: the file it points
// to is replaced and the link stays. A device, a FIFO, /dev/stdout and /dev/fd/N are
// written directly (direct()), as GNU tools do: replacing /dev/null with a file would
// break the machine. A directory is an InputError.
class AtomicFile {
public:
  explicit AtomicFile(std::string path, int mode = 0644);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  int fd() const { return fd_.get(); }
  // The path being written; only a file written in place (!direct()) has one.
  const std::string& temp_path() const { return tmp_; }
  bool direct() const { return tmp_.empty(); }
  void write(std::string_view data);
  void commit();

private:
  std::string path_;
  std::string tmp_;
  Fd fd_;
  bool committed_ = false;
};

// Removes DIR/NAME-prefixed temp files and folders (PREFIX followed by 6 characters, as
// mkstemp and mkdtemp make them) that no live writer holds a flock on.
void remove_stale_temps(const std::string& dir, const std::string& prefix);

// Opens PATH ("-": stdin, duplicated) to read WHAT from ("a rootfs tar"): a directory,
// or a terminal on stdin, is an InputError saying what was expected.
Fd open_input(const std::string& path, const std::string& what);

// Writes DATA to PATH atomically, or to stdout when PATH is "" or "-".
void write_output(const std::string& path, std::string_view data);

std::string dirname_of(const std::string& path);

struct DirEntry {
  std::string name;
  unsigned char type;  // readdir's d_type: DT_DIR, DT_REG... (DT_UNKNOWN on some file systems)
};
// The entries of the directory PATH, without "." and "..", sorted by name. Throws
// RuntimeError naming PATH when it cannot be read.
std::vector<DirEntry> list_dir(const std::string& path);
// Likewise for the open directory DIRFD, which stays open and unmoved.
std::vector<DirEntry> list_dir(int dirfd, const std::string& what);
// Likewise, but a missing or unreadable PATH lists as empty: for optional folders
// (sysfs classes, a system with no services).
std::vector<DirEntry> list_dir_or_empty(const std::string& path);

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
// A file in temp_root() with no name (O_TMPFILE, else unlinked at once): gone when closed.
Fd temp_file();

// A fresh directory PARENT/PREFIX-XXXXXX, removed with all it holds when destroyed.
// It is flock'ed while it lives, so remove_stale_temps(PARENT, PREFIX + "-") can tell
// the folder of a killed process from one in use.
class TempDir {
public:
  TempDir(const std::string& parent, const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

private:
  std::string path_;
  Fd lock_;
};

}  // namespace lk
