#include <doctest/doctest.h>

#include "base/error.h"
#include "base/path_norm.h"
#include "streams/tar_writer.h"
#include "streams/compress.h"

TEST_CASE("member paths are cleaned; .. and absolute paths are errors naming the layer") {
  CHECK(lk::clean_member_path("./a//b/./c/", "L") == "a/b/c");
  CHECK(lk::clean_member_path("./", "L").empty());
  CHECK(lk::clean_member_path("a..b/..c", "L") == "a..b/..c");
  CHECK_THROWS_WITH_AS(lk::clean_member_path("a/../../x", "image i layer 1"), doctest::Contains("image i layer 1"), lk::RuntimeError);
  CHECK_THROWS_AS(lk::clean_member_path("/etc/passwd", "L"), lk::RuntimeError);
  CHECK_THROWS_AS(lk::clean_member_path("..", "L"), lk::RuntimeError);
}

TEST_CASE("path helpers") {
  CHECK(lk::parent_path("a/b/c") == "a/b");
  CHECK(lk::parent_path("a").empty());
  CHECK(lk::base_name("a/b/c") == "c");
  CHECK(lk::join_member("x/lower/", "") == "x/lower");
  CHECK(lk::join_member("x/", "a/b") == "x/a/b");
  CHECK(lk::join_member("", "a") == "a");
}

namespace {
struct StringSink : lk::streams::ByteSink {
  std::string data;
  void write(const void* p, size_t n) override { data.append(static_cast<const char*>(p), n); }
  void finish() override {}
};
}  // namespace

TEST_CASE("tar writer: ustar header, pax record for long names, zero end blocks") {
  StringSink s;
  lk::streams::TarWriter w(s);
  lk::streams::TarEntry e;
  e.path = std::string(120, 'n');
  e.mode = 04755;
  w.add(e, "data");
  w.close();
  CHECK(s.data.size() % 512 == 0);
  CHECK(s.data[156] == 'x');  // a pax header first
  CHECK(s.data.find("path=" + std::string(120, 'n') + "\n") != std::string::npos);
  CHECK(s.data.substr(s.data.size() - 1024) == std::string(1024, '\0'));
  lk::streams::TarEntry f;
  f.path = "f";
  f.size = 3;
  StringSink s2;
  lk::streams::TarWriter w2(s2);
  w2.header(f);
  w2.data("ab", 2);
  CHECK_THROWS_AS(w2.end_entry(), lk::RuntimeError);
}

#include <sys/mman.h>
#include <unistd.h>

#include <map>

#include "base/fs.h"
#include "rootfs/flatten.h"
#include "streams/tar_reader.h"

namespace {

// A layer in a memfd, written with lk's own TarWriter (entries in the given order).
struct MemLayer {
  lk::Fd fd{::memfd_create("layer", MFD_CLOEXEC)};
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd.get()); }
};

void add(lk::streams::TarWriter& w, lk::streams::TarEntry::Type type, const std::string& path, const std::string& data = "",
         uint32_t mode = 0644, const std::string& link = "") {
  lk::streams::TarEntry e;
  e.type = type;
  e.path = path;
  e.mode = mode;
  e.linkname = link;
  w.add(e, data);
}

struct Written {
  lk::streams::TarEntry::Type type;
  uint32_t mode;
  std::string data, link;
};

// Flattens the layers; the result by path, and the names in stream order.
std::map<std::string, Written> flatten(const std::vector<std::string>& layer_tars, std::vector<std::string>* order = nullptr) {
  std::vector<MemLayer> mem(layer_tars.size());
  std::vector<lk::rootfs::FlattenLayer> layers;
  for (size_t i = 0; i < mem.size(); ++i) {
    lk::write_all(mem[i].fd.get(), layer_tars[i], "memfd");
    layers.push_back({mem[i].path(), "layer " + std::to_string(i), 0, {}});
  }
  StringSink out;
  lk::streams::TarWriter w(out);
  lk::rootfs::Flattener(std::move(layers), "", nullptr, 0).run(w, nullptr);
  w.close();
  MemLayer res;
  lk::write_all(res.fd.get(), out.data, "memfd");
  lk::streams::TarReader r = lk::streams::TarReader::open_file(res.path(), "result");
  std::map<std::string, Written> got;
  while (r.next()) {
    lk::streams::TarEntry h = r.header();
    if (!h.path.empty() && h.path.back() == '/') h.path.pop_back();  // directories
    std::string data;
    r.copy_data([&](const void* p, size_t n) { data.append(static_cast<const char*>(p), n); });
    CHECK_MESSAGE(!got.count(h.path), "written twice: " << h.path);
    got[h.path] = {h.type, h.mode, data, h.linkname};
    if (order) order->push_back(h.path);
  }
  return got;
}

template <typename Fn>
std::string tar_of(Fn fn) {
  StringSink s;
  lk::streams::TarWriter w(s);
  fn(w);
  w.close();
  return s.data;
}

}  // namespace

TEST_CASE("flattener: within a layer the last entry of a name wins, each name written once") {
  using T = lk::streams::TarEntry;
  auto got = flatten({tar_of([](lk::streams::TarWriter& w) {
    add(w, T::kDir, "d", "", 0700);
    add(w, T::kFile, "d/f", "in d");
    add(w, T::kDir, "d", "", 0750);
    add(w, T::kFile, "a", "one");
    add(w, T::kFile, "a", "two", 0600);
    add(w, T::kFile, "f", "old");
    add(w, T::kHardlink, "l", "", 0644, "f");
    add(w, T::kHardlink, "l2", "", 0644, "l");
    add(w, T::kFile, "f", "new");
    add(w, T::kSymlink, "t", "", 0777, "/etc");
    add(w, T::kDir, "t");
    add(w, T::kFile, "t/x", "x");
  })});
  CHECK(got["d"].mode == 0750);
  CHECK(got["d/f"].data == "in d");
  CHECK(got["a"].data == "two");
  CHECK(got["a"].mode == 0600);
  CHECK(got["f"].data == "new");
  CHECK(got["l"].type == T::kFile);  // carries the data "f" had when it was linked
  CHECK(got["l"].data == "old");
  CHECK(got["l2"].type == T::kHardlink);
  CHECK(got["l2"].link == "l");
  CHECK(got["t"].type == T::kDir);
  CHECK(got["t/x"].data == "x");
}

TEST_CASE("flattener: a later entry never lets an earlier one below it through a link") {
  using T = lk::streams::TarEntry;
  auto refused = [](const std::string& tar, const std::string& msg) {
    CHECK_THROWS_WITH_AS(flatten({tar}), doctest::Contains(msg.c_str()), lk::RuntimeError);
  };
  refused(tar_of([](lk::streams::TarWriter& w) {
            add(w, T::kDir, "d");
            add(w, T::kFile, "d/f", "x");
            add(w, T::kSymlink, "d", "", 0777, "/etc");
          }),
          "layer 0: entry \"d/f\" lies below \"d\", which is a symlink");
  refused(tar_of([](lk::streams::TarWriter& w) {
            add(w, T::kDir, "d");
            add(w, T::kFile, "d/f", "x");
            add(w, T::kFile, "d", "now a file");
          }),
          "entry \"d/f\" lies below \"d\", which is a file");
  refused(tar_of([](lk::streams::TarWriter& w) {
            add(w, T::kHardlink, "l", "", 0644, "f");
            add(w, T::kFile, "f", "later");
          }),
          "hard link \"l\" points to \"f\", which is not a file earlier in the layer or below it");
  refused(tar_of([](lk::streams::TarWriter& w) {
            add(w, T::kDir, "d");
            add(w, T::kHardlink, "l", "", 0644, "d");
          }),
          "hard link \"l\" points to \"d\"");
  // A file replaced by a symlink: the symlink wins and nothing is written below it.
  auto got = flatten({tar_of([](lk::streams::TarWriter& w) {
    add(w, T::kFile, "s", "was a file");
    add(w, T::kSymlink, "s", "", 0777, "/etc/shadow");
  })});
  CHECK(got.size() == 1);
  CHECK(got["s"].type == T::kSymlink);
}

TEST_CASE("flattener: a layer ends at its first end-of-archive marker, as Go's tar reader") {
  using T = lk::streams::TarEntry;
  std::string first = tar_of([](lk::streams::TarWriter& w) { add(w, T::kFile, "x", "first"); });
  std::string second = tar_of([](lk::streams::TarWriter& w) {
    add(w, T::kFile, "x", "second");
    add(w, T::kFile, "y", "only in the second");
  });
  auto got = flatten({first + second});
  CHECK(got.size() == 1);
  CHECK(got["x"].data == "first");
}

TEST_CASE("flattener: read_member finds the winner a flattened image would show") {
  using T = lk::streams::TarEntry;
  std::vector<MemLayer> mem(2);
  lk::write_all(mem[0].fd.get(), tar_of([](lk::streams::TarWriter& w) { add(w, T::kFile, "kernel", "lower"); }), "memfd");
  lk::write_all(mem[1].fd.get(), tar_of([](lk::streams::TarWriter& w) {
    add(w, T::kFile, "kernel", "upper, first");
    add(w, T::kFile, "kernel", "upper, last");
    add(w, T::kSymlink, "boot", "", 0777, "/");
    add(w, T::kFile, "boot/vmlinuz", "below a link");
  }), "memfd");
  lk::rootfs::Flattener f({{mem[0].path(), "layer 0", 0, {}}, {mem[1].path(), "layer 1", 0, {}}}, "", nullptr, 0);
  f.index();
  std::string data;
  CHECK(f.read_member("kernel", [&](lk::streams::TarReader& r, const lk::streams::TarEntry&) {
    r.copy_data([&](const void* p, size_t n) { data.append(static_cast<const char*>(p), n); });
  }));
  CHECK(data == "upper, last");
  CHECK(!f.read_member("missing", [](lk::streams::TarReader&, const lk::streams::TarEntry&) {}));
  CHECK_THROWS_WITH_AS(f.read_member("boot/vmlinuz", [](lk::streams::TarReader&, const lk::streams::TarEntry&) {}),
                       doctest::Contains("lies below \"boot\", which is a symlink"), lk::RuntimeError);
  CHECK_THROWS_WITH_AS(f.read_member("boot", [](lk::streams::TarReader&, const lk::streams::TarEntry&) {}),
                       doctest::Contains("layer 1: \"boot\" is a symlink, expected a regular file"), lk::RuntimeError);
}
