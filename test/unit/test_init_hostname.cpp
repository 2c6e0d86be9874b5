#include <doctest/doctest.h>

#include "guest/hostname.h"

TEST_CASE("init hostname: from the MAC") {
  CHECK(lk::guest::hostname_from_mac("52:54:00:12:34:56\n") == "lk-525400123456");
  CHECK(lk::guest::hostname_from_mac("52:54:00:AB:cd:EF") == "lk-525400abcdef");
  CHECK(lk::guest::hostname_from_mac("00:00:00:00:00:00") == "");
  CHECK(lk::guest::hostname_from_mac("") == "");
  CHECK(lk::guest::hostname_from_mac("zz:54") == "");
}

TEST_CASE("init hostname: /etc/hostname wins, comments and blanks skipped") {
  CHECK(lk::guest::hostname_from_file("# made by lk\n\n  web-1  \nother\n") == "web-1");
  CHECK(lk::guest::hostname_from_file("\n# only a comment\n") == "");
  CHECK(lk::guest::choose_hostname("web-1\n", "52:54:00:12:34:56") == "web-1");
  CHECK(lk::guest::choose_hostname("", "52:54:00:12:34:56") == "lk-525400123456");
  CHECK(lk::guest::choose_hostname("", "") == "lk");
  CHECK(lk::guest::hostname_from_file(std::string(100, 'a')).size() == 64);
}
