#include <doctest/doctest.h>

#include "base/error.h"
#include "base/path_norm.h"
#include "streams/compress.h"
#include "streams/tar_writer.h"

TEST_CASE("member paths are cleaned; .. and absolute paths are errors naming the layer") {
  CHECK(lk::clean_member_path("./a//b/./c/", "L") == "a/b/c");
  CHECK(lk::clean_member_path("./", "L").empty());
  CHECK(lk::clean_member_path("a..b/..c", "L") == "a..b/..c");
  CHECK_THROWS_WITH_AS(lk::clean_member_path("a/../../x", "image i layer 1"), doctest::Contains("image i layer 1"),
                       lk::RuntimeError);
  CHECK_THROWS_AS(lk::clean_member_path("/etc/passwd", "L"), lk::RuntimeError);
  CHECK_THROWS_AS(lk::clean_member_path("..", "L"), lk::RuntimeError);
}

TEST_CASE("one member-path policy: refused names say why, none is rewritten") {
  CHECK(lk::member_path_problem("./usr/bin/x") == "");
  CHECK(lk::member_path_problem("a..b/.c") == "");
  CHECK(lk::member_path_problem("/etc/passwd") == "has an absolute path");
  CHECK(lk::member_path_problem("//x") == "has an absolute path");
  CHECK(lk::member_path_problem("a/..") == "leaves the root (\"..\")");
  CHECK(lk::member_path_problem("../x") == "leaves the root (\"..\")");
  CHECK(lk::member_path_problem(std::string_view("a\0b", 3)) == "contains a NUL byte");
  CHECK_THROWS_WITH(lk::clean_member_path(std::string_view("a\0/b", 4), "L"), "L: entry \"a\" contains a NUL byte");
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

void add(lk::streams::TarWriter& w, lk::streams::TarEntry::Type type, const std::string& path,
         const std::string& data = "", uint32_t mode = 0644, const std::string& link = "") {
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
// GROUPS, when given, is each layer's image (whiteouts stay within one).
std::map<std::string, Written> flatten(const std::vector<std::string>& layer_tars,
                                       std::vector<std::string>* order = nullptr, const std::vector<int>& groups = {}) {
  std::vector<MemLayer> mem(layer_tars.size());
  std::vector<lk::rootfs::FlattenLayer> layers;
  for (size_t i = 0; i < mem.size(); ++i) {
    lk::write_all(mem[i].fd.get(), layer_tars[i], "memfd");
    layers.push_back({mem[i].path(), "layer " + std::to_string(i), groups.empty() ? 0 : groups[i], {}});
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
  lk::write_all(mem[0].fd.get(), tar_of([](lk::streams::TarWriter& w) { add(w, T::kFile, "kernel", "lower"); }),
                "memfd");
  lk::write_all(mem[1].fd.get(), tar_of([](lk::streams::TarWriter& w) {
                  add(w, T::kFile, "kernel", "upper, first");
                  add(w, T::kFile, "kernel", "upper, last");
                  add(w, T::kSymlink, "boot", "", 0777, "/");
                  add(w, T::kFile, "boot/vmlinuz", "below a link");
                }),
                "memfd");
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

TEST_CASE("flattener: .wh.NAME hides a lower layer's file, and a directory with all below it") {
  using T = lk::streams::TarEntry;
  auto got = flatten({tar_of([](lk::streams::TarWriter& w) {
                        add(w, T::kFile, "gone", "lower");
                        add(w, T::kFile, "kept", "lower");
                        add(w, T::kDir, "d");
                        add(w, T::kFile, "d/x", "x");
                        add(w, T::kDir, "d/sub");
                        add(w, T::kFile, "d/sub/y", "y");
                        add(w, T::kDir, "e");
                        add(w, T::kFile, "e/z", "z");
                      }),
                      tar_of([](lk::streams::TarWriter& w) {
                        add(w, T::kFile, ".wh.gone");
                        add(w, T::kFile, ".wh.d");
                        add(w, T::kFile, "e/.wh.z");
                        add(w, T::kFile, ".wh.never-existed");  // nothing to hide: no error, nothing written
                        add(w, T::kFile, "e/.wh.missing");
                      })});
  CHECK(got.size() == 2);
  CHECK(got.count("kept"));
  CHECK(got.count("e"));
  for (const auto& [path, w] : got)
    CHECK_MESSAGE(path.find(".wh.") == std::string::npos, "a whiteout written: " << path);
}

TEST_CASE("flattener: a whiteout hides only lower layers, of its own image") {
  using T = lk::streams::TarEntry;
  // Within its layer a whiteout hides nothing, before or after the name.
  auto same = flatten(
      {tar_of([](lk::streams::TarWriter& w) { add(w, T::kFile, "a", "lower"); }), tar_of([](lk::streams::TarWriter& w) {
         add(w, T::kFile, ".wh.a");
         add(w, T::kFile, "a", "recreated");
         add(w, T::kFile, "b", "own");
         add(w, T::kFile, ".wh.b");
       })});
  CHECK(same["a"].data == "recreated");
  CHECK(same["b"].data == "own");
  // Another image's whiteout does not reach into this one.
  auto other = flatten({tar_of([](lk::streams::TarWriter& w) { add(w, T::kFile, "a", "image 0"); }),
                        tar_of([](lk::streams::TarWriter& w) { add(w, T::kFile, ".wh.a"); })},
                       nullptr, {0, 1});
  CHECK(other["a"].data == "image 0");
  CHECK_THROWS_WITH_AS(flatten({tar_of([](lk::streams::TarWriter& w) { add(w, T::kFile, ".wh."); })}),
                       doctest::Contains("layer 0: whiteout \".wh.\" names nothing"), lk::RuntimeError);
  CHECK_THROWS_WITH_AS(flatten({tar_of([](lk::streams::TarWriter& w) { add(w, T::kFile, "d/.wh.."); })}),
                       doctest::Contains("layer 0: whiteout \"d/.wh..\" names nothing"), lk::RuntimeError);
}

TEST_CASE("flattener: an opaque directory keeps its own layer's entries and hides the lower ones") {
  using T = lk::streams::TarEntry;
  auto got = flatten({tar_of([](lk::streams::TarWriter& w) {
                        add(w, T::kDir, "d", "", 0700);
                        add(w, T::kFile, "d/old", "lower");
                        add(w, T::kDir, "d/sub");
                        add(w, T::kFile, "d/sub/deep", "lower");
                        add(w, T::kFile, "d/same", "lower");
                        add(w, T::kFile, "outside", "lower");
                      }),
                      tar_of([](lk::streams::TarWriter& w) {
                        add(w, T::kDir, "d", "", 0755);
                        add(w, T::kFile, "d/before", "upper");
                        add(w, T::kFile, "d/.wh..wh..opq");
                        add(w, T::kFile, "d/after", "upper");
                        add(w, T::kFile, "d/same", "upper");
                      })});
  CHECK(got["d"].type == T::kDir);
  CHECK(got["d"].mode == 0755);
  CHECK(got["d/before"].data == "upper");
  CHECK(got["d/after"].data == "upper");
  CHECK(got["d/same"].data == "upper");
  CHECK_FALSE(got.count("d/old"));
  CHECK_FALSE(got.count("d/sub"));
  CHECK_FALSE(got.count("d/sub/deep"));
  CHECK(got["outside"].data == "lower");
  CHECK(got.size() == 5);
}

TEST_CASE("flattener: a directory replaced by a file, and a file by a directory, across layers") {
  using T = lk::streams::TarEntry;
  auto got = flatten({tar_of([](lk::streams::TarWriter& w) {
                        add(w, T::kDir, "was-dir");
                        add(w, T::kFile, "was-dir/child", "hidden by the file above");
                        add(w, T::kFile, "was-file", "lower");
                      }),
                      tar_of([](lk::streams::TarWriter& w) {
                        add(w, T::kFile, "was-dir", "now a file");
                        add(w, T::kDir, "was-file");
                        add(w, T::kFile, "was-file/child", "upper");
                      })});
  CHECK(got["was-dir"].type == T::kFile);
  CHECK(got["was-dir"].data == "now a file");
  CHECK_FALSE(got.count("was-dir/child"));
  CHECK(got["was-file"].type == T::kDir);
  CHECK(got["was-file/child"].data == "upper");
  CHECK(got.size() == 3);
}

TEST_CASE("flattener: hard links across layers and to a whited-out file") {
  using T = lk::streams::TarEntry;
  auto got = flatten({tar_of([](lk::streams::TarWriter& w) {
                        add(w, T::kFile, "f", "data of f");
                        add(w, T::kFile, "g", "data of g");
                        add(w, T::kHardlink, "g-link", "", 0644, "g");
                      }),
                      tar_of([](lk::streams::TarWriter& w) {
                        add(w, T::kHardlink, "up-link", "", 0644, "f");  // its target in a lower layer
                        add(w, T::kFile, ".wh.g");
                      })});
  CHECK(got["f"].data == "data of f");
  CHECK(got["up-link"].type == T::kHardlink);
  CHECK(got["up-link"].link == "f");
  // g is gone, but the link to it survives with g's data.
  CHECK_FALSE(got.count("g"));
  CHECK(got["g-link"].type == T::kFile);
  CHECK(got["g-link"].data == "data of g");
}

TEST_CASE("flattener: no member reaches outside the root, through a link or by ..") {
  using T = lk::streams::TarEntry;
  // A lower layer's symlink out of the root, and a later layer's member through it.
  CHECK_THROWS_WITH_AS(
      flatten({tar_of([](lk::streams::TarWriter& w) { add(w, T::kSymlink, "etc", "", 0777, "/host/etc"); }),
               tar_of([](lk::streams::TarWriter& w) { add(w, T::kFile, "etc/passwd", "root::0:0"); })}),
      doctest::Contains("entry \"etc/passwd\" lies below \"etc\", which is a symlink"), lk::RuntimeError);
  CHECK_THROWS_WITH_AS(
      flatten({tar_of([](lk::streams::TarWriter& w) { add(w, T::kSymlink, "up", "", 0777, "../../.."); }),
               tar_of([](lk::streams::TarWriter& w) {
                 add(w, T::kDir, "up/tmp");
                 add(w, T::kFile, "up/tmp/x", "x");
               })}),
      doctest::Contains("lies below \"up\", which is a symlink"), lk::RuntimeError);
  // The symlink itself is kept as it is: only going through it is refused.
  auto got =
      flatten({tar_of([](lk::streams::TarWriter& w) { add(w, T::kSymlink, "out", "", 0777, "../../etc/shadow"); })});
  CHECK(got["out"].type == T::kSymlink);
  CHECK(got["out"].link == "../../etc/shadow");
  for (const char* name : {"../escape", "a/../../escape", "/abs"}) {
    CAPTURE(name);
    CHECK_THROWS_WITH_AS(flatten({tar_of([&](lk::streams::TarWriter& w) { add(w, T::kFile, name, "x"); })}),
                         doctest::Contains("layer 0"), lk::RuntimeError);
  }
  CHECK_THROWS_WITH_AS(
      flatten({tar_of([](lk::streams::TarWriter& w) { add(w, T::kHardlink, "l", "", 0644, "../../etc/passwd"); })}),
      doctest::Contains("layer 0: hard link \"l\""), lk::RuntimeError);
}
