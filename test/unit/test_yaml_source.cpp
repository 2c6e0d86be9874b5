#include <doctest/doctest.h>

#include "yaml_source.h"

using lk::ScalarKind;

TEST_CASE("UTF-8 validation finds the first bad byte") {
  CHECK(lk::find_invalid_utf8("plain ascii") == std::string::npos);
  CHECK(lk::find_invalid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3") == std::string::npos);
  CHECK(lk::find_invalid_utf8("caf\xe9") == 3);               // latin-1
  CHECK(lk::find_invalid_utf8("ab\xc0\xaf") == 2);            // overlong '/'
  CHECK(lk::find_invalid_utf8("\xed\xa0\x80") == 0);          // surrogate
  CHECK(lk::find_invalid_utf8("x\xf4\x90\x80\x80") == 1);     // past U+10FFFF
  CHECK(lk::find_invalid_utf8("\xe2\x82") == 0);              // truncated
}

TEST_CASE("plain scalars resolve as YAML 1.2 core, quoted ones stay strings") {
  auto kind = [](const char* text) { return lk::scalar_kind(YAML::Load(std::string("k: ") + text)["k"]); };
  CHECK(kind("true") == ScalarKind::kBool);
  CHECK(kind("False") == ScalarKind::kBool);
  CHECK(kind("yes") == ScalarKind::kString);
  CHECK(kind("42") == ScalarKind::kInt);
  CHECK(kind("-7") == ScalarKind::kInt);
  CHECK(kind("0x1F") == ScalarKind::kInt);
  CHECK(kind("1.5") == ScalarKind::kFloat);
  CHECK(kind("~") == ScalarKind::kNull);
  CHECK(kind("\"42\"") == ScalarKind::kString);
  CHECK(kind("'true'") == ScalarKind::kString);
  CHECK(kind("linuxkit/init:v1") == ScalarKind::kString);
}

TEST_CASE("json_to_yaml quotes strings that would read back as other types") {
  nlohmann::json j = {{"mode", "0644"}, {"flag", "true"}, {"n", 3}, {"s", "plain"}};
  auto text = lk::json_to_yaml(j);
  auto back = lk::yaml_to_json(YAML::Load(text));
  CHECK(back == j);
}

TEST_CASE("load_yaml reports duplicate keys and several documents with positions") {
  lk::Diagnostics diag;
  lk::load_yaml("a.yml", "x: 1\ny:\n  z: 1\n  z: 2\n", diag);
  REQUIRE_FALSE(diag.empty());
  CHECK_THROWS_WITH(diag.throw_if_any(), "a.yml:4:3: duplicate key \"z\"");
}
