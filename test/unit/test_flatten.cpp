#include <doctest/doctest.h>

#include "error.h"
#include "path_norm.h"
#include "tar_writer.h"
#include "compress.h"

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
struct StringSink : lk::ByteSink {
  std::string data;
  void write(const void* p, size_t n) override { data.append(static_cast<const char*>(p), n); }
  void finish() override {}
};
}  // namespace

TEST_CASE("tar writer: ustar header, pax record for long names, zero end blocks") {
  StringSink s;
  lk::TarWriter w(s);
  lk::TarEntry e;
  e.path = std::string(120, 'n');
  e.mode = 04755;
  w.add(e, "data");
  w.close();
  CHECK(s.data.size() % 512 == 0);
  CHECK(s.data[156] == 'x');  // a pax header first
  CHECK(s.data.find("path=" + std::string(120, 'n') + "\n") != std::string::npos);
  CHECK(s.data.substr(s.data.size() - 1024) == std::string(1024, '\0'));
  lk::TarEntry f;
  f.path = "f";
  f.size = 3;
  StringSink s2;
  lk::TarWriter w2(s2);
  w2.header(f);
  w2.data("ab", 2);
  CHECK_THROWS_AS(w2.end_entry(), lk::RuntimeError);
}
