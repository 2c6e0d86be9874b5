#include <doctest/doctest.h>

#include "base/base64.h"
#include "base/error.h"

TEST_CASE("base64 encodes the RFC 4648 test vectors") {
  CHECK(lk::base64_encode("") == "");
  CHECK(lk::base64_encode("f") == "Zg==");
  CHECK(lk::base64_encode("fo") == "Zm8=");
  CHECK(lk::base64_encode("foo") == "Zm9v");
  CHECK(lk::base64_encode("foob") == "Zm9vYg==");
  CHECK(lk::base64_encode("fooba") == "Zm9vYmE=");
  CHECK(lk::base64_encode("foobar") == "Zm9vYmFy");
}

TEST_CASE("base64url uses - and _ and drops the padding") {
  CHECK(lk::base64url_encode("\xfb\xff\xbf") == "-_-_");
  CHECK(lk::base64_encode("\xfb\xff\xbf") == "+/+/");
  CHECK(lk::base64url_encode("fo") == "Zm8");
}

TEST_CASE("base64 decodes both alphabets, with or without padding") {
  CHECK(lk::base64_decode("Zm9vYmFy") == "foobar");
  CHECK(lk::base64_decode("Zm9vYg==") == "foob");
  CHECK(lk::base64_decode("Zm9vYg") == "foob");
  CHECK(lk::base64_decode("-_-_") == "\xfb\xff\xbf");
  CHECK(lk::base64_decode("+/+/") == "\xfb\xff\xbf");
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  CHECK(lk::base64_decode(lk::base64_encode(all)) == all);
  CHECK(lk::base64_decode(lk::base64url_encode(all)) == all);
  CHECK_THROWS_AS(lk::base64_decode("Zm9v!"), lk::InputError);
  CHECK_THROWS_AS(lk::base64_decode("Z"), lk::InputError);
}
