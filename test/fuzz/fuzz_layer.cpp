// libFuzzer target: any bytes as an image layer (tar, gzip or zstd), flattened as
// lk-rootfs does. A damaged or hostile layer must end in lk::InputError or
// lk::RuntimeError; nothing written may leave the prefix, no name may be written
// twice (a name listed twice in the layer comes out once, the last entry's), and
// nothing may be written below something that is not a directory.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <unordered_map>

#include "base/error.h"
#include "base/fs.h"
#include "rootfs/edits.h"
#include "rootfs/flatten.h"
#include "streams/compress.h"

namespace {

class NullSink : public lk::streams::ByteSink {
public:
  void write(const void*, size_t) override {}
  void finish() override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lk::Fd fd(::memfd_create("layer", MFD_CLOEXEC));
  lk::write_all(fd.get(), std::string_view(reinterpret_cast<const char*>(data), size), "memfd");
  std::string path = "/proc/self/fd/" + std::to_string(fd.get());
  NullSink sink;
  lk::streams::TarWriter out(sink);
  try {
    lk::rootfs::Flattener f({{path, "fuzz layer", 0}}, "containers/x/lower/",
                            lk::rootfs::image_edits(lk::rootfs::ImageRole::kContainer, 0), 0);
    std::unordered_map<std::string, lk::streams::TarEntry::Type> seen;
    f.run(out, [&](const std::string& written, lk::streams::TarEntry::Type type) {
      if (written.rfind("containers/", 0) != 0) std::abort();
      if (!seen.emplace(written, type).second) std::abort();
      for (size_t pos = written.find('/'); pos != std::string::npos; pos = written.find('/', pos + 1)) {
        auto parent = seen.find(written.substr(0, pos));
        if (parent != seen.end() && parent->second != lk::streams::TarEntry::kDir) std::abort();
      }
    });
  } catch (const lk::InputError&) {
  } catch (const lk::RuntimeError&) {}
  return 0;
}
