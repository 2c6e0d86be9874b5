#include "boot/output_file.h"

#include <fcntl.h>
#include <unistd.h>

#include "base/error.h"

namespace lk::boot {

ImageOutput::ImageOutput(const std::string& path, const std::string& workdir) {
  if (path.empty() || path == "-") {
    if (::isatty(STDOUT_FILENO)) throw InputError("refusing to write an image to a terminal (use -o FILE or redirect)");
    build_path_ = workdir + "/image.out";
    name_ = "stdout";
    return;
  }
  file_ = std::make_unique<AtomicFile>(path, 0644);
  // A device or FIFO gets the image copied in once it is complete.
  build_path_ = file_->direct() ? workdir + "/image.out" : file_->temp_path();
  name_ = path;
}

void ImageOutput::commit() {
  if (file_ && !file_->direct()) {
    // The external program may have replaced the temp file; sync what is there now.
    Fd fd(::open(build_path_.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd || ::fsync(fd.get()) != 0) throw_errno("fsync " + build_path_);
    file_->commit();
    return;
  }
  Fd fd(::open(build_path_.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw_errno("open " + build_path_);
  copy_sparse(fd.get(), file_ ? file_->fd() : STDOUT_FILENO, name_);
  if (file_) file_->commit();
}

}  // namespace lk::boot
