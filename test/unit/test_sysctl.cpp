#include <doctest/doctest.h>

#include "guest/sysctl.h"

using lk::guest::parse_sysctl_conf;
using lk::guest::sysctl_path;

TEST_CASE("sysctl: keys become /proc/sys paths, dotted or slashed") {
  CHECK(sysctl_path("net.ipv4.ip_forward") == "net/ipv4/ip_forward");
  CHECK(sysctl_path("net/ipv4/ip_forward") == "net/ipv4/ip_forward");
  // The interface eth0.100 written both ways procps accepts.
  CHECK(sysctl_path("net.ipv4.conf.eth0/100.rp_filter") == "net/ipv4/conf/eth0.100/rp_filter");
  CHECK(sysctl_path("net/ipv4/conf/eth0.100/rp_filter") == "net/ipv4/conf/eth0.100/rp_filter");
  CHECK(sysctl_path("vm..max_map_count.") == "vm/max_map_count");
}

TEST_CASE("sysctl: no key leaves /proc/sys") {
  CHECK(sysctl_path("") == "");
  CHECK(sysctl_path("...") == "");
  CHECK(sysctl_path("../../etc/passwd") == "");
  CHECK(sysctl_path("kernel/../../../etc/shadow") == "");
  CHECK(sysctl_path("/kernel/./x") == "");
  // In a dotted key a slash is a dot inside a name, so "//" spells ".." : refused too.
  CHECK(sysctl_path("net.a/.b") == "net/a./b");
  CHECK(sysctl_path("net.//.x") == "");
  CHECK(sysctl_path(std::string("a.b\0c", 5)) == "");
}

TEST_CASE("sysctl: a file of settings, comments and mistakes") {
  auto f = parse_sysctl_conf(
      "# comment\n"
      "; also a comment\n"
      "\n"
      "   \t\n"
      "net.ipv4.tcp_syncookies = 1\n"
      "net.ipv4.ping_group_range=999 59999\r\n"
      "  vm.overcommit_memory =1  \n"
      "-net.ipv6.conf.all.disable_ipv6 = 1\n"
      "kernel.core_pattern = |/bin/dump --a=b\n"
      "no equals sign here\n"
      " = 5\n"
      "kernel.dmesg_restrict = 1",
      "00.conf");
  REQUIRE(f.settings.size() == 6);
  CHECK(f.settings[0].path == "net/ipv4/tcp_syncookies");
  CHECK(f.settings[0].value == "1");
  CHECK(f.settings[0].line == 5);
  CHECK(f.settings[1].value == "999 59999");
  CHECK(f.settings[2].key == "vm.overcommit_memory");
  CHECK(f.settings[2].value == "1");
  CHECK(f.settings[3].ignore_failure);
  CHECK(f.settings[3].key == "net.ipv6.conf.all.disable_ipv6");
  CHECK_FALSE(f.settings[0].ignore_failure);
  CHECK(f.settings[4].value == "|/bin/dump --a=b");  // only the first '=' separates
  CHECK(f.settings[5].line == 12);
  REQUIRE(f.errors.size() == 2);
  CHECK(f.errors[0] == "00.conf:10: expected KEY = VALUE, found \"no equals sign here\"");
  CHECK(f.errors[1] == "00.conf:11: \"\" is not a sysctl name");
}

TEST_CASE("sysctl: which files of a sysctl.d folder are read, in order") {
  auto names = lk::guest::sysctl_conf_names(
      {"99-site.conf", "README", "00-lk.conf", ".hidden.conf", ".conf", "10-x.conf.bak", "50-net.conf"});
  CHECK(names == std::vector<std::string>{"00-lk.conf", "50-net.conf", "99-site.conf"});
}
