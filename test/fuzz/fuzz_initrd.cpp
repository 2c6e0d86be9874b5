// libFuzzer target: any bytes as the rootfs tar lk-initrd reads, segment marks
// included, with a segment store of its own. A damaged or hostile tar must end in
// lk::InputError or lk::RuntimeError, and what it builds must be one gzip member
// holding the cpio the builder says it wrote.
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "base/error.h"
#include "base/fs.h"
#include "boot/initrd.h"
#include "streams/segments.h"

namespace {

class StringSink : public lk::streams::ByteSink {
public:
  std::string data;
  void write(const void* p, size_t n) override {
    written_ += n;
    data.append(static_cast<const char*>(p), n);
  }
  void finish() override {}
};

uint64_t gunzipped_size(const std::string& gz) {
  z_stream z{};
  if (inflateInit2(&z, 16 + 15) != Z_OK) std::abort();
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  char buf[65536];
  int rc;
  do {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) std::abort();
  } while (rc != Z_STREAM_END);
  if (z.avail_in != 0) std::abort();  // one member, nothing after it
  uint64_t n = z.total_out;
  inflateEnd(&z);
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string store_dir = [] {
    std::string d = lk::temp_root() + "/lk-fuzz-initrd-" + std::to_string(::getpid());
    std::filesystem::create_directories(d);
    return d;
  }();
  lk::Fd fd(::memfd_create("rootfs", MFD_CLOEXEC));
  lk::write_all(fd.get(), std::string_view(reinterpret_cast<const char*>(data), size), "memfd");
  lk::streams::SegmentStore store(store_dir);
  StringSink kernel, ucode, initrd;
  lk::boot::InitrdSinks sinks{&kernel, &ucode, &initrd, {lk::streams::Codec::kGzip, 1, 1}};
  try {
    auto res = lk::boot::build_initrd(fd.get(), sinks, &store);
    if (gunzipped_size(initrd.data) != res.cpio_bytes) std::abort();
  } catch (const lk::InputError&) {
  } catch (const lk::RuntimeError&) {
  }
  return 0;
}
