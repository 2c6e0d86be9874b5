#pragma once
// Byte sinks: a buffered descriptor, and the initrd compressors (gzip, zstd, none).
// Both compressors are multi-threaded and still byte-reproducible: gzip cuts the
// input at fixed offsets and deflates the blocks in parallel into one gzip member
// (as pigz does); zstd uses libzstd's own workers, whose output does not depend on
// their number. Either way the bytes depend only on the input, codec and level.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace lk::streams {

class ByteSink {
public:
  virtual ~ByteSink() = default;
  virtual void write(const void* data, size_t len) = 0;
  void write(std::string_view s) { write(s.data(), s.size()); }
  // Flushes everything (a compressor writes its trailer); call once, last.
  virtual void finish() = 0;
  uint64_t written() const { return written_; }

protected:
  uint64_t written_ = 0;  // bytes given to write()
};

// Buffered writes to a descriptor it does not own; WHAT names it in errors.
class FdSink : public ByteSink {
public:
  FdSink(int fd, std::string what);
  ~FdSink() override = default;
  void write(const void* data, size_t len) override;
  void finish() override;

private:
  void flush();
  int fd_;
  std::string what_;
  std::string buf_;
};

enum class Codec { kNone, kGzip, kZstd };
Codec parse_codec(const std::string& name);  // throws InputError

struct CompressOptions {
  Codec codec = Codec::kGzip;
  int level = -1;   // -1: the codec's default (gzip 6, zstd 3)
  int threads = 0;  // 0: one per online CPU, at most 8
};

// A sink compressing into OUT; finish() also finishes OUT.
std::unique_ptr<ByteSink> make_compressor(const CompressOptions& opts, ByteSink& out);

}  // namespace lk::streams
