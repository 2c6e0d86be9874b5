#include "yaml_source.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <sstream>
#include <string_view>
#include <thread>

#include <yaml-cpp/eventhandler.h>

#include "error.h"

namespace lk {

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
    std::vector<std::string> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it->first.IsScalar()) {
        const std::string& k = it->first.Scalar();
        for (const auto& s : seen)
          if (s == k) diag.error(pos_of(file, it->first), "", "duplicate key \"" + k + "\"");
        seen.push_back(k);
      }
      check_duplicate_keys(file, it->second, diag);
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) check_duplicate_keys(file, item, diag);
  }
}
}  // namespace

SourcePos pos_of(const std::string& file, const YAML::Node& node) {
  auto m = node.Mark();
  if (m.is_null()) return SourcePos{file, 0, 0};
  return SourcePos{file, m.line + 1, m.column + 1};
}

namespace {
// Where a second document starts, if the text has one. yaml-cpp's LoadAll never
// returns on a stray ',' outside a flow collection: its parser hands out an empty
// document there without consuming the token, forever, allocating as it goes. So
// documents are counted with events, and never more than two asked for.
class DocumentStarts : public YAML::EventHandler {
public:
  std::vector<YAML::Mark> starts;
  void OnDocumentStart(const YAML::Mark& m) override { starts.push_back(m); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

std::optional<YAML::Mark> second_document(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts starts;
  if (!parser.HandleNextDocument(starts) || !parser.HandleNextDocument(starts) || starts.starts.size() < 2) return {};
  return starts.starts[1];
}

// A safety net for any other input yaml-cpp might never return on (the stray ','
// above is the one fuzzing found): the process cannot get the thread back, so after
// a bound it reports the file and exits with the bad-input status.
class ParseWatchdog {
public:
  ParseWatchdog(const std::string& file, int seconds) : thread_([this, file, seconds] {
    std::unique_lock<std::mutex> lock(mu_);
    if (done_cv_.wait_for(lock, std::chrono::seconds(seconds), [this] { return done_; })) return;
    std::string msg = "lk-parse: " + file + ": the YAML parser did not finish within " + std::to_string(seconds) +
                      " s (yaml-cpp loops on some malformed YAML); check the file's syntax\n";
    (void)!::write(STDERR_FILENO, msg.data(), msg.size());
    ::_exit(kExitInput);
  }) {}
  ~ParseWatchdog() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    done_cv_.notify_all();
    thread_.join();
  }

private:
  std::mutex mu_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::thread thread_;  // last: starts after the members it uses exist
};
}  // namespace

YAML::Node load_yaml(const std::string& file, const std::string& text, Diagnostics& diag) {
  if (size_t bad = find_invalid_utf8(text); bad != std::string::npos) {
    diag.error(offset_pos(file, text, bad), "", "the file is not valid UTF-8 (byte offset " + std::to_string(bad) + ")");
    return {};
  }
  try {
    YAML::Node doc;
    std::optional<YAML::Mark> second;
    {
      ParseWatchdog watchdog(file, 10);
      doc = YAML::Load(text);
      second = second_document(text);
    }
    if (second) {
      SourcePos p{file, second->line + 1, second->column + 1};
      if (static_cast<size_t>(second->pos) < text.size() && text[second->pos] == ',')
        diag.error(p, "", "invalid YAML: a ',' outside a flow collection ([...] or {...})");
      else
        diag.error(p, "", "more than one YAML document in the file; put each spec in its own file");
      return {};
    }
    check_duplicate_keys(file, doc, diag);
    return doc;
  } catch (const YAML::Exception& e) {
    SourcePos p{file, e.mark.is_null() ? 0 : e.mark.line + 1, e.mark.is_null() ? 0 : e.mark.column + 1};
    diag.error(p, "", "invalid YAML: " + e.msg);
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
    case ScalarKind::kFloat:
      try {
        return std::stod(s);
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

}  // namespace lk
