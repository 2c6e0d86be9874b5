#include "spec/yaml_source.h"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include <yaml-cpp/eventhandler.h>

#include "base/error.h"

namespace lk::spec {

size_t find_invalid_utf8(const std::string& text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size();
  for (size_t i = 0; i < n;) {
    unsigned char c = s[i];
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string::npos;
}

namespace {
SourcePos offset_pos(const std::string& file, const std::string& text, size_t off) {
  SourcePos p{file, 1, 1};
  for (size_t i = 0; i < off && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

// yaml-cpp keeps duplicate keys; a spec with two "image:" keys is a mistake to report.
void check_duplicate_keys(const std::string& file, const YAML::Node& node, Diagnostics& diag) {
  if (node.IsMap()) {
    std::unordered_set<std::string_view> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it->first.IsScalar()) {
        const std::string& k = it->first.Scalar();
        if (!seen.insert(k).second) diag.error(pos_of(file, it->first), "", "duplicate key \"" + k + "\"");
      }
      check_duplicate_keys(file, it->second, diag);
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) check_duplicate_keys(file, item, diag);
  }
}
}  // namespace

namespace {
// Bytes YAML does not allow in a stream (C0 controls but tab, LF and CR; DEL; C1
// controls but NEL) where yaml-cpp does not refuse them but reads them wrong: a NUL
// byte followed by 't' comes out as a tab. Escapes in double-quoted scalars ("\0")
// are how YAML writes them. TEXT is valid UTF-8 here.
size_t find_forbidden_char(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) return i;
    if (c == 0xc2 && i + 1 < text.size()) {
      auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9f && next != 0x85) return i;
    }
  }
  return std::string::npos;
}

struct Refusal {
  YAML::Mark mark;
  std::string msg;
};
struct SecondDocument {
  YAML::Mark mark;
};

// The event pass that runs before YAML::Load and bounds the work every later walk
// does. yaml-cpp resolves an alias to the anchored node itself, so Load stays linear
// in the text, but each walk over the tree (duplicate keys, schema checks, JSON)
// visits an aliased node once per alias: nine levels of ten aliases are 10^9 visits,
// and an alias inside its own anchor (&r [*r]) is a cycle no recursion returns from.
// So the pass computes every anchored node's size and depth as expanded, refuses an
// alias whose anchor is still open (the cycle), nesting deeper than kMaxYamlDepth
// (written or through aliases), and more than kMaxAliasNodes nodes copied by aliases.
// Nodes as written need no bound of their own: their count is bounded by the text.
// It also stops at a second document's start, which is all that is needed of it: a
// LoadAll would never return on a stray ',' (its parser hands out an empty document
// there without consuming the token, forever).
class ShapeCheck : public YAML::EventHandler {
public:
  explicit ShapeCheck(const std::string& text) : text_(text) {}

  void OnDocumentStart(const YAML::Mark& m) override {
    if (documents_++) throw SecondDocument{m};
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t anchor) override { leaf(m, anchor); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor, const std::string&) override {
    leaf(m, anchor);
  }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t anchor) override {
    auto it = shapes_.find(anchor);
    if (it == shapes_.end())
      throw Refusal{m, "alias " + alias_name(m) + " refers to itself (it is inside the node it names)"};
    Shape s = it->second;
    copies_ += s.nodes;
    if (copies_ > kMaxAliasNodes)
      throw Refusal{m, "alias " + alias_name(m) + " expands to more than " + std::to_string(kMaxAliasNodes) +
                           " nodes (counting what every alias copies; write the repeated part out)"};
    add(m, s, "alias " + alias_name(m) + " nests");
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(m, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
    open(m, anchor);
  }
  void OnMapEnd() override { close(); }

private:
  struct Shape {
    size_t nodes = 1;
    size_t depth = 1;
  };
  struct Open {
    YAML::Mark mark;
    YAML::anchor_t anchor;
    Shape shape;
  };

  void leaf(const YAML::Mark& m, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) shapes_[anchor] = Shape{};
    add(m, Shape{}, "the YAML nests");
  }
  void open(const YAML::Mark& m, YAML::anchor_t anchor) {
    if (open_.size() + 1 > kMaxYamlDepth) refuse_depth(m, "the YAML nests");
    open_.push_back({m, anchor, Shape{}});
  }
  void close() {
    Open done = open_.back();
    open_.pop_back();
    if (done.anchor != YAML::NullAnchor) shapes_[done.anchor] = done.shape;
    add(done.mark, done.shape, "the YAML nests");
  }
  // S joins the innermost open collection.
  void add(const YAML::Mark& m, const Shape& s, const std::string& what) {
    if (open_.empty()) return;
    if (open_.size() + s.depth > kMaxYamlDepth) refuse_depth(m, what);
    Shape& parent = open_.back().shape;
    parent.nodes += s.nodes;
    parent.depth = std::max(parent.depth, s.depth + 1);
  }
  [[noreturn]] static void refuse_depth(const YAML::Mark& m, const std::string& what) {
    throw Refusal{m, what + " deeper than " + std::to_string(kMaxYamlDepth) + " levels"};
  }
  // "*name" as written at M, for messages (the events carry only anchor numbers).
  std::string alias_name(const YAML::Mark& m) const {
    auto pos = static_cast<size_t>(m.pos);
    if (pos >= text_.size() || text_[pos] != '*') return "*?";
    size_t end = text_.find_first_of(" \t\r\n,[]{}", pos + 1);
    return text_.substr(pos, std::min(end, text_.size()) - pos);
  }

  const std::string& text_;
  std::vector<Open> open_;
  std::unordered_map<YAML::anchor_t, Shape> shapes_;  // closed anchored nodes
  size_t copies_ = 0;
  int documents_ = 0;
};

SourcePos mark_pos(const std::string& file, const YAML::Mark& m) {
  if (m.is_null()) return SourcePos{file, 0, 0};
  return SourcePos{file, m.line + 1, m.column + 1};
}
}  // namespace

SourcePos pos_of(const std::string& file, const YAML::Node& node) { return mark_pos(file, node.Mark()); }

YAML::Node load_yaml(const std::string& file, const std::string& text, Diagnostics& diag) {
  if (size_t bad = find_invalid_utf8(text); bad != std::string::npos) {
    diag.error(offset_pos(file, text, bad), "",
               "the file is not valid UTF-8 (byte offset " + std::to_string(bad) + ")");
    return {};
  }
  if (size_t bad = find_forbidden_char(text); bad != std::string::npos) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "%02x", static_cast<unsigned char>(text[bad]));
    diag.error(offset_pos(file, text, bad), "",
               std::string("the file has a control character (byte 0x") + hex +
                   "), which YAML does not allow as it is; write it as an escape (\"\\x" + hex +
                   "\") in a double-quoted string");
    return {};
  }
  try {
    try {
      std::istringstream in(text);
      YAML::Parser parser(in);
      ShapeCheck shape(text);
      if (parser.HandleNextDocument(shape)) parser.HandleNextDocument(shape);
    } catch (const SecondDocument& second) {
      SourcePos p = mark_pos(file, second.mark);
      if (static_cast<size_t>(second.mark.pos) < text.size() && text[second.mark.pos] == ',')
        diag.error(p, "", "invalid YAML: a ',' outside a flow collection ([...] or {...})");
      else
        diag.error(p, "", "more than one YAML document in the file; put each spec in its own file");
      return {};
    } catch (const Refusal& r) {
      diag.error(mark_pos(file, r.mark), "", r.msg);
      return {};
    }
    YAML::Node doc = YAML::Load(text);
    check_duplicate_keys(file, doc, diag);
    return doc;
  } catch (const YAML::Exception& e) {
    diag.error(mark_pos(file, e.mark), "", "invalid YAML: " + e.msg);
    return {};
  }
}

namespace {
// Hand-written rather than std::regex: libstdc++'s regex recurses per character and
// overflows the stack on long scalars, and this runs on every scalar of a spec.
bool all_of(std::string_view s, bool (*pred)(char)) {
  if (s.empty()) return false;
  for (char c : s)
    if (!pred(c)) return false;
  return true;
}
bool dec(char c) { return c >= '0' && c <= '9'; }
bool oct(char c) { return c >= '0' && c <= '7'; }
bool hex(char c) { return dec(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool is_int(std::string_view s) {
  if (s.rfind("0o", 0) == 0) return all_of(s.substr(2), oct);
  if (s.rfind("0x", 0) == 0) return all_of(s.substr(2), hex);
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return all_of(s, dec);
}

bool is_float(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  if (s == ".inf" || s == ".Inf" || s == ".INF") return true;
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return true;
  size_t i = 0, digits = 0;
  while (i < s.size() && dec(s[i])) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && dec(s[i])) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exp_start = i;
    while (i < s.size() && dec(s[i])) ++i;
    if (i == exp_start) return false;
  }
  return i == s.size();
}
}  // namespace

ScalarKind scalar_kind(const YAML::Node& n) {
  if (n.IsNull()) return ScalarKind::kNull;
  if (!n.IsScalar()) return ScalarKind::kString;
  if (n.Tag() == "!") return ScalarKind::kString;  // quoted
  const std::string& s = n.Scalar();
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return ScalarKind::kNull;
  if (s == "true" || s == "True" || s == "TRUE" || s == "false" || s == "False" || s == "FALSE")
    return ScalarKind::kBool;
  if (is_int(s)) return ScalarKind::kInt;
  if (is_float(s)) return ScalarKind::kFloat;
  return ScalarKind::kString;
}

nlohmann::json yaml_to_json(const YAML::Node& n) {
  using nlohmann::json;
  if (!n || n.IsNull()) return nullptr;
  if (n.IsSequence()) {
    json a = json::array();
    for (const auto& item : n) a.push_back(yaml_to_json(item));
    return a;
  }
  if (n.IsMap()) {
    json o = json::object();
    for (auto it = n.begin(); it != n.end(); ++it) o[it->first.Scalar()] = yaml_to_json(it->second);
    return o;
  }
  const std::string& s = n.Scalar();
  switch (scalar_kind(n)) {
    case ScalarKind::kNull: return nullptr;
    case ScalarKind::kBool: return s[0] == 't' || s[0] == 'T';
    case ScalarKind::kInt:
      try {
        if (s.rfind("0x", 0) == 0) return std::stoll(s.substr(2), nullptr, 16);
        if (s.rfind("0o", 0) == 0) return std::stoll(s.substr(2), nullptr, 8);
        return std::stoll(s);
      } catch (const std::out_of_range&) {
        return s;
      }
    case ScalarKind::kFloat: try { return std::stod(s);
      } catch (const std::exception&) {
        return s;
      }
    case ScalarKind::kString: return s;
  }
  return s;
}

namespace {
void emit_json(YAML::Emitter& out, const nlohmann::json& v) {
  if (v.is_object()) {
    // Spec sections in the order LinuxKit documents them, and name/image first in
    // an entry, read better than alphabetical order; the rest stays sorted.
    static const char* const kFirst[] = {"kernel", "init",  "volumes", "onboot", "onshutdown", "services",
                                         "files",  "trust", "outputs", "name",   "image",      "path"};
    out << YAML::BeginMap;
    auto emit_key = [&](const std::string& k) {
      out << YAML::Key << k << YAML::Value;
      emit_json(out, v.at(k));
    };
    for (const char* k : kFirst)
      if (v.contains(k)) emit_key(k);
    for (const auto& [k, val] : v.items())
      if (std::find(std::begin(kFirst), std::end(kFirst), k) == std::end(kFirst)) emit_key(k);
    out << YAML::EndMap;
  } else if (v.is_array()) {
    out << YAML::BeginSeq;
    for (const auto& item : v) emit_json(out, item);
    out << YAML::EndSeq;
  } else if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    YAML::Node probe(s);
    // Quote strings that would read back as another type ("0600", "true", "").
    if (scalar_kind(probe) != ScalarKind::kString) out << YAML::DoubleQuoted;
    out << s;
  } else if (v.is_boolean()) {
    out << (v.get<bool>() ? "true" : "false");
  } else if (v.is_null()) {
    out << YAML::Null;
  } else {
    out << v.dump();
  }
}
}  // namespace

std::string json_to_yaml(const nlohmann::json& value) {
  YAML::Emitter out;
  emit_json(out, value);
  return std::string(out.c_str()) + "\n";
}

}  // namespace lk::spec
