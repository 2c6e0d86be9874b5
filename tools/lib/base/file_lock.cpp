#include "base/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

#include "base/error.h"

namespace lk {

FileLock::FileLock(const std::string& path)
    : FileLock(Fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)), path) {}

FileLock::FileLock(Fd fd, const std::string& what) : fd_(std::move(fd)) {
  if (!fd_) throw_errno("open " + what);
  while (::flock(fd_.get(), LOCK_EX) != 0)
    if (errno != EINTR) throw_errno("lock " + what);
}

}  // namespace lk
