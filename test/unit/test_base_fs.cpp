#include <doctest/doctest.h>

#include <fcntl.h>

#include <unistd.h>
#include <cstdlib>
#include <string>

#include "base/fs.h"

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
