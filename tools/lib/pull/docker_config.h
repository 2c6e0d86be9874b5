#pragma once
// Registry credentials the way `docker login` leaves them: ~/.docker/config.json
// ($DOCKER_CONFIG/config.json), its "auths" entries, and the credential helpers named by
// "credHelpers" (per registry) and "credsStore" (default), run as
// `docker-credential-NAME get` with the server on stdin.
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace lk::pull {

struct Credentials {
  std::string username;
  std::string password;
  // An OAuth2 refresh token (what `docker login` keeps for registries that use OAuth,
  // and what a helper returns with Username "<token>"): traded at the token service
  // for bearer tokens, never sent as a password.
  std::string identity_token;
};

class DockerConfig {
public:
  // Reads PATH; "" means $DOCKER_CONFIG/config.json else ~/.docker/config.json. A
  // missing file means no credentials; a malformed one is an InputError.
  explicit DockerConfig(const std::string& path = "");
  explicit DockerConfig(nlohmann::json config) : config_(std::move(config)) {}

  // Credentials for a registry domain ("docker.io", "127.0.0.1:5000"); thread-safe,
  // and a helper runs at most once per domain.
  std::optional<Credentials> lookup(const std::string& domain) const;

private:
  std::optional<Credentials> lookup_uncached(const std::string& domain) const;
  nlohmann::json config_;
  mutable std::mutex mu_;
  mutable std::map<std::string, std::optional<Credentials>> cache_;
};

}  // namespace lk::pull
