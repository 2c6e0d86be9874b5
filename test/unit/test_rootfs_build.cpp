// build_rootfs driven without a registry: images written into a temporary OCI layout,
// a lock naming them, the rootfs tar read back.
#include <doctest/doctest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>

#include "base/error.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/sha256.h"
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

std::string build(const std::string& lock_text, const lk::oci::OciLayout& cache) {
  const lk::spec::Lock lock = lk::spec::parse_document(lock_text, lk::spec::Stage::kLock, "lock.json");
  StringSink out;
  lk::streams::TarWriter tar(out);
  lk::rootfs::RootfsOptions opts;
  opts.epoch = 1700000000;
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
