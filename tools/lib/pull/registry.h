#pragma once
// A Docker Registry HTTP API v2 client: endpoints (mirrors, plain-http registries),
// authentication (Bearer tokens cached per scope and renewed ahead of expiry, got
// anonymously, with Basic credentials or with an OAuth2 identity token; or Basic),
// redirects followed by hand so that Authorization never goes to another host (blob
// storage), and bounded retries with backoff for transient failures.
// One Registry is shared by all worker threads; each thread brings its own http::Transport.
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/log.h"
#include "http/client.h"
#include "pull/docker_config.h"
#include "pull/registry_auth.h"

namespace lk::pull {

struct Options {
  std::set<std::string> insecure;                           // HOST[:PORT] spoken to over plain http
  std::string ca_file;                                      // extra CA bundle (the system CAs stay trusted)
  std::map<std::string, std::vector<std::string>> mirrors;  // registry domain -> mirror base URLs
  long stall_timeout_s = 60;  // a transfer under http::kStallBytesPerSecond for this long fails
  // The whole of a small request (manifest, token, HEAD, upload session): whatever its
  // pace, a registry that has not answered in this long is not going to.
  long request_timeout_s = 120;
  int attempts = 5;       // tries per request on 408/429/5xx and connection errors
  long backoff_ms = 200;  // first retry delay, doubling up to 5 s
  bool trace = false;     // libcurl's own trace on stderr
};

// The registry's address for DOMAIN: "https://registry-1.docker.io" for docker.io,
// plain http for --insecure-registry hosts and the loopback, as Docker does.
std::string base_url(const std::string& domain, const Options& opts);
bool is_loopback(const std::string& domain);

class Registry {
public:
  Registry(Options opts, const DockerConfig& creds, const Log& log);

  const Options& options() const { return opts_; }
  // Where to try DOMAIN's images, in order: its mirrors, then itself. A loopback
  // registry is plain http unless it answers plain http as a TLS server does (then
  // https, verified): tests and local TLS registries both live on 127.0.0.1.
  std::vector<std::string> endpoints(const std::string& domain, http::Transport& client);

  // Sends REQ to BASE + PATH ("/v2/...", or a full URL the registry gave), authenticating for REPO with ACTIONS
  // ("pull" or "pull,push"). Returns the final response of any status; throws
  // http::TransientError on transport failure, http::HttpError when a token service
  // refuses, http::PermanentError for what no retry would change.
  http::Response send(http::Transport& client, const std::string& base, const std::string& domain,
                      const std::string& repo, const std::string& actions, http::Request req, const std::string& path);

  // send() again while the failure is retryable (http::is_retryable_status,
  // http::is_retryable), sleeping with backoff; BEFORE_RETRY runs before each retry (to
  // rewind a body or add a Range). Any failure it throws names WHAT.
  http::Response send_retrying(http::Transport& client, const std::string& base, const std::string& domain,
                               const std::string& repo, const std::string& actions, const http::Request& req,
                               const std::string& path, const std::string& what,
                               const std::function<void(http::Request&)>& before_retry = {});

  void sleep_backoff(int attempt) const;

private:
  // A cached bearer token and what renews it: the challenge that asked for it and the
  // scope it was asked for.
  struct CachedToken {
    Token token;
    Challenge challenge;
    std::string scope;
  };

  // The Authorization header for a request to BASE for SCOPE: the cached bearer token
  // (renewed first when about to expire; *BEARER gets it), Basic where the registry
  // asked for it, or "" when nothing is known yet (a 401 will say).
  std::string authorization(http::Transport& client, const std::string& base, const std::string& domain,
                            const std::string& scope, std::string* bearer);
  // After a 401 to a request that carried bearer token REJECTED (or ""): true when it is
  // worth sending again with what the challenge asked for.
  bool authenticate(http::Transport& client, const std::string& base, const std::string& domain,
                    const std::string& scope, const http::Response& challenge_resp, const std::string& rejected);
  // A usable token for BASE and SCOPE other than STALE: one another thread just got, or
  // a new one from the token service C names.
  CachedToken renew(http::Transport& client, const std::string& base, const std::string& domain,
                    const std::string& scope, const Challenge& c, const std::string& stale);
  Token fetch_token(http::Transport& client, const std::string& base, const std::string& domain, const Challenge& c,
                    const std::string& want);
  // nullopt when the token service has no OAuth2 endpoint (it answers 404).
  std::optional<Token> fetch_token_oauth(http::Transport& client, const std::string& domain, const Challenge& c,
                                         const std::string& want, const std::string& identity);
  http::Response send_token_request(http::Transport& client, http::Request req, Clock::time_point* sent) const;
  http::Request token_request(const std::string& url) const;
  // The registry's own credentials when BASE is the registry itself: mirrors get none.
  std::optional<Credentials> credentials(const std::string& base, const std::string& domain) const;
  std::string identity_token(const std::string& domain, const Credentials& creds) const;

  Options opts_;
  const DockerConfig& creds_;
  const Log& log_;
  mutable std::mutex mu_;
  // Held while fetching a token, so that threads finding the same token stale share one renewal.
  std::mutex renew_mu_;
  std::map<std::string, CachedToken> tokens_;           // "BASE SCOPE" -> bearer token
  std::map<std::string, std::string> identity_tokens_;  // domain -> the replacement a token service gave
  std::set<std::string> basic_;                         // bases that take Basic auth
  std::map<std::string, std::string> loopback_base_;    // probed once per domain
};

}  // namespace lk::pull
