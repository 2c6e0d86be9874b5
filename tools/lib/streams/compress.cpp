#include "streams/compress.h"

#include <libdeflate.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "base/error.h"
#include "base/fs.h"

namespace lk::streams {

FdSink::FdSink(int fd, std::string what) : fd_(fd), what_(std::move(what)) { buf_.reserve(1 << 20); }

void FdSink::write(const void* data, size_t len) {
  written_ += len;
  if (buf_.size() + len > (1 << 20)) flush();
  if (len >= (1 << 20)) {
    write_all(fd_, std::string_view(static_cast<const char*>(data), len), what_);
    return;
  }
  buf_.append(static_cast<const char*>(data), len);
}

void FdSink::flush() {
  write_all(fd_, buf_, what_);
  buf_.clear();
}

void FdSink::finish() { flush(); }

Codec parse_codec(const std::string& name) {
  if (name == "gzip") return Codec::kGzip;
  if (name == "zstd") return Codec::kZstd;
  if (name == "none") return Codec::kNone;
  throw InputError("unknown compression \"" + name + "\" (expected gzip, zstd or none)");
}

int default_level(Codec c) { return c == Codec::kZstd ? 3 : c == Codec::kGzip ? 6 : 0; }

namespace {

int default_threads(int threads) {
  if (threads > 0) return threads;
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n > 8 ? 8 : n);
}

class PassThrough : public Compressor {
public:
  explicit PassThrough(ByteSink& out) : out_(out) {}
  void write(const void* data, size_t len) override {
    written_ += len;
    out_.write(data, len);
  }
  void finish() override { out_.finish(); }

private:
  ByteSink& out_;
};

// Raw deflate of one block with libdeflate (2-3x zlib's speed at the same level),
// ending on a byte boundary and not final, so that blocks concatenate into one
// deflate stream. libdeflate only writes complete streams, whose last block is
// final: zlib's inflate, stopped at each block boundary, finds that block's header,
// its BFINAL bit is cleared, and an empty stored block (what zlib's sync flush
// writes) follows to reach a byte boundary. The scan costs a fraction of the
// compression.
using Deflater = std::unique_ptr<libdeflate_compressor, decltype(&libdeflate_free_compressor)>;

Deflater make_deflater(int level) {
  Deflater c(libdeflate_alloc_compressor(level), libdeflate_free_compressor);
  if (!c) throw RuntimeError("gzip: cannot allocate a compressor");
  return c;
}

// SCRATCH is the inflate's output, kept between calls.
std::string deflate_block(libdeflate_compressor* c, const std::string& input, std::string& scratch) {
  std::string out(libdeflate_deflate_compress_bound(c, input.size()) + 5, '\0');
  size_t n = libdeflate_deflate_compress(c, input.data(), input.size(), out.data(), out.size());
  if (n == 0) throw RuntimeError("gzip: deflate failed");
  out.resize(n);

  z_stream z{};
  if (inflateInit2(&z, -15) != Z_OK) throw RuntimeError("gzip: inflateInit failed");
  std::unique_ptr<z_stream, decltype(&inflateEnd)> guard(&z, inflateEnd);
  if (scratch.size() < input.size() + 1) scratch.resize(input.size() + 1);
  z.next_in = reinterpret_cast<Bytef*>(out.data());
  z.avail_in = static_cast<uInt>(out.size());
  z.next_out = reinterpret_cast<Bytef*>(scratch.data());
  z.avail_out = static_cast<uInt>(scratch.size());
  size_t header = 0, end = 0;
  for (;;) {
    int rc = inflate(&z, Z_BLOCK);
    if (rc != Z_OK) throw RuntimeError("gzip: a deflated block does not inflate");
    size_t at = z.total_in * 8 - static_cast<size_t>(z.data_type & 63);
    // With room for all the output, inflate stops only at block boundaries.
    if (!(z.data_type & 128)) throw RuntimeError("gzip: inflate stopped inside a block");
    if (z.data_type & 64) {
      end = at;  // the end of the final block
      break;
    }
    header = at;
  }
  out[header / 8] = static_cast<char>(out[header / 8] & ~(1 << (header % 8)));
  if (end % 8) out[end / 8] = static_cast<char>(out[end / 8] & ((1 << (end % 8)) - 1));
  out.resize((end + 3 + 7) / 8, '\0');  // the stored block's 3 header bits: all zero
  out.append("\x00\x00\xff\xff", 4);
  return out;
}

// gzip in the pigz way: the input is cut every kBlock bytes (whatever the thread
// count, so the bytes never depend on it), the blocks are deflated in parallel and
// concatenated into one deflate stream of one gzip member, and the CRC is combined
// from per-block CRCs.
class GzipSink : public Compressor {
public:
  GzipSink(int level, int threads, ByteSink& out)
      : level_(level < 0 ? default_level(Codec::kGzip) : level), threads_(threads), out_(out) {
    if (level_ > 12) throw InputError("gzip level must be 0 to 12");
    // No name, no mtime (0), OS "unix": what gzip -n writes, nothing from the host.
    static const unsigned char header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    out_.write(header, sizeof header);
    block_.reserve(kBlock);
  }
  ~GzipSink() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
  }

  void write(const void* data, size_t len) override {
    written_ += len;
    const char* p = static_cast<const char*>(data);
    while (len) {
      size_t n = std::min(len, kBlock - block_.size());
      block_.append(p, n);
      p += n;
      len -= n;
      if (block_.size() == kBlock) submit();
    }
  }

  void boundary() override { cut(); }

  void append_run(const RunInfo& run, const std::function<void(ByteSink&)>& copy) override {
    copy(out_);
    crc_ = static_cast<uint32_t>(crc32_combine(crc_, run.crc, static_cast<z_off_t>(run.length)));
    written_ += run.length;
  }

  void finish() override {
    cut();
    static const unsigned char last[2] = {0x03, 0x00};  // an empty final block
    out_.write(last, 2);
    unsigned char trailer[8];
    uint32_t isize = static_cast<uint32_t>(written_);
    for (int i = 0; i < 4; ++i) {
      trailer[i] = static_cast<unsigned char>(crc_ >> (8 * i));
      trailer[4 + i] = static_cast<unsigned char>(isize >> (8 * i));
    }
    out_.write(trailer, 8);
    out_.finish();
  }

private:
  static constexpr size_t kBlock = 1 << 20;
  struct Done {
    std::string data;
    uint32_t crc;
    size_t len;
    std::string input;  // handed back, to be the next block's buffer
  };
  struct Job {
    std::string input;
    std::promise<Done> done;
  };

  static Done compress(libdeflate_compressor* c, std::string input, std::string& scratch) {
    Done d;
    d.data = deflate_block(c, input, scratch);
    d.crc = libdeflate_crc32(0, input.data(), input.size());
    d.len = input.size();
    d.input = std::move(input);
    return d;
  }

  // Workers live as long as the sink, each with its compressor and scratch buffer:
  // a thread and its allocations per block cost more system time than the deflate.
  void work() {
    Deflater c = make_deflater(level_);
    std::string scratch;
    for (;;) {
      Job job;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      try {
        job.done.set_value(compress(c.get(), std::move(job.input), scratch));
      } catch (...) {
        job.done.set_exception(std::current_exception());
      }
    }
  }

  void submit() {
    if (threads_ <= 1) {
      if (!local_) local_ = std::make_unique<Deflater>(make_deflater(level_));
      emit(compress(local_->get(), std::move(block_), scratch_));
    } else {
      if (workers_.empty())
        for (int i = 0; i < threads_; ++i) workers_.emplace_back([this] { work(); });
      if (static_cast<int>(pending_.size()) >= threads_) drain_one();
      Job job{std::move(block_), {}};
      pending_.push_back(job.done.get_future());
      {
        std::lock_guard<std::mutex> lock(mutex_);
        jobs_.push_back(std::move(job));
      }
      wake_.notify_one();
    }
    if (spare_.capacity() >= kBlock) block_.swap(spare_);
    block_.clear();
    block_.reserve(kBlock);
  }

  // The next byte starts a new block, and every block so far is out.
  void cut() {
    if (!block_.empty()) submit();
    while (!pending_.empty()) drain_one();
  }

  void drain_one() {
    Done d = pending_.front().get();
    pending_.pop_front();
    emit(std::move(d));
  }

  void emit(Done d) {
    spare_ = std::move(d.input);
    crc_ = static_cast<uint32_t>(crc32_combine(crc_, d.crc, static_cast<z_off_t>(d.len)));
    out_.write(d.data.data(), d.data.size());
    if (in_run_) {
      if (tap_) tap_->write(d.data.data(), d.data.size());
      run_.crc = static_cast<uint32_t>(crc32_combine(run_.crc, d.crc, static_cast<z_off_t>(d.len)));
      run_.length += d.len;
    }
  }

  int level_;
  int threads_;
  ByteSink& out_;
  std::string block_;
  std::string spare_;  // a finished block's buffer
  std::deque<std::future<Done>> pending_;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  bool stop_ = false;
  std::unique_ptr<Deflater> local_;  // one thread: no workers
  std::string scratch_;
  uint32_t crc_ = 0;
};

class ZstdSink : public Compressor {
public:
  ZstdSink(int level, int threads, ByteSink& out) : out_(out), cctx_(ZSTD_createCCtx()) {
    if (!cctx_) throw RuntimeError("zstd: out of memory");
    int lvl = level < 0 ? default_level(Codec::kZstd) : level;
    if (lvl < 1 || lvl > ZSTD_maxCLevel())
      throw InputError("zstd level must be 1 to " + std::to_string(ZSTD_maxCLevel()));
    check(ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, lvl));
    check(ZSTD_CCtx_setParameter(cctx_, ZSTD_c_checksumFlag, 1));
    // Always libzstd's multi-threaded mode, even with one worker: its output is the
    // same for any number of workers (single-threaded mode's is not). 1 MiB jobs
    // (the default is 4 windows) keep libzstd's buffer pool, which fills up to its
    // bound over the first gigabyte, near 20 MB: 1% larger output.
    check(ZSTD_CCtx_setParameter(cctx_, ZSTD_c_nbWorkers, threads < 1 ? 1 : threads));
    check(ZSTD_CCtx_setParameter(cctx_, ZSTD_c_jobSize, 1 << 20));
    buf_.resize(ZSTD_CStreamOutSize());
  }
  ~ZstdSink() override { ZSTD_freeCCtx(cctx_); }

  void write(const void* data, size_t len) override {
    written_ += len;
    frame_bytes_ += len;
    if (in_run_) run_.length += len;
    ZSTD_inBuffer in{data, len, 0};
    while (in.pos < in.size) step(in, ZSTD_e_continue);
  }

  // A run is a frame of its own: the kernel unpacks each frame as a whole cpio
  // archive, so the caller ends one at every run's edges (see boot/initrd.cpp).
  void boundary() override { end_frame(); }

  void append_run(const RunInfo& run, const std::function<void(ByteSink&)>& copy) override {
    copy(out_);
    written_ += run.length;
    ++frames_;
  }

  void finish() override {
    if (frame_bytes_ || !frames_) end_frame(true);
    out_.finish();
  }

private:
  static size_t check(size_t rc) {
    if (ZSTD_isError(rc)) throw RuntimeError(std::string("zstd: ") + ZSTD_getErrorName(rc));
    return rc;
  }
  size_t step(ZSTD_inBuffer& in, ZSTD_EndDirective mode) {
    ZSTD_outBuffer o{buf_.data(), buf_.size(), 0};
    size_t rc = check(ZSTD_compressStream2(cctx_, &o, &in, mode));
    if (o.pos) {
      out_.write(buf_.data(), o.pos);
      if (tap_) tap_->write(buf_.data(), o.pos);
    }
    return rc;
  }
  void end_frame(bool always = false) {
    if (!frame_bytes_ && !always) return;
    ZSTD_inBuffer in{nullptr, 0, 0};
    while (step(in, ZSTD_e_end) != 0) {}
    frame_bytes_ = 0;
    ++frames_;
  }
  ByteSink& out_;
  ZSTD_CCtx* cctx_;
  std::string buf_;
  uint64_t frame_bytes_ = 0;  // input since the last frame ended
  uint64_t frames_ = 0;
};

}  // namespace

bool can_splice(Codec c) { return c != Codec::kNone; }
bool runs_are_archives(Codec c) { return c == Codec::kZstd; }

void Compressor::begin_run(ByteSink* tap) {
  boundary();
  tap_ = tap;
  in_run_ = true;
  run_ = {};
}

RunInfo Compressor::end_run() {
  boundary();
  tap_ = nullptr;
  in_run_ = false;
  return run_;
}

void Compressor::splice(const RunInfo& run, const std::function<void(ByteSink&)>& copy) {
  if (in_run_) throw RuntimeError("compressor: a run spliced while another is recorded");
  boundary();
  append_run(run, copy);
}

void Compressor::append_run(const RunInfo&, const std::function<void(ByteSink&)>&) {
  throw RuntimeError("uncompressed output keeps no runs to splice");
}

Codec initrd_codec_for(const std::string& config) {
  for (size_t at = 0; (at = config.find("CONFIG_RD_ZSTD=y", at)) != std::string::npos; ++at) {
    size_t end = at + 16;
    if ((at == 0 || config[at - 1] == '\n') && (end == config.size() || config[end] == '\n' || config[end] == '\r'))
      return Codec::kZstd;
  }
  return Codec::kGzip;
}

CompressOptions parse_codec_id(const std::string& id) {
  auto dash = id.find('-');
  CompressOptions o;
  o.codec = parse_codec(id.substr(0, dash));
  bool ok = o.codec == Codec::kNone ? dash == std::string::npos : dash != std::string::npos && dash + 1 < id.size();
  if (ok && dash != std::string::npos) {
    for (char c : id.substr(dash + 1)) ok = ok && c >= '0' && c <= '9';
    if (ok && id.size() - dash - 1 <= 2) o.level = std::stoi(id.substr(dash + 1));
    ok = ok && o.level >= 0 && (o.codec == Codec::kGzip ? o.level <= 12 : o.level >= 1 && o.level <= 22);
  }
  if (!ok) throw InputError("\"" + id + "\" is not a codec: gzip-LEVEL (0 to 12), zstd-LEVEL (1 to 22) or none");
  return o;
}

std::string codec_id(const CompressOptions& opts) {
  const std::string level = std::to_string(opts.level < 0 ? default_level(opts.codec) : opts.level);
  switch (opts.codec) {
    case Codec::kNone: return "none";
    case Codec::kGzip: return "gzip-" + level;
    case Codec::kZstd: return "zstd-" + level;
  }
  return "unknown";
}

std::unique_ptr<Compressor> make_compressor(const CompressOptions& opts, ByteSink& out) {
  int threads = default_threads(opts.threads);
  switch (opts.codec) {
    case Codec::kNone: return std::make_unique<PassThrough>(out);
    case Codec::kGzip: return std::make_unique<GzipSink>(opts.level, threads, out);
    case Codec::kZstd: return std::make_unique<ZstdSink>(opts.level, threads, out);
  }
  throw InputError("unknown codec");
}

}  // namespace lk::streams
