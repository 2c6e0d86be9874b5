#pragma once
// Registry authentication pieces that need no network: the WWW-Authenticate challenge
// (RFC 7235 syntax as registries send it), the token request built from it (a GET URL,
// or the OAuth2 form for an identity token), the token service's answer, and when a
// cached token must be renewed.
#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace lk::pull {

struct Challenge {
  std::string scheme;                         // "bearer" or "basic", lower-cased
  std::map<std::string, std::string> params;  // realm, service, scope, error...
};

// The first challenge of a WWW-Authenticate value; scheme "" when there is none.
Challenge parse_challenge(const std::string& header);

std::string url_encode(const std::string& s);

// REALM?service=SERVICE&scope=SCOPE (each only when set).
std::string token_url(const Challenge& c, const std::string& scope);

// The x-www-form-urlencoded body of an OAuth2 refresh-token grant for SCOPE, as Docker
// sends it to the realm when it holds an identity token.
std::string oauth_refresh_form(const Challenge& c, const std::string& scope, const std::string& refresh_token,
                               const std::string& client_id);

using Clock = std::chrono::system_clock;

// The Docker token spec's default and minimum lifetime of a bearer token.
inline constexpr std::chrono::seconds kMinTokenLifetime{60};

struct Token {
  std::string value;
  std::string refresh_token;  // an OAuth2 answer's replacement identity token, or ""
  Clock::time_point issued;   // by our clock
  std::chrono::seconds lifetime = kMinTokenLifetime;
};

// A token service's JSON answer to a request sent at SENT: "token" or "access_token",
// "expires_in" (60 s when absent or less), "issued_at" (RFC 3339). nullopt when it is
// not JSON or holds no token.
std::optional<Token> parse_token_response(const std::string& body, Clock::time_point sent);

// "2024-05-01T12:00:00Z", with optional fraction and a Z or ±HH:MM offset.
std::optional<Clock::time_point> parse_rfc3339(const std::string& s);

// How long before its expiry a token stops being used.
std::chrono::seconds renew_margin(std::chrono::seconds lifetime);

// Whether T may still be sent at NOW; false from renew_margin() before it expires.
bool token_usable(const Token& t, Clock::time_point now);

// "invalid_grant: reason" from an OAuth2 or registry error body (shortened to about
// 200 characters), "" when it has none.
std::string token_error(const std::string& body);

}  // namespace lk::pull
