#include <doctest/doctest.h>
#include <zlib.h>
#include <zstd.h>

#include <random>

#include "base/error.h"
#include "streams/compress.h"
#include "streams/cpio_writer.h"

namespace {

struct StringSink : lk::streams::ByteSink {
  std::string data;
  bool finished = false;
  void write(const void* p, size_t n) override {
    written_ += n;
    data.append(static_cast<const char*>(p), n);
  }
  void finish() override { finished = true; }
};

std::string gunzip(const std::string& in) {
  z_stream z{};
  REQUIRE(inflateInit2(&z, 16 + 15) == Z_OK);
  std::string out;
  char buf[65536];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int rc;
  do {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    REQUIRE((rc == Z_OK || rc == Z_STREAM_END));
    out.append(buf, sizeof buf - z.avail_out);
  } while (rc != Z_STREAM_END);
  CHECK(z.avail_in == 0);  // one member, nothing after it
  inflateEnd(&z);
  return out;
}

std::string sample(size_t n) {
  std::mt19937 rng(42);
  std::string s;
  s.reserve(n);
  while (s.size() < n) {
    if (rng() % 2)
      s += "a fairly compressible line of text " + std::to_string(s.size()) + "\n";
    else
      for (int i = 0; i < 64; ++i) s += static_cast<char>(rng());
  }
  s.resize(n);
  return s;
}

std::string compress(const std::string& in, lk::streams::Codec codec, int threads, int level = -1) {
  StringSink out;
  auto c = lk::streams::make_compressor({codec, level, threads}, out);
  // Uneven writes, to cross block boundaries mid-write.
  for (size_t pos = 0; pos < in.size();) {
    size_t n = std::min<size_t>(in.size() - pos, 77777);
    c->write(in.data() + pos, n);
    pos += n;
  }
  c->finish();
  CHECK(out.finished);
  return out.data;
}

}  // namespace

TEST_CASE("cpio newc header: magic, fields in hex, name padded to 4, data padded to 4") {
  StringSink s;
  lk::streams::CpioWriter w(s);
  lk::streams::CpioEntry e;
  e.name = "etc/motd";
  e.mode = 0100644;
  e.ino = 721;
  e.mtime = 1;
  w.add(e, "hi!");
  CHECK(s.data.substr(0, 6) == "070701");
  CHECK(s.data.substr(6, 8) == "000002D1");
  CHECK(s.data.substr(14, 8) == "000081A4");
  CHECK(s.data.substr(94, 8) == "00000009");  // name size with its NUL
  CHECK(s.data.size() == 124);                // 110 + 9 -> 120, + 3 data -> 124
  CHECK(s.data.substr(120, 3) == "hi!");
  w.trailer();
  CHECK(s.data.size() % 512 == 0);
  CHECK(s.data.find("TRAILER!!!") != std::string::npos);
}

TEST_CASE("cpio refuses a member of 4 GiB or more") {
  StringSink s;
  lk::streams::CpioWriter w(s);
  lk::streams::CpioEntry e;
  e.name = "big";
  e.mode = 0100644;
  e.size = 1ull << 32;
  CHECK_THROWS_AS(w.header(e), lk::RuntimeError);
}

TEST_CASE("cpio checks the data matches the size") {
  StringSink s;
  lk::streams::CpioWriter w(s);
  lk::streams::CpioEntry e;
  e.name = "f";
  e.size = 4;
  w.header(e);
  w.data("ab", 2);
  CHECK_THROWS_AS(w.end_entry(), lk::RuntimeError);
}

TEST_CASE("parallel gzip: one valid member, the same bytes for any thread count") {
  std::string in = sample((5 << 20) + 12345);
  std::string one = compress(in, lk::streams::Codec::kGzip, 1);
  CHECK(gunzip(one) == in);
  CHECK(compress(in, lk::streams::Codec::kGzip, 2) == one);
  CHECK(compress(in, lk::streams::Codec::kGzip, 5) == one);
  CHECK(one.substr(0, 4) == std::string("\x1f\x8b\x08\x00", 4));
  CHECK(one.substr(4, 4) == std::string(4, '\0'));  // no mtime
  CHECK(compress(in, lk::streams::Codec::kGzip, 2, 1) != one);
  CHECK(gunzip(compress(in, lk::streams::Codec::kGzip, 2, 1)) == in);
  CHECK(gunzip(compress("", lk::streams::Codec::kGzip, 2)).empty());
}

TEST_CASE("gzip: every level chains libdeflate's blocks into one stream, whatever the data") {
  std::string random(3 << 20, '\0');
  uint32_t x = 12345;
  for (auto& c : random) c = static_cast<char>((x = x * 1103515245 + 12345) >> 24);
  const std::string inputs[] = {std::string((2 << 20) + 7, 'z'), random, sample((1 << 20) - 1), sample(1 << 20), "x"};
  for (int level : {0, 1, 6, 9, 12})
    for (const auto& in : inputs) {
      CAPTURE(level);
      CAPTURE(in.size());
      CHECK(gunzip(compress(in, lk::streams::Codec::kGzip, 2, level)) == in);
    }
}

TEST_CASE("zstd: decodes back, the same bytes for any thread count") {
  std::string in = sample(5 << 20);
  std::string a = compress(in, lk::streams::Codec::kZstd, 2), b = compress(in, lk::streams::Codec::kZstd, 2);
  CHECK(a == b);
  CHECK(compress(in, lk::streams::Codec::kZstd, 1) == a);
  CHECK(compress(in, lk::streams::Codec::kZstd, 3) == a);
  std::string out(in.size(), '\0');
  size_t n = ZSTD_decompress(out.data(), out.size(), a.data(), a.size());
  REQUIRE(!ZSTD_isError(n));
  CHECK(out.substr(0, n) == in);
}

TEST_CASE("codec names") {
  CHECK(lk::streams::parse_codec("zstd") == lk::streams::Codec::kZstd);
  CHECK_THROWS_AS(lk::streams::parse_codec("xz"), lk::InputError);
  StringSink s;
  CHECK_THROWS_AS(lk::streams::make_compressor({lk::streams::Codec::kGzip, 13, 1}, s), lk::InputError);
}

TEST_CASE("gzip runs: a spliced run gives the bytes compressing its input again gives") {
  const std::string a = sample(1536 << 10), b = sample(2300 << 10).substr(7), c = sample(300 << 10);
  for (int threads : {1, 3}) {
    CAPTURE(threads);
    StringSink first, tap;
    lk::streams::RunInfo run;
    {
      auto z = lk::streams::make_compressor({lk::streams::Codec::kGzip, 6, threads}, first);
      z->write(a.data(), a.size());
      z->begin_run(&tap);
      z->write(b.data(), 1000);
      z->write(b.data() + 1000, b.size() - 1000);
      run = z->end_run();
      z->write(c.data(), c.size());
      z->finish();
    }
    CHECK(run.length == b.size());
    CHECK(gunzip(first.data) == a + b + c);

    StringSink second;
    auto z = lk::streams::make_compressor({lk::streams::Codec::kGzip, 6, threads}, second);
    z->write(a.data(), a.size());
    z->splice(run, [&](lk::streams::ByteSink& out) { out.write(tap.data); });
    z->write(c.data(), c.size());
    z->finish();
    CHECK(second.data == first.data);

    // A run with no tap cuts the blocks the same way.
    StringSink untapped;
    auto u = lk::streams::make_compressor({lk::streams::Codec::kGzip, 6, threads}, untapped);
    u->write(a.data(), a.size());
    u->begin_run(nullptr);
    u->write(b.data(), b.size());
    u->end_run();
    u->write(c.data(), c.size());
    u->finish();
    CHECK(untapped.data == first.data);
  }
  StringSink z;
  auto none = lk::streams::make_compressor({lk::streams::Codec::kNone, -1, 1}, z);
  CHECK_THROWS_AS(none->splice({}, [](lk::streams::ByteSink&) {}), lk::RuntimeError);
  CHECK(lk::streams::can_splice(lk::streams::Codec::kGzip));
  CHECK(lk::streams::can_splice(lk::streams::Codec::kZstd));
  CHECK_FALSE(lk::streams::can_splice(lk::streams::Codec::kNone));
  CHECK(lk::streams::runs_are_archives(lk::streams::Codec::kZstd));
  CHECK_FALSE(lk::streams::runs_are_archives(lk::streams::Codec::kGzip));
  CHECK(lk::streams::codec_id({lk::streams::Codec::kGzip, -1, 0}) == "gzip-6");
  CHECK(lk::streams::codec_id({lk::streams::Codec::kZstd, 19, 0}) == "zstd-19");
}

TEST_CASE("zstd runs: each run a frame of its own, spliced back to the same bytes") {
  const std::string a = sample(700 << 10), b = sample(1900 << 10).substr(3), c = sample(90 << 10);
  StringSink first, tap;
  lk::streams::RunInfo run;
  {
    auto z = lk::streams::make_compressor({lk::streams::Codec::kZstd, 3, 2}, first);
    z->write(a.data(), a.size());
    z->begin_run(&tap);
    z->write(b.data(), b.size());
    run = z->end_run();
    z->write(c.data(), c.size());
    z->finish();
  }
  CHECK(run.length == b.size());
  CHECK(ZSTD_findFrameCompressedSize(tap.data.data(), tap.data.size()) == tap.data.size());  // one whole frame
  StringSink second;
  auto z = lk::streams::make_compressor({lk::streams::Codec::kZstd, 3, 2}, second);
  z->write(a.data(), a.size());
  z->splice(run, [&](lk::streams::ByteSink& out) { out.write(tap.data); });
  z->write(c.data(), c.size());
  z->finish();
  CHECK(second.data == first.data);
  std::string back(a.size() + b.size() + c.size() + 1, '\0');
  ZSTD_DStream* d = ZSTD_createDStream();
  ZSTD_inBuffer in{second.data.data(), second.data.size(), 0};
  ZSTD_outBuffer out{back.data(), back.size(), 0};
  while (in.pos < in.size) REQUIRE_FALSE(ZSTD_isError(ZSTD_decompressStream(d, &out, &in)));
  ZSTD_freeDStream(d);
  back.resize(out.pos);
  CHECK(back == a + b + c);
}
