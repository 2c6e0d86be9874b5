#pragma once
// Where an image tool's result goes: -o FILE, which appears only when complete
// (built under a temp name beside it, then renamed), or stdout (refused on a
// terminal; holes kept when stdout is a regular file). An -o that names a device or
// a FIFO is written like stdout.
#include <memory>
#include <string>

#include "base/fs.h"

namespace lk::boot {

class ImageOutput {
public:
  // PATH "" or "-" means stdout. WORKDIR holds the image meanwhile in that case.
  ImageOutput(const std::string& path, const std::string& workdir);
  // The file external programs write the image to.
  const std::string& build_path() const { return build_path_; }
  const std::string& name() const { return name_; }  // for messages
  void commit();

private:
  std::unique_ptr<AtomicFile> file_;
  std::string build_path_;
  std::string name_;
};

}  // namespace lk::boot
