#include "base/log.h"

#include <unistd.h>

#include "base/fs.h"

namespace lk {
namespace {
void emit(const std::string& tool, const std::string& kind, const std::string& msg) {
  std::string line = tool + ": " + kind + msg + "\n";
  try {
    write_all(STDERR_FILENO, line, "stderr");
  } catch (...) {
    // Nowhere left to report a failed diagnostic write.
  }
}
}  // namespace

void Log::info(const std::string& msg) const {
  if (level_ >= kNormal) emit(tool_, "", msg);
}
void Log::warn(const std::string& msg) const {
  if (level_ >= kNormal) emit(tool_, "warning: ", msg);
}
void Log::verbose(const std::string& msg) const {
  if (level_ >= kVerbose) emit(tool_, "", msg);
}

}  // namespace lk
