#pragma once
// An exclusive flock(2) on a file, held for the object's lifetime. flock locks belong
// to the open file, so the kernel drops them when a process dies, even by kill -9:
// a crashed pull never leaves the cache locked.
#include <string>

#include "base/fs.h"

namespace lk {

class FileLock {
public:
  // Opens (creating) PATH and blocks until the lock is ours.
  explicit FileLock(const std::string& path);
  // Locks an already open descriptor (which the lock then owns).
  explicit FileLock(Fd fd, const std::string& what);
  int fd() const { return fd_.get(); }

private:
  Fd fd_;
};

}  // namespace lk
