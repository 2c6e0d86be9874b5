#include "registry_auth.h"

#include <cctype>

namespace lk::registry {

Challenge parse_challenge(const std::string& header) {
  Challenge c;
  size_t i = 0, n = header.size();
  auto skip_ws = [&] {
    while (i < n && (header[i] == ' ' || header[i] == '\t')) ++i;
  };
  skip_ws();
  while (i < n && header[i] != ' ') c.scheme.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(header[i++]))));
  for (;;) {
    while (i < n && (header[i] == ' ' || header[i] == '\t' || header[i] == ',')) ++i;
    if (i >= n) break;
    std::string key;
    while (i < n && header[i] != '=' && header[i] != ',' && header[i] != ' ')
      key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(header[i++]))));
    skip_ws();
    if (i >= n || header[i] != '=') {
      // A bare word after the parameters starts the next challenge: only the first counts.
      break;
    }
    ++i;
    skip_ws();
    std::string value;
    if (i < n && header[i] == '"') {
      for (++i; i < n && header[i] != '"'; ++i) {
        if (header[i] == '\\' && i + 1 < n) ++i;
        value.push_back(header[i]);
      }
      ++i;
    } else {
      while (i < n && header[i] != ',' && header[i] != ' ') value.push_back(header[i++]);
    }
    c.params[key] = value;
  }
  return c;
}

std::string url_encode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out.push_back(static_cast<char>(ch));
    } else {
      out.push_back('%');
      out.push_back(kHex[ch >> 4]);
      out.push_back(kHex[ch & 15]);
    }
  }
  return out;
}

std::string token_url(const Challenge& c, const std::string& scope) {
  std::string url = c.params.count("realm") ? c.params.at("realm") : "";
  char sep = url.find('?') == std::string::npos ? '?' : '&';
  if (c.params.count("service")) {
    url += sep + std::string("service=") + url_encode(c.params.at("service"));
    sep = '&';
  }
  if (!scope.empty()) url += sep + std::string("scope=") + url_encode(scope);
  return url;
}

}  // namespace lk::registry
