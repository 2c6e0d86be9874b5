#pragma once
// Byte sinks: a buffered descriptor, and the initrd compressors (gzip, zstd, none).
// Both compressors are multi-threaded and still byte-reproducible: gzip cuts the
// input at fixed offsets and deflates the blocks in parallel into one gzip member
// (as pigz does); zstd uses libzstd's own workers, whose output does not depend on
// their number. Either way the bytes depend only on the input, codec and level.
#include <cstddef>
#include <cstdint>
#include <functional>
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
bool can_splice(Codec c);
bool runs_are_archives(Codec c);
// The codec a kernel built with CONFIG (its .config text) unpacks best: zstd when it
// has CONFIG_RD_ZSTD=y, else gzip, which every kernel unpacks.
Codec initrd_codec_for(const std::string& config);

// The level a codec gets when none is given (-1): gzip 6, zstd 3.
int default_level(Codec c);

struct CompressOptions {
  Codec codec = Codec::kGzip;
  int level = -1;   // -1: default_level(codec)
  int threads = 0;  // 0: one per online CPU, at most 8
};

// What a run of compressed output stands for: its input's length and CRC-32.
struct RunInfo {
  uint64_t length = 0;
  uint32_t crc = 0;
};

// A compressing sink whose output can be cut into runs, kept, and spliced into a
// later stream in place of compressing the same input again (the initrd's segment
// cache). gzip runs are deflate blocks ending on byte boundaries, chained into one
// member; zstd runs are frames of their own, which the kernel unpacks one by one, so
// each must hold whole cpio archives (runs_are_archives). With no compression the run
// calls do nothing and splice() throws.
class Compressor : public ByteSink {
public:
  // Ends the current block; until end_run(), TAP (if any) also gets every compressed byte.
  void begin_run(ByteSink* tap);
  // Ends the current block and the tap; what was written since begin_run().
  RunInfo end_run();
  // Appends a run a tap recorded: COPY writes its compressed bytes to the sink given.
  void splice(const RunInfo& run, const std::function<void(ByteSink&)>& copy);

protected:
  // Ends a block (gzip) or a frame (zstd): the next byte starts a run's edge.
  virtual void boundary() {}
  virtual void append_run(const RunInfo& run, const std::function<void(ByteSink&)>& copy);
  ByteSink* tap_ = nullptr;
  bool in_run_ = false;
  RunInfo run_;  // what the run so far compressed
};

// A sink compressing into OUT; finish() also finishes OUT.
std::unique_ptr<Compressor> make_compressor(const CompressOptions& opts, ByteSink& out);
// "gzip-6": the codec and its effective level, which decide a run's bytes.
std::string codec_id(const CompressOptions& opts);
// The options codec_id() named; InputError for anything else.
CompressOptions parse_codec_id(const std::string& id);

}  // namespace lk::streams
