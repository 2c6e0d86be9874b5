#include <doctest/doctest.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <unistd.h>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/fs.h"
#include "base/process.h"
#include "base/strings.h"

TEST_CASE("read_or_empty: a file's contents, or empty when it cannot be read") {
  char dir[] = "/tmp/lk-test-fs-XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  const std::string d = dir;
  {
    lk::Fd fd(::open((d + "/f").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
    REQUIRE(fd);
    lk::write_all(fd.get(), "hello\n", "f");
  }
  CHECK(lk::read_or_empty(d + "/f") == "hello\n");
  CHECK(lk::read_or_empty(d + "/missing") == "");
  CHECK(lk::read_or_empty(d) == "");  // a directory is not readable as a file
  ::unlink((d + "/f").c_str());
  ::rmdir(dir);
}

TEST_CASE("split keeps empty parts") {
  using V = std::vector<std::string>;
  CHECK(lk::split("a:b", ':') == V{"a", "b"});
  CHECK(lk::split("a::b:", ':') == V{"a", "", "b", ""});
  CHECK(lk::split("", ':') == V{""});
  CHECK(lk::split("abc", ',') == V{"abc"});
}

TEST_CASE("list_dir: sorted names with their types, without . and ..") {
  char dir[] = "/tmp/lk-test-ls-XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  const std::string d = dir;
  REQUIRE(::mkdir((d + "/b").c_str(), 0755) == 0);
  lk::Fd(::open((d + "/a").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  lk::Fd(::open((d + "/.c").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  auto names = [](const std::vector<lk::DirEntry>& es) {
    std::string out;
    for (const auto& e : es) out += e.name + (e.type == DT_DIR ? "/ " : " ");
    return out;
  };
  CHECK(names(lk::list_dir(d)) == ".c a b/ ");
  {
    lk::Fd fd(::open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    CHECK(names(lk::list_dir(fd.get(), "d")) == ".c a b/ ");
    CHECK(names(lk::list_dir(fd.get(), "d")) == ".c a b/ ");  // the descriptor is left as it was
  }
  CHECK_THROWS_WITH_AS(lk::list_dir(d + "/none"), doctest::Contains("/none"), lk::RuntimeError);
  CHECK(lk::list_dir_or_empty(d + "/none").empty());
  CHECK(lk::list_dir_or_empty(d + "/a").empty());  // a file, not a folder

  // A child's working directory is set in the child only.
  char here[4096];
  REQUIRE(::getcwd(here, sizeof here));
  lk::SpawnOptions o;
  o.cwd = d + "/b";
  CHECK(lk::Child({"sh", "-c", "test \"$(pwd)\" = \"$0\"", o.cwd}, o).wait() == 0);
  char after[4096];
  REQUIRE(::getcwd(after, sizeof after));
  CHECK(std::string(here) == after);
  o.cwd = d + "/none";
  CHECK_THROWS_AS(lk::Child({"true"}, o), lk::RuntimeError);

  for (const char* f : {"/a", "/.c", "/b"}) ::remove((d + f).c_str());
  ::rmdir(dir);
}
