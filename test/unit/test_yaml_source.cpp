#include <doctest/doctest.h>

#include "spec/yaml_source.h"

using lk::spec::ScalarKind;
using namespace std::string_literals;

TEST_CASE("UTF-8 validation finds the first bad byte") {
  CHECK(lk::spec::find_invalid_utf8("plain ascii") == std::string::npos);
  CHECK(lk::spec::find_invalid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3") == std::string::npos);
  CHECK(lk::spec::find_invalid_utf8("caf\xe9") == 3);            // latin-1
  CHECK(lk::spec::find_invalid_utf8("ab\xc0\xaf") == 2);         // overlong '/'
  CHECK(lk::spec::find_invalid_utf8("\xed\xa0\x80") == 0);       // surrogate
  CHECK(lk::spec::find_invalid_utf8("x\xf4\x90\x80\x80") == 1);  // past U+10FFFF
  CHECK(lk::spec::find_invalid_utf8("\xe2\x82") == 0);           // truncated
}

TEST_CASE("plain scalars resolve as YAML 1.2 core, quoted ones stay strings") {
  auto kind = [](const char* text) { return lk::spec::scalar_kind(YAML::Load(std::string("k: ") + text)["k"]); };
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
  auto text = lk::spec::json_to_yaml(j);
  auto back = lk::spec::yaml_to_json(YAML::Load(text));
  CHECK(back == j);
}

TEST_CASE("load_yaml reports duplicate keys and several documents with positions") {
  lk::Diagnostics diag;
  lk::spec::load_yaml("a.yml", "x: 1\ny:\n  z: 1\n  z: 2\n", diag);
  REQUIRE_FALSE(diag.empty());
  CHECK_THROWS_WITH(diag.throw_if_any(), "a.yml:4:3: duplicate key \"z\"");
}

namespace {
std::string load_error(const std::string& text) {
  lk::Diagnostics diag;
  lk::spec::load_yaml("a.yml", text, diag);
  try {
    diag.throw_if_any();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}
// A flow list of N plain scalars.
std::string scalars(size_t n) {
  std::string s = "[";
  for (size_t i = 0; i < n; ++i) s += i ? ",x" : "x";
  return s + "]";
}
}  // namespace

TEST_CASE("aliases may copy kMaxAliasNodes nodes, not one more") {
  // The anchored list is 1000 nodes (itself and 999 scalars); 1000 aliases copy 10^6.
  std::string text = "a: &a " + scalars(999) + "\nb: [";
  for (size_t i = 0; i < lk::spec::kMaxAliasNodes / 1000; ++i) text += i ? ",*a" : "*a";
  CHECK(load_error(text + "]\n") == "");
  CHECK(load_error(text + ",*s]\ns: &s x\n").find("anchor") != std::string::npos);  // *s before &s: undefined
  std::string over = "s: &s x\n" + text + ",*s]\n";
  CHECK(load_error(over) ==
        "a.yml:3:3005: alias *s expands to more than 1000000 nodes (counting what every alias copies; write the "
        "repeated part out)");
}

TEST_CASE("aliases count what their anchors hold, aliases inside included") {
  // Six levels of ten: 10^6 scalar copies at the last level alone, plus the lists.
  std::string text = "l0: &l0 x\n";
  for (int i = 1; i <= 6; ++i) {
    text += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) text += (k ? ",*l" : "*l") + std::to_string(i - 1);
    text += "]\n";
  }
  CHECK(load_error(text).find("expands to more than 1000000 nodes") != std::string::npos);
}

TEST_CASE("an alias to a node still open is a cycle, wherever it sits") {
  CHECK(load_error("a: &r [*r]\n") == "a.yml:1:8: alias *r refers to itself (it is inside the node it names)");
  CHECK(load_error("a: &m {k: [1, {j: *m}]}\n") ==
        "a.yml:1:19: alias *m refers to itself (it is inside the node it names)");
  // A later anchor of the same name is another node: no cycle, the alias takes the newest.
  CHECK(load_error("a: &r [1]\nb: &r [*r]\n") ==
        "a.yml:2:8: alias *r refers to itself (it is inside the node it names)");
  CHECK(load_error("a: &r [1]\nb: [*r]\nc: &r [2]\nd: *r\n") == "");
}

TEST_CASE("nesting is bounded as written and as aliases expand it") {
  auto nested = [](size_t n, const std::string& inner) { return std::string(n, '[') + inner + std::string(n, ']'); };
  CHECK(load_error("a: " + nested(lk::spec::kMaxYamlDepth - 1, "") + "\n") == "");
  CHECK(load_error("a: " + nested(lk::spec::kMaxYamlDepth, "") + "\n") ==
        "a.yml:1:" + std::to_string(3 + lk::spec::kMaxYamlDepth) + ": the YAML nests deeper than 400 levels");
  CHECK(load_error("a: " + nested(100000, "") + "\n").find("deeper than 400 levels") != std::string::npos);
  // 200 + 200 levels through an alias, with the top mapping: 401.
  std::string text = "a: &a " + nested(199, "x") + "\nb: " + nested(200, "*a") + "\n";
  CHECK(load_error(text) == "a.yml:2:" + std::to_string(4 + 200) + ": alias *a nests deeper than 400 levels");
  text = "a: &a " + nested(199, "x") + "\nb: " + nested(199, "*a") + "\n";
  CHECK(load_error(text) == "");
}

TEST_CASE("raw control bytes are refused where they are, escapes are read") {
  CHECK(load_error("a: get\0ty\n"s) ==
        "a.yml:1:7: the file has a control character (byte 0x00), which YAML does not allow as it is; write it as an "
        "escape (\"\\x00\") in a double-quoted string");
  CHECK(load_error("a: x\x1b[0m\n").find("a.yml:1:5: the file has a control character (byte 0x1b)") == 0);
  CHECK(load_error("a: x\x7f\n").find("(byte 0x7f)") != std::string::npos);
  CHECK(load_error("a: x\xc2\x9b\n").find("(byte 0xc2)") != std::string::npos);
  CHECK(load_error("a: \"x\xc2\x85y\"\n\tb\r\n") != "");  // NEL is allowed; the tab indent is not YAML
  CHECK(load_error("a: \"x\xc2\x85y\"\r\nb: \"\\t\"\n") == "");
  lk::Diagnostics diag;
  CHECK(lk::spec::load_yaml("a.yml", "a: \"get\\0ty\"\n", diag)["a"].Scalar() == "get\0ty"s);
}
