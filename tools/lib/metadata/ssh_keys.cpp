#include "metadata/ssh_keys.h"

#include <nlohmann/json.hpp>

#include "base/strings.h"

namespace lk::metadata {

namespace {

std::vector<std::string_view> lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    out.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

// Days from 1970-01-01 to Y-M-D (proleptic Gregorian), without the time zone games of
// mktime.
long days_from_civil(long y, long m, long d) {
  y -= m <= 2;
  long era = (y >= 0 ? y : y - 399) / 400;
  long yoe = y - era * 400;
  long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool digits(std::string_view s, size_t at, size_t n, long* out) {
  if (at + n > s.size()) return false;
  long v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool expired(std::string_view key, std::time_t now) {
  size_t g = key.find(" google-ssh ");
  if (g == std::string_view::npos) return false;
  auto meta = nlohmann::json::parse(key.substr(g + 12), nullptr, false);
  if (!meta.is_object() || !meta.contains("expireOn") || !meta["expireOn"].is_string()) return false;
  std::time_t when = parse_rfc3339(meta["expireOn"].get<std::string>());
  return when >= 0 && when < now;
}

}  // namespace

std::time_t parse_rfc3339(std::string_view t) {
  long y, mo, d, h, mi, s;
  if (!digits(t, 0, 4, &y) || t.size() < 19 || t[4] != '-' || !digits(t, 5, 2, &mo) || t[7] != '-' ||
      !digits(t, 8, 2, &d) || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') || !digits(t, 11, 2, &h) || t[13] != ':' ||
      !digits(t, 14, 2, &mi) || t[16] != ':' || !digits(t, 17, 2, &s))
    return -1;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return -1;
  size_t i = 19;
  if (i < t.size() && t[i] == '.') {
    ++i;
    size_t start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    if (i == start) return -1;
  }
  long offset = 0;
  std::string_view zone = t.substr(i);
  if (zone == "Z" || zone == "z") {
    offset = 0;
  } else if (zone.size() == 5 || zone.size() == 6) {  // +0000 or +00:00
    long zh, zm;
    bool colon = zone.size() == 6;
    if ((zone[0] != '+' && zone[0] != '-') || !digits(zone, 1, 2, &zh) || (colon && zone[3] != ':') ||
        !digits(zone, colon ? 4 : 3, 2, &zm))
      return -1;
    offset = (zh * 3600 + zm * 60) * (zone[0] == '-' ? -1 : 1);
  } else {
    return -1;
  }
  return static_cast<std::time_t>(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset);
}

std::vector<std::string> gce_ssh_keys(std::string_view attribute, std::time_t now) {
  std::vector<std::string> keys;
  for (std::string_view line : lines(attribute)) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = trim(line.substr(colon + 1));
    if (key.empty() || expired(key, now)) continue;
    keys.emplace_back(key);
  }
  return keys;
}

std::vector<std::string> ec2_key_indexes(std::string_view listing) {
  std::vector<std::string> out;
  for (std::string_view line : lines(listing)) {
    line = trim(line);
    size_t eq = line.find('=');
    std::string_view index = line.substr(0, eq);
    if (index.empty() || index.size() > 6 || index.find_first_not_of("0123456789") != std::string_view::npos) continue;
    out.emplace_back(index);
  }
  return out;
}

std::string authorized_keys(const std::vector<std::string>& keys) {
  std::string out;
  for (const auto& k : keys) out += k + "\n";
  return out;
}

}  // namespace lk::metadata
