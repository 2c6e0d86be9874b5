#pragma once
// Registry authentication pieces that need no network: the WWW-Authenticate challenge
// (RFC 7235 syntax as registries send it) and the token-request URL built from it.
#include <map>
#include <string>

namespace lk::registry {

struct Challenge {
  std::string scheme;                         // "bearer" or "basic", lower-cased
  std::map<std::string, std::string> params;  // realm, service, scope, error...
};

// The first challenge of a WWW-Authenticate value; scheme "" when there is none.
Challenge parse_challenge(const std::string& header);

std::string url_encode(const std::string& s);

// REALM?service=SERVICE&scope=SCOPE (each only when set).
std::string token_url(const Challenge& c, const std::string& scope);

}  // namespace lk::registry
