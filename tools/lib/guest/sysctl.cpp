#include "guest/sysctl.h"

#include <algorithm>

#include "base/strings.h"

namespace lk::guest {

std::string sysctl_path(std::string_view key) {
  // procps' rule: the first separator decides. With a dot first, dots separate and a
  // slash stands for a dot inside a name (eth0/100 is eth0.100); with a slash first,
  // slashes separate and dots are literal.
  size_t first = key.find_first_of("./");
  char sep = first != std::string_view::npos && key[first] == '/' ? '/' : '.';
  std::string path;
  std::string part;
  auto flush = [&]() {
    if (part.empty()) return true;  // "a..b" and a leading separator: no empty component
    if (part == "." || part == ".." || part.find('\0') != std::string::npos) return false;
    path += (path.empty() ? "" : "/") + part;
    part.clear();
    return true;
  };
  for (char c : key) {
    if (c == sep) {
      if (!flush()) return "";
    } else {
      part += (sep == '.' && c == '/') ? '.' : c;
    }
  }
  if (!flush()) return "";
  return path;
}

SysctlFile parse_sysctl_conf(std::string_view text, const std::string& file) {
  SysctlFile out;
  int n = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++n;
    std::string_view line = trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    auto where = file + ":" + std::to_string(n) + ": ";
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      out.errors.push_back(where + "expected KEY = VALUE, found \"" + std::string(line) + "\"");
      continue;
    }
    SysctlSetting s;
    std::string_view key = trim(line.substr(0, eq));
    if (!key.empty() && key[0] == '-') {
      s.ignore_failure = true;
      key = trim(key.substr(1));
    }
    s.key = std::string(key);
    s.path = sysctl_path(key);
    s.value = std::string(trim(line.substr(eq + 1)));
    s.line = n;
    if (s.path.empty()) {
      out.errors.push_back(where + "\"" + s.key + "\" is not a sysctl name");
      continue;
    }
    out.settings.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> sysctl_conf_names(std::vector<std::string> entries) {
  std::vector<std::string> out;
  for (auto& e : entries)
    if (e.size() > 5 && e[0] != '.' && e.ends_with(".conf")) out.push_back(std::move(e));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace lk::guest
