// build_rootfs driven without a registry: images written into a temporary OCI layout,
// a lock naming them, the rootfs tar read back.
#include <doctest/doctest.h>
#include <sys/mman.h>
#include <zstd.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>

#include "base/error.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/sha256.h"
#include "boot/initrd.h"
#include "oci/layout.h"
#include "oci/manifest.h"
#include "rootfs/build.h"
#include "spec/plan.h"
#include "streams/compress.h"
#include "streams/tar_reader.h"
#include "streams/tar_writer.h"

namespace {

using T = lk::streams::TarEntry;

std::string digest_of(const std::string& s) { return "sha256:" + lk::sha256_hex(s); }

struct StringSink : lk::streams::ByteSink {
  std::string data;
  void write(const void* p, size_t n) override { data.append(static_cast<const char*>(p), n); }
  void finish() override {}
};

struct Member {
  T::Type type;
  std::string path, data, link;
};

std::string tar_of(const std::vector<Member>& members) {
  StringSink s;
  lk::streams::TarWriter w(s);
  for (const auto& m : members) {
    T e;
    e.type = m.type;
    e.path = m.path;
    e.mode = m.type == T::kDir ? 0755 : 0644;
    e.linkname = m.link;
    w.add(e, m.data);
  }
  w.close();
  return s.data;
}

struct TempCache {
  std::string dir;
  TempCache() {
    char tmpl[] = "/tmp/lk-rootfs-build-XXXXXX";
    dir = ::mkdtemp(tmpl);
  }
  ~TempCache() { std::filesystem::remove_all(dir); }
};

// Stores an image of LAYERS (bottom first) in CACHE; returns its manifest digest.
std::string put_image(lk::oci::OciLayout& cache, const std::vector<std::string>& layers,
                      const std::string& config = "{}") {
  std::string cfg = R"({"architecture":"amd64","os":"linux","config":)" + config + "}";
  cache.put_blob(digest_of(cfg), cfg, "test");
  std::string m = std::string(R"({"schemaVersion":2,"mediaType":")") + lk::oci::kOciManifest +
                  R"(","config":{"mediaType":")" + lk::oci::kOciConfig + R"(","digest":")" + digest_of(cfg) +
                  R"(","size":)" + std::to_string(cfg.size()) + R"(},"layers":[)";
  for (size_t i = 0; i < layers.size(); ++i) {
    cache.put_blob(digest_of(layers[i]), layers[i], "test");
    m += std::string(i ? "," : "") + R"({"mediaType":")" + lk::oci::kOciLayerTar + R"(","digest":")" +
         digest_of(layers[i]) + R"(","size":)" + std::to_string(layers[i].size()) + "}";
  }
  m += "]}";
  cache.put_blob(digest_of(m), m, "test");
  return digest_of(m);
}

std::string image_entry(const std::string& name, const std::string& digest) {
  return R"({"image":")" + name + R"(","reference":"docker.io/)" + name + R"(","digest":")" + digest + R"("})";
}

std::string build(const std::string& lock_text, const lk::oci::OciLayout& cache,
                  const lk::streams::SegmentStore* segments = nullptr, const std::string& codec = "gzip-6") {
  const lk::spec::Lock lock = lk::spec::parse_document(lock_text, lk::spec::Stage::kLock, "lock.json");
  StringSink out;
  lk::streams::TarWriter tar(out);
  lk::rootfs::RootfsOptions opts;
  opts.epoch = 1700000000;
  if (segments) opts.segments = lk::rootfs::RootfsOptions::Segments{*segments, codec};
  lk::rootfs::build_rootfs(lock, cache, tar, opts, lk::Log("test", lk::Log::kQuiet));
  return out.data;
}

struct Got {
  T::Type type;
  std::string data, link;
  int64_t mtime;
};

std::map<std::string, Got> entries(const std::string& tar, std::vector<std::string>* order = nullptr) {
  lk::Fd fd(::memfd_create("rootfs", MFD_CLOEXEC));
  lk::write_all(fd.get(), tar, "memfd");
  auto r = lk::streams::TarReader::open_file("/proc/self/fd/" + std::to_string(fd.get()), "rootfs");
  std::map<std::string, Got> got;
  while (r.next()) {
    T h = r.header();
    if (!h.path.empty() && h.path.back() == '/') h.path.pop_back();
    std::string data;
    r.copy_data([&](const void* p, size_t n) { data.append(static_cast<const char*>(p), n); });
    if (h.path == lk::streams::kMarkName) continue;  // lk-rootfs --segments marks: one per segment end
    CHECK_MESSAGE(!got.count(h.path), "written twice: " << h.path);
    got[h.path] = {h.type, data, h.linkname, h.mtime};
    if (order) order->push_back(h.path);
  }
  return got;
}

}  // namespace

TEST_CASE("rootfs build: init images flattened in order, later ones winning, from a lock and a cache") {
  TempCache t;
  lk::oci::OciLayout cache(t.dir + "/c");
  std::string base =
      put_image(cache, {tar_of({{T::kDir, "etc", "", ""},
                                {T::kFile, "etc/issue", "base", ""},
                                {T::kFile, "etc/motd", "hello", ""},
                                {T::kDir, "bin", "", ""},
                                {T::kFile, "bin/sh", "#!", ""}}),
                        tar_of({{T::kFile, "etc/.wh.motd", "", ""}, {T::kHardlink, "bin/ash", "", "bin/sh"}})});
  std::string top = put_image(cache, {tar_of({{T::kDir, "etc", "", ""}, {T::kFile, "etc/issue", "top wins", ""}})});
  std::string lock =
      R"({"schema":"lk.lock/v1","init":[)" + image_entry("lk/base:1", base) + "," + image_entry("lk/top:1", top) + "]}";
  std::string tar = build(lock, cache);
  std::vector<std::string> order;
  auto got = entries(tar, &order);
  CHECK(got["etc/issue"].data == "top wins");
  CHECK_FALSE(got.count("etc/motd"));  // the base image's own whiteout
  CHECK(got["bin/sh"].data == "#!");
  CHECK(got["bin/ash"].type == T::kHardlink);
  CHECK(got["bin/ash"].link == "bin/sh");
  // Every directory before anything in it.
  for (size_t i = 0; i < order.size(); ++i)
    if (auto slash = order[i].rfind('/'); slash != std::string::npos) {
      std::string parent = order[i].substr(0, slash);
      CHECK_MESSAGE(std::find(order.begin(), order.begin() + static_cast<long>(i), parent) !=
                        order.begin() + static_cast<long>(i),
                    order[i] << " before its directory");
    }
  // The same lock and cache give the same bytes.
  CHECK(build(lock, cache) == tar);
}

TEST_CASE("rootfs build: a lock that names what the cache does not have is refused") {
  TempCache t;
  lk::oci::OciLayout cache(t.dir + "/c");
  std::string missing = digest_of("no such manifest");
  CHECK_THROWS_WITH_AS(build(R"({"schema":"lk.lock/v1","init":[)" + image_entry("lk/gone:1", missing) + "]}", cache),
                       doctest::Contains("is not in the cache"), lk::RuntimeError);
  CHECK_THROWS_WITH_AS(build(R"({"schema":"lk.lock/v1","init":[{"image":"lk/x:1"}]})", cache),
                       doctest::Contains("image lk/x:1 has no digest in the lock"), lk::InputError);
  // A layer that escapes the root fails the build, naming the image.
  std::string evil = put_image(
      cache, {tar_of({{T::kSymlink, "etc", "", "/host/etc"}}), tar_of({{T::kFile, "etc/passwd", "root::0:0", ""}})});
  CHECK_THROWS_WITH_AS(build(R"({"schema":"lk.lock/v1","init":[)" + image_entry("lk/evil:1", evil) + "]}", cache),
                       doctest::Contains("lies below \"etc\", which is a symlink"), lk::RuntimeError);
}

TEST_CASE("rootfs build: a service gets its bundle under containers/services") {
  TempCache t;
  lk::oci::OciLayout cache(t.dir + "/c");
  std::string init = put_image(cache, {tar_of({{T::kDir, "etc", "", ""}, {T::kFile, "etc/issue", "init", ""}})});
  std::string web = put_image(cache, {tar_of({{T::kDir, "srv", "", ""}, {T::kFile, "srv/index.html", "<h1>", ""}})},
                              R"({"Cmd":["/bin/httpd"]})");
  std::string lock = R"({"schema":"lk.lock/v1","init":[)" + image_entry("lk/init:1", init) +
                     R"(],"services":[{"name":"web",)" + image_entry("lk/web:1", web).substr(1) + "]}";
  auto got = entries(build(lock, cache));
  CHECK(got["etc/issue"].data == "init");
  CHECK(got["containers/services/web/lower/srv/index.html"].data == "<h1>");
  REQUIRE(got.count("containers/services/web/config.json"));
  CHECK(got["containers/services/web/config.json"].data.find("/bin/httpd") != std::string::npos);
  CHECK(got["containers/services/web"].mtime == 1700000000);  // what lk makes up is stamped with the epoch
}

namespace {

struct Initrd {
  std::string kernel, initrd, cmdline;
  lk::boot::InitrdResult res;
};

Initrd initrd_of(const std::string& tar, const lk::streams::SegmentStore* store,
                 lk::streams::Codec codec = lk::streams::Codec::kGzip) {
  lk::Fd fd(::memfd_create("rootfs", MFD_CLOEXEC));
  lk::write_all(fd.get(), tar, "memfd");
  StringSink kernel, initrd;
  lk::boot::InitrdSinks sinks{&kernel, &initrd, &initrd, {codec, -1, 2}};
  Initrd out;
  out.res = lk::boot::build_initrd(fd.get(), sinks, store);
  out.kernel = kernel.data;
  out.initrd = initrd.data;
  out.cmdline = out.res.cmdline;
  return out;
}

}  // namespace

TEST_CASE("rootfs --segments and lk-initrd: a warm build splices each image's run and gives the same bytes") {
  TempCache t;
  lk::oci::OciLayout cache(t.dir + "/c");
  lk::streams::SegmentStore store(t.dir + "/segments");
  std::string modules = tar_of({{T::kDir, "lib", "", ""},
                                {T::kDir, "lib/modules", "", ""},
                                {T::kFile, "lib/modules/a.ko", std::string(300000, 'm'), ""}});
  std::string kernel = put_image(cache, {tar_of({{T::kFile, "kernel", "vmlinuz bytes", ""},
                                                 {T::kFile, "kernel.tar", modules, ""},
                                                 {T::kFile, "ucode.cpio", "microcode", ""}})});
  std::string init = put_image(cache, {tar_of({{T::kDir, "etc", "", ""},
                                               {T::kFile, "etc/issue", "init", ""},
                                               {T::kDir, "bin", "", ""},
                                               {T::kFile, "bin/sh", std::string(2 << 20, 's'), ""},
                                               {T::kHardlink, "bin/ash", "", "bin/sh"}})});
  std::string web = put_image(cache, {tar_of({{T::kDir, "srv", "", ""},
                                              {T::kFile, "srv/index.html", "<h1>", ""},
                                              {T::kHardlink, "srv/index.htm", "", "srv/index.html"}})},
                              R"({"Cmd":["/bin/httpd"]})");
  std::string k = image_entry("lk/kernel:1", kernel);
  k.pop_back();
  k += R"(,"cmdline":"console=ttyS0","binaries":["bzImage","kernel"],"tar":"kernel.tar","ucode":"ucode.cpio"})";
  auto lock_with = [&](const std::string& file) {
    return R"({"schema":"lk.lock/v1","kernel":)" + k + R"(,"init":[)" + image_entry("lk/init:1", init) +
           R"(],"services":[{"name":"web",)" + image_entry("lk/web:1", web).substr(1) +
           R"(],"files":[{"path":"etc/conf/)" + file +
           R"(","contents":"x","mode":420,"uid":0,"gid":0,"optional":false}]})";
  };
  const std::string lock = lock_with("a");

  // Cold: three segments (kernel, init, web), stored.
  std::string cold_tar = build(lock, cache, &store);
  Initrd cold = initrd_of(cold_tar, &store);
  CHECK(cold.res.segments == 3);
  CHECK(cold.res.stored == 3);
  CHECK(cold.res.spliced == 0);
  CHECK(cold.kernel == "vmlinuz bytes");
  CHECK(cold.initrd.rfind("microcode", 0) == 0);  // ucode first, uncompressed
  // The same tar without a store: the same bytes, nothing kept.
  CHECK(initrd_of(cold_tar, nullptr).initrd == cold.initrd);

  // Warm: only marks where the images were, and the same initrd.
  std::string warm_tar = build(lock, cache, &store);
  CHECK(warm_tar.size() < cold_tar.size() / 10);
  auto got = entries(warm_tar);
  CHECK_FALSE(got.count("bin/sh"));
  CHECK(got.count("etc/conf/a"));
  CHECK(got.count("containers/services/web/config.json"));
  Initrd warm = initrd_of(warm_tar, &store);
  CHECK(warm.res.spliced == 3);
  CHECK(warm.res.entries == cold.res.entries);
  CHECK(warm.res.cpio_bytes == cold.res.cpio_bytes);
  CHECK(warm.kernel == cold.kernel);
  CHECK(warm.cmdline == cold.cmdline);
  CHECK(warm.initrd == cold.initrd);
  // lk-rootfs knows what a spliced segment held: the files' leading directories are
  // the same (etc came from the init image, so only etc/conf is made).
  CHECK(entries(warm_tar)["etc/conf"].type == T::kDir);
  CHECK(entries(cold_tar).count("etc") == 1);
  CHECK_FALSE(entries(warm_tar).count("etc"));

  // One file changed: its glue only; the images' runs are spliced again.
  Initrd changed = initrd_of(build(lock_with("b"), cache, &store), &store);
  CHECK(changed.res.spliced == 3);
  CHECK(changed.initrd != cold.initrd);
  Initrd changed_cold = initrd_of(build(lock_with("b"), cache, nullptr), nullptr);
  CHECK(changed_cold.res.segments == 0);

  // A segment another codec stored, or one damaged in the cache, is refused.
  lk::Fd fd(::memfd_create("rootfs", MFD_CLOEXEC));
  lk::write_all(fd.get(), warm_tar, "memfd");
  StringSink ks, is;
  lk::boot::InitrdSinks zsinks{&ks, &is, &is, {lk::streams::Codec::kZstd, 3, 1}};
  CHECK_THROWS_WITH_AS(lk::boot::build_initrd(fd.get(), zsinks, &store), doctest::Contains("is cached as gzip-6"),
                       lk::InputError);
  CHECK_THROWS_WITH_AS(initrd_of(warm_tar, nullptr), doctest::Contains("was given no cache"), lk::InputError);
  for (const auto& d : std::filesystem::directory_iterator(store.dir())) {
    if (std::filesystem::file_size(d.path() / "run") < 1000) continue;
    std::filesystem::resize_file(d.path() / "run", std::filesystem::file_size(d.path() / "run") - 1);
  }
  CHECK_THROWS_WITH_AS(initrd_of(warm_tar, &store), doctest::Contains("does not match its index"), lk::RuntimeError);
  // ...and removed, so the next build compresses it again.
  CHECK_THROWS_WITH_AS(initrd_of(warm_tar, &store), doctest::Contains("is not in"), lk::RuntimeError);
}

TEST_CASE("segment marks: what lk-initrd accepts") {
  const std::string key(64, 'a');
  for (auto kind : {lk::streams::SegmentMark::kBegin, lk::streams::SegmentMark::kEnd, lk::streams::SegmentMark::kCached}) {
    lk::streams::SegmentMark m{kind, key, "containers/x/", "gzip-6"};
    auto back = lk::streams::parse_mark(lk::streams::mark_text(m), "t");
    CHECK(back.kind == kind);
    CHECK(back.key == key);
  }
  CHECK_THROWS_WITH_AS(lk::streams::parse_mark("[]", "t"), doctest::Contains("not a JSON object"), lk::RuntimeError);
  CHECK_THROWS_WITH_AS(lk::streams::parse_mark(R"({"begin":"../x","prefix":""})", "t"),
                       doctest::Contains("not 64 hex digits"), lk::RuntimeError);
  CHECK_THROWS_WITH_AS(lk::streams::parse_mark(R"({"begin":")" + key + R"(","prefix":"a"})", "t"),
                       doctest::Contains("does not end in /"), lk::RuntimeError);
  CHECK_THROWS_WITH_AS(lk::streams::parse_mark(R"({"what":1})", "t"), doctest::Contains("neither"), lk::RuntimeError);
  CHECK(lk::streams::segment_key({{"a", 1}}) != lk::streams::segment_key({{"a", 2}}));
  auto codec = lk::streams::parse_mark(R"({"codec":"zstd-3"})", "t");
  CHECK(codec.kind == lk::streams::SegmentMark::kCodec);
  CHECK(codec.codec == "zstd-3");
  CHECK_THROWS_WITH_AS(lk::streams::parse_mark(R"({"codec":"lz4-1"})", "t"),
                       doctest::Contains("unknown compression \"lz4\""), lk::RuntimeError);
}

TEST_CASE("codec ids and the codec a kernel's config allows") {
  using lk::streams::Codec;
  CHECK(lk::streams::parse_codec_id("gzip-9").codec == Codec::kGzip);
  CHECK(lk::streams::parse_codec_id("gzip-9").level == 9);
  CHECK(lk::streams::parse_codec_id("zstd-19").level == 19);
  CHECK(lk::streams::parse_codec_id("none").codec == Codec::kNone);
  for (const char* bad : {"gzip", "gzip-13", "zstd-0", "zstd-23", "zstd-x", "none-1", "lz4-1", "gzip-006"})
    CHECK_THROWS_AS(lk::streams::parse_codec_id(bad), lk::InputError);
  CHECK(lk::streams::initrd_codec_for("CONFIG_A=y\nCONFIG_RD_ZSTD=y\nCONFIG_B=m\n") == Codec::kZstd);
  CHECK(lk::streams::initrd_codec_for("CONFIG_RD_ZSTD=y") == Codec::kZstd);
  CHECK(lk::streams::initrd_codec_for("# CONFIG_RD_ZSTD is not set\n") == Codec::kGzip);
  CHECK(lk::streams::initrd_codec_for("XCONFIG_RD_ZSTD=y\nCONFIG_RD_ZSTD=yes\n") == Codec::kGzip);
  CHECK(lk::streams::initrd_codec_for("") == Codec::kGzip);
}

TEST_CASE("rootfs --segments auto: the kernel's config picks zstd, kept by the kernel's digest") {
  TempCache t;
  lk::oci::OciLayout cache(t.dir + "/c");
  lk::streams::SegmentStore store(t.dir + "/segments");
  auto kernel_with = [&](const std::string& config) {
    std::vector<Member> m = {{T::kFile, "kernel", "vmlinuz", ""}};
    if (!config.empty()) m.push_back({T::kFile, "config", config, ""});
    std::string k = image_entry("lk/kernel:1", put_image(cache, {tar_of(m)}));
    k.pop_back();
    return R"({"schema":"lk.lock/v1","kernel":)" + k +
           R"(,"cmdline":"c","binaries":["kernel"],"tar":null,"ucode":null},"init":[)" +
           image_entry("lk/init:1", put_image(cache, {tar_of({{T::kFile, "init", std::string(100000, 'i'), ""}})})) +
           "]}";
  };
  // The first entry's data: the codec mark.
  auto first_mark = [](const std::string& tar) { return tar.substr(512, tar.find('}', 512) - 511); };
  const std::string zstd_lock = kernel_with("CONFIG_RD_GZIP=y\nCONFIG_RD_ZSTD=y\n");
  std::string cold_tar = build(zstd_lock, cache, &store, "auto");
  CHECK(first_mark(cold_tar) == R"({"codec":"zstd-3"})");
  lk::Fd fd(::memfd_create("rootfs", MFD_CLOEXEC));
  lk::write_all(fd.get(), cold_tar, "memfd");
  StringSink ks, is;
  lk::boot::InitrdSinks sinks{&ks, &is, &is, {lk::streams::Codec::kGzip, -1, 1}, true};
  auto res = lk::boot::build_initrd(fd.get(), sinks, &store);
  CHECK(res.stored == 2);
  CHECK(is.data.rfind("\x28\xb5\x2f\xfd", 0) == 0);  // a zstd frame
  // Warm: the answer comes from the store, the runs are spliced.
  std::string warm_tar = build(zstd_lock, cache, &store, "auto");
  CHECK(first_mark(warm_tar) == R"({"codec":"zstd-3"})");
  CHECK(initrd_of(warm_tar, &store, lk::streams::Codec::kZstd).initrd == is.data);
  // No config, or one without RD_ZSTD: gzip, as every kernel unpacks it.
  CHECK(first_mark(build(kernel_with(""), cache, &store, "auto")) == R"({"codec":"gzip-6"})");
  CHECK(first_mark(build(kernel_with("# CONFIG_RD_ZSTD is not set\n"), cache, &store, "auto")) ==
        R"({"codec":"gzip-6"})");
}

TEST_CASE("rootfs --segments and a zstd initrd: each segment a frame and a cpio archive of its own") {
  TempCache t;
  lk::oci::OciLayout cache(t.dir + "/c");
  lk::streams::SegmentStore store(t.dir + "/segments");
  std::string init = put_image(cache, {tar_of({{T::kDir, "bin", "", ""},
                                               {T::kFile, "bin/sh", std::string(3 << 20, 's'), ""},
                                               {T::kHardlink, "bin/ash", "", "bin/sh"}})});
  std::string web = put_image(cache, {tar_of({{T::kDir, "srv", "", ""}, {T::kFile, "srv/index.html", "<h1>", ""}})},
                              R"({"Cmd":["/bin/httpd"]})");
  const std::string lock = R"({"schema":"lk.lock/v1","init":[)" + image_entry("lk/init:1", init) +
                           R"(],"services":[{"name":"web",)" + image_entry("lk/web:1", web).substr(1) + "]}";
  const auto zstd = lk::streams::Codec::kZstd;
  Initrd cold = initrd_of(build(lock, cache, &store, "zstd-3"), &store, zstd);
  CHECK(cold.res.stored == 2);
  Initrd warm = initrd_of(build(lock, cache, &store, "zstd-3"), &store, zstd);
  CHECK(warm.res.spliced == 2);
  CHECK(warm.initrd == cold.initrd);
  // A gzip build of the same tar stores and finds its own runs.
  CHECK(initrd_of(build(lock, cache, &store, "gzip-6"), &store).res.stored == 2);

  // Frames: init, the glue of the web bundle, web, the last glue; each one archive.
  std::string cpio;
  size_t frames = 0;
  for (size_t at = 0; at < cold.initrd.size(); ++frames) {
    size_t n = ZSTD_findFrameCompressedSize(cold.initrd.data() + at, cold.initrd.size() - at);
    REQUIRE_FALSE(ZSTD_isError(n));
    // Streamed frames do not record their size: decode into a buffer as big as any here.
    std::string out(8 << 20, '\0');
    size_t got = ZSTD_decompress(out.data(), out.size(), cold.initrd.data() + at, n);
    REQUIRE_FALSE(ZSTD_isError(got));
    out.resize(got);
    CHECK(out.rfind("TRAILER!!!") != std::string::npos);
    CHECK(out.size() % 4 == 0);
    cpio += out;
    at += n;
  }
  CHECK(frames == 4);
  size_t trailers = 0;
  for (size_t at = cpio.find("TRAILER!!!"); at != std::string::npos; at = cpio.find("TRAILER!!!", at + 1)) ++trailers;
  CHECK(trailers == frames);
}
