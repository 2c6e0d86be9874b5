#include "guest/hostname.h"

#include <cctype>

#include "base/strings.h"

namespace lk::guest {

std::string hostname_from_mac(std::string_view mac) {
  std::string hex;
  bool nonzero = false;
  for (char ch : mac) {
    if (ch == ':' || ch == '-' || ch == '\n' || ch == ' ') continue;
    if (!std::isxdigit(static_cast<unsigned char>(ch))) return "";
    hex += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (ch != '0') nonzero = true;
  }
  if (hex.empty() || !nonzero) return "";
  return "lk-" + hex;
}

std::string hostname_from_file(std::string_view contents) {
  for (const std::string& text : split(contents, '\n')) {
    std::string_view line = text;
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front()))) line.remove_prefix(1);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    // A kernel hostname is at most 64 bytes; longer names are cut, as sethostname would refuse them.
    return std::string(line.substr(0, 64));
  }
  return "";
}

std::string choose_hostname(std::string_view hostname_file, std::string_view mac) {
  if (auto h = hostname_from_file(hostname_file); !h.empty()) return h;
  if (auto h = hostname_from_mac(mac); !h.empty()) return h;
  return "lk";
}

}  // namespace lk::guest
