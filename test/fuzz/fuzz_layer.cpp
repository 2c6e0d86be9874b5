// libFuzzer target: any bytes as an image layer (tar, gzip or zstd), flattened as
// lk-rootfs does. A damaged or hostile layer must end in lk::InputError or
// lk::RuntimeError, and nothing written may leave the prefix.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "compress.h"
#include "error.h"
#include "fs.h"
#include "layer_flatten.h"
#include "rootfs_edits.h"

namespace {

class NullSink : public lk::ByteSink {
public:
  void write(const void*, size_t len) override { written_ += len; }
  void finish() override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lk::Fd fd(::memfd_create("layer", MFD_CLOEXEC));
  lk::write_all(fd.get(), std::string_view(reinterpret_cast<const char*>(data), size), "memfd");
  std::string path = "/proc/self/fd/" + std::to_string(fd.get());
  NullSink sink;
  lk::TarWriter out(sink);
  try {
    lk::Flattener f({{path, "fuzz layer", 0}}, "containers/x/lower/", lk::image_edits(lk::ImageRole::kContainer, 0), 0);
    f.run(out, [](const std::string& written) {
      if (written.rfind("containers/", 0) != 0) std::abort();
    });
  } catch (const lk::InputError&) {
  } catch (const lk::RuntimeError&) {
  }
  return 0;
}
