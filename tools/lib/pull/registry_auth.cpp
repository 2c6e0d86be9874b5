#include "pull/registry_auth.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "http/url.h"

namespace lk::pull {

Challenge parse_challenge(const std::string& header) {
  Challenge c;
  size_t i = 0, n = header.size();
  auto skip_ws = [&] {
    while (i < n && (header[i] == ' ' || header[i] == '\t')) ++i;
  };
  skip_ws();
  while (i < n && header[i] != ' ')
    c.scheme.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(header[i++]))));
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

std::string token_url(const Challenge& c, const std::string& scope) {
  std::string url = c.params.count("realm") ? c.params.at("realm") : "";
  char sep = url.find('?') == std::string::npos ? '?' : '&';
  if (c.params.count("service")) {
    url += sep + std::string("service=") + http::url_escape(c.params.at("service"));
    sep = '&';
  }
  if (!scope.empty()) url += sep + std::string("scope=") + http::url_escape(scope);
  return url;
}

std::string oauth_refresh_form(const Challenge& c, const std::string& scope, const std::string& refresh_token,
                               const std::string& client_id) {
  std::string form = "grant_type=refresh_token&refresh_token=" + http::url_escape(refresh_token);
  if (auto it = c.params.find("service"); it != c.params.end()) form += "&service=" + http::url_escape(it->second);
  if (!scope.empty()) form += "&scope=" + http::url_escape(scope);
  return form + "&client_id=" + http::url_escape(client_id);
}

namespace {

// A longer claimed life only makes us renew sooner than needed; capping it keeps the
// time arithmetic far from overflow whatever a token service sends.
constexpr std::chrono::seconds kMaxTokenLifetime{366L * 24 * 3600};

std::chrono::seconds lifetime_of(const nlohmann::json& j) {
  auto it = j.find("expires_in");
  if (it == j.end() || !it->is_number()) return kMinTokenLifetime;
  // Through double: a float or a huge integer must not reach an integer cast out of range.
  double v = it->get<double>();
  v = std::clamp(v, static_cast<double>(kMinTokenLifetime.count()), static_cast<double>(kMaxTokenLifetime.count()));
  return std::chrono::seconds(static_cast<long>(v));
}

bool digits(const std::string& s, size_t pos, size_t len, int& out) {
  if (pos + len > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + len; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

std::optional<Clock::time_point> parse_rfc3339(const std::string& s) {
  int y, mo, d, h, mi, se;
  if (!digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') || !digits(s, 11, 2, h) || s[13] != ':' ||
      !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, se))
    return std::nullopt;
  size_t i = 19;
  if (s[i] == '.') {
    // The fraction is dropped: a second is finer than any renewal margin.
    size_t start = ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == start) return std::nullopt;
  }
  long offset_min = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh, om;
    if (!digits(s, i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' || !digits(s, i + 4, 2, om) || oh > 23 ||
        om > 59)
      return std::nullopt;
    offset_min = (s[i] == '-' ? -1 : 1) * (oh * 60L + om);
    i += 6;
  } else {
    return std::nullopt;
  }
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  // Clock counts nanoseconds in 64 bits (about 1678..2262): stay well inside.
  if (i != s.size() || !ymd.ok() || y < 1970 || y > 2200 || h > 23 || mi > 59 || se > 60) return std::nullopt;
  return time_point_cast<Clock::duration>(sys_days(ymd) + hours(h) + minutes(mi) + seconds(se) - minutes(offset_min));
}

std::optional<Token> parse_token_response(const std::string& body, Clock::time_point sent) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  Token t;
  // The spec allows both names for the same token; Docker prefers the OAuth2 one.
  for (const char* key : {"access_token", "token"}) {
    auto it = j.find(key);
    if (t.value.empty() && it != j.end() && it->is_string()) t.value = it->get<std::string>();
  }
  if (t.value.empty()) return std::nullopt;
  if (auto it = j.find("refresh_token"); it != j.end() && it->is_string()) t.refresh_token = it->get<std::string>();
  t.lifetime = lifetime_of(j);
  t.issued = sent;
  std::optional<Clock::time_point> said;
  if (auto it = j.find("issued_at"); it != j.end() && it->is_string()) said = parse_rfc3339(it->get<std::string>());
  if (said && *said <= sent) {
    // issued_at is by the token service's clock. Believed only when plausible by ours:
    // not after we asked, and not so early that the token is useless on arrival (then
    // the clocks disagree, and the request's time is the better guess).
    Token as_said = t;
    as_said.issued = *said;
    if (token_usable(as_said, sent)) t.issued = *said;
  }
  return t;
}

// 10% of the life, at most 30 s: the token must outlive the gap between our check
// and the registry's (one request's latency, a connection retry, the odd second of
// clock difference with the token service whose issued_at we trust). A 60 s token
// then serves 54 s; a long-lived one is not renewed minutes early for nothing.
std::chrono::seconds renew_margin(std::chrono::seconds lifetime) {
  return std::min(lifetime / 10, std::chrono::seconds(30));
}

bool token_usable(const Token& t, Clock::time_point now) {
  return now < t.issued + t.lifetime - renew_margin(t.lifetime);
}

std::string token_error(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return "";
  auto str = [](const nlohmann::json& o, const char* key) {
    auto it = o.find(key);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  std::string code = str(j, "error"), detail = str(j, "error_description");
  // The registry's own form: {"errors":[{"code":..., "message":...}]}.
  if (code.empty() && j.contains("errors") && j["errors"].is_array() && !j["errors"].empty() &&
      j["errors"][0].is_object()) {
    code = str(j["errors"][0], "code");
    detail = str(j["errors"][0], "message");
  }
  std::string out = code.empty() || detail.empty() ? code + detail : code + ": " + detail;
  // It goes into a one-line error message, whatever the server wrote.
  if (out.size() > 200) out = out.substr(0, 200) + "...";
  return out;
}

}  // namespace lk::pull
