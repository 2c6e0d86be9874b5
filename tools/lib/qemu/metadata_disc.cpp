#include "qemu/metadata_disc.h"

#include <errno.h>
#include <unistd.h>

#include "base/error.h"
#include "base/fs.h"
#include "base/process.h"

namespace lk::qemu {

void write_metadata_disc(const std::string& path, std::string_view data, const std::string& work) {
  if (data.size() > kMaxDiscData)
    throw InputError("the user-data is " + std::to_string(data.size()) + " bytes; pkg/metadata reads at most " +
                     std::to_string(kMaxDiscData >> 20) + " MiB");
  if (find_program("xorriso").empty()) throw RuntimeError("xorriso not found: install Debian's xorriso");
  const std::string file = work + "/config";
  write_output(file, data);
  // A disc left by an earlier run of the same state folder is replaced, not appended to.
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) throw_errno(path);
  // Rock Ridge keeps the lower-case name exact; Joliet serves readers without it. The
  // volume is called "config" as LinuxKit's disc is.
  run_checked({"xorriso", "-as", "mkisofs", "-quiet", "-V", "config", "-r", "-J", "-o", path, "-graft-points",
               "config=" + file});
}

}  // namespace lk::qemu
