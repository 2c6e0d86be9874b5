#include <doctest/doctest.h>

#include "guest/cmdline.h"

TEST_CASE("init cmdline: flags, values, quotes, last wins") {
  auto c = lk::guest::Cmdline::parse("console=ttyS0 panic=-1 quiet lk.debug lk.modules=a,b console=tty0\n");
  CHECK(c.value("console") == "tty0");
  CHECK(c.value("panic") == "-1");
  CHECK(c.flag("quiet"));
  CHECK(c.flag("lk.debug"));
  CHECK_FALSE(c.flag("lk.rw"));
  CHECK_FALSE(c.value("quiet").has_value());
  CHECK(c.value("lk.modules") == "a,b");

  auto q = lk::guest::Cmdline::parse("  root=/dev/sda  msg=\"hello world\" x=\"\"");
  CHECK(q.value("root") == "/dev/sda");
  CHECK(q.value("msg") == "hello world");
  CHECK(q.value("x") == "");
}

TEST_CASE("init cmdline: off values, and -- ends kernel parameters") {
  auto c = lk::guest::Cmdline::parse("lk.debug=0 lk.rw=1 a=no -- lk.stop_timeout=9");
  CHECK_FALSE(c.flag("lk.debug"));
  CHECK(c.flag("lk.rw"));
  CHECK_FALSE(c.flag("a"));
  CHECK_FALSE(c.value("lk.stop_timeout").has_value());
  CHECK(lk::guest::Cmdline::parse("").params().empty());
}
