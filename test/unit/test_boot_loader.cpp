#include <doctest/doctest.h>

#include "base/error.h"
#include "base/units.h"
#include "boot/loader.h"

TEST_CASE("syslinux config boots kernel and initrd with the cmdline as it is") {
  std::string c = lk::boot::syslinux_config("/kernel", "/initrd.img", "console=ttyS0 x=\"a b\"");
  CHECK(c.find("SERIAL 0 115200\n") == 0);
  CHECK(c.find("  KERNEL /kernel\n  INITRD /initrd.img\n  APPEND console=ttyS0 x=\"a b\"\n") != std::string::npos);
  CHECK(c.find("TIMEOUT 0") != std::string::npos);
}

TEST_CASE("grub config quotes every cmdline word so GRUB expands nothing") {
  std::string c = lk::boot::grub_config("--fs-uuid 4c4b-0001", "/kernel", "/initrd.img", "a=$x it's  b");
  CHECK(c.find("search --no-floppy --set=root --fs-uuid 4c4b-0001\n") != std::string::npos);
  CHECK(c.find("linux /kernel 'a=$x' 'it'\\''s' 'b'\n") != std::string::npos);
  CHECK(c.find("initrd /initrd.img\nboot\n") != std::string::npos);
  CHECK(lk::boot::grub_config("--file /k", "/k", "/i", "").find("linux /k\n") != std::string::npos);
}

TEST_CASE("a cmdline with a line break is refused") {
  CHECK_THROWS_AS(lk::boot::syslinux_config("/k", "/i", "a\nb"), lk::InputError);
  CHECK_THROWS_AS(lk::boot::grub_config("--file /k", "/k", "/i", "a\rb"), lk::InputError);
}

TEST_CASE("sizes with units") {
  CHECK(lk::parse_size("1048576") == 1048576);
  CHECK(lk::parse_size("512M") == 512ull << 20);
  CHECK(lk::parse_size("2G") == 2ull << 30);
  CHECK(lk::parse_size("2GiB") == 2ull << 30);
  CHECK(lk::parse_size("1T") == 1ull << 40);
  CHECK_THROWS_AS(lk::parse_size("x"), lk::InputError);
  CHECK_THROWS_AS(lk::parse_size("-1G"), lk::InputError);
  CHECK_THROWS_AS(lk::parse_size("5Q"), lk::InputError);
  CHECK_THROWS_AS(lk::parse_size("99999999999999999999G"), lk::InputError);
  CHECK_THROWS_AS(lk::parse_size("99999999999999999999"), lk::InputError);
}
