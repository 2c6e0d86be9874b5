#include "oci/reference.h"

#include <algorithm>
#include <cctype>

#include "base/error.h"
#include "oci/digest.h"

namespace lk::oci {
namespace {

constexpr const char* kDefaultDomain = "docker.io";
constexpr size_t kMaxNameLength = 255;  // distribution's NameTotalLengthMax

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool any_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// pathComponent: [a-z0-9]+ ( ( [._] | __ | -+ ) [a-z0-9]+ )*
bool valid_path_component(const std::string& s) {
  size_t i = 0;
  auto alnums = [&] {
    size_t start = i;
    while (i < s.size() && lower_alnum(s[i])) ++i;
    return i > start;
  };
  if (!alnums()) return false;
  while (i < s.size()) {
    if (s[i] == '.' || s[i] == '_') {
      ++i;
      if (i < s.size() && s[i - 1] == '_' && s[i] == '_') ++i;
    } else if (s[i] == '-') {
      while (i < s.size() && s[i] == '-') ++i;
    } else {
      return false;
    }
    if (!alnums()) return false;
  }
  return true;
}

// domain: label(.label)*(:port)? with labels [A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?,
// or a bracketed IPv6 address.
bool valid_domain(const std::string& d) {
  std::string host = d;
  auto colon = d.rfind(':');
  if (!d.empty() && d[0] == '[') {
    auto close = d.find(']');
    if (close == std::string::npos) return false;
    for (size_t i = 1; i < close; ++i)
      if (!std::isxdigit(static_cast<unsigned char>(d[i])) && d[i] != ':') return false;
    if (close + 1 == d.size()) return close > 1;
    colon = close + 1;
    if (d[colon] != ':') return false;
    host.clear();
  } else if (colon != std::string::npos) {
    host = d.substr(0, colon);
  }
  if (colon != std::string::npos) {
    std::string port = d.substr(colon + 1);
    if (port.empty()) return false;
    for (char c : port)
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  if (host.empty()) return d[0] == '[';
  size_t start = 0;
  for (;;) {
    size_t dot = host.find('.', start);
    std::string label = host.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (label.empty() || !any_alnum(label.front()) || !any_alnum(label.back())) return false;
    for (char c : label)
      if (!any_alnum(c) && c != '-') return false;
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

// tag: [\w][\w.-]{0,127}
bool valid_tag(const std::string& t) {
  if (t.empty() || t.size() > 128) return false;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (!word(t[0])) return false;
  for (char c : t)
    if (!word(c) && c != '.' && c != '-') return false;
  return true;
}

bool all_lower_hex(const std::string& s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

Reference parse_reference(const std::string& text) {
  auto bad = [&](const std::string& why) { return InputError("invalid image reference \"" + text + "\": " + why); };
  if (text.empty()) throw bad("empty");
  if (text.size() == 64 && all_lower_hex(text)) throw bad("a 64-digit hex string is an image ID, not a reference");

  Reference r;
  std::string rest = text;
  if (auto at = rest.find('@'); at != std::string::npos) {
    r.digest = rest.substr(at + 1);
    rest.resize(at);
    if (auto why = digest_problem(r.digest); !why.empty()) throw bad("digest \"" + r.digest + "\" " + why);
  }
  // The tag is after the last ':' that follows the last '/', so a registry port is not a tag.
  auto slash = rest.rfind('/');
  auto colon = rest.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    r.tag = rest.substr(colon + 1);
    rest.resize(colon);
    if (!valid_tag(r.tag)) throw bad("invalid tag \"" + r.tag + "\"");
  }
  if (rest.empty()) throw bad("no repository name");

  auto first = rest.find('/');
  std::string head = first == std::string::npos ? "" : rest.substr(0, first);
  bool has_domain = first != std::string::npos &&
                    (head.find_first_of(".:") != std::string::npos || head == "localhost" || head.starts_with('[') ||
                     std::any_of(head.begin(), head.end(), [](unsigned char c) { return std::isupper(c); }));
  if (has_domain) {
    r.domain = head;
    r.path = rest.substr(first + 1);
    if (!valid_domain(r.domain)) throw bad("invalid registry \"" + r.domain + "\"");
  } else {
    r.domain = kDefaultDomain;
    r.path = rest;
  }
  if (r.domain == "index.docker.io") r.domain = kDefaultDomain;
  if (r.domain == kDefaultDomain && r.path.find('/') == std::string::npos) r.path = "library/" + r.path;

  for (char c : r.path)
    if (std::isupper(static_cast<unsigned char>(c))) throw bad("repository name must be lower case");
  size_t start = 0;
  for (;;) {
    size_t end = r.path.find('/', start);
    std::string comp = r.path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!valid_path_component(comp)) throw bad("invalid repository path component \"" + comp + "\"");
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (r.repository().size() > kMaxNameLength) throw bad("repository name longer than 255 characters");
  if (r.tag.empty() && r.digest.empty()) r.tag = "latest";
  return r;
}

}  // namespace lk::oci
