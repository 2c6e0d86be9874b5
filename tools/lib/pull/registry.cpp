#include "pull/registry.h"

#include <chrono>
#include <thread>

#include "base/base64.h"
#include "base/error.h"
#include "http/retry.h"
#include "pull/registry_auth.h"

namespace lk::pull {

bool is_loopback(const std::string& domain) {
  std::string host = domain;
  if (host.starts_with('['))
    host = host.substr(0, host.find(']') + 1);
  else if (auto c = host.rfind(':'); c != std::string::npos)
    host.resize(c);
  return host == "localhost" || host == "[::1]" || host.starts_with("127.");
}

namespace {

// Resolves a Location header against the URL it came from.
std::string resolve_location(const std::string& from, const std::string& loc) {
  if (loc.find("://") != std::string::npos) return loc;
  auto scheme_end = from.find("://");
  std::string origin = from.substr(0, from.find('/', scheme_end + 3));
  if (loc.starts_with("//")) return from.substr(0, scheme_end + 1) + loc;
  if (loc.starts_with('/')) return origin + loc;
  return from.substr(0, from.rfind('/') + 1) + loc;
}

bool is_redirect(long s) { return s == 301 || s == 302 || s == 303 || s == 307 || s == 308; }

}  // namespace

std::string base_url(const std::string& domain, const Options& opts) {
  std::string host = domain == "docker.io" ? "registry-1.docker.io" : domain;
  bool plain = opts.insecure.count(domain) || is_loopback(domain);
  return (plain ? "http://" : "https://") + host;
}

Registry::Registry(Options opts, const DockerConfig& creds, const Log& log)
    : opts_(std::move(opts)), creds_(creds), log_(log) {}

std::vector<std::string> Registry::endpoints(const std::string& domain, http::Transport& client) {
  std::vector<std::string> out;
  if (auto it = opts_.mirrors.find(domain); it != opts_.mirrors.end()) out = it->second;
  std::string base = base_url(domain, opts_);
  if (is_loopback(domain) && !opts_.insecure.count(domain)) {
    std::optional<std::string> known;
    {
      std::lock_guard<std::mutex> g(mu_);
      if (auto it = loopback_base_.find(domain); it != loopback_base_.end()) known = it->second;
    }
    if (!known) {
      // Probed without the lock: the probe may take its 10 s, and every other thread
      // (tokens, other registries) needs the lock meanwhile. Threads that race here
      // probe the same server and get the same answer; the first one stored is kept.
      std::string probed = base;
      http::Request probe;
      probe.url = base + "/v2/";
      probe.connect_timeout_s = 10;
      probe.stall_timeout_s = 10;
      probe.deadline_s = 10;
      try {
        auto r = client.send(probe);
        // Go's TLS server answers plain http with 400 "...HTTP request to an HTTPS server".
        if (r.status == 400 && r.body.find("HTTPS server") != std::string::npos) probed = "https://" + domain;
      } catch (const RuntimeError&) {
        // Unreachable now: the real request will say so.
      }
      std::lock_guard<std::mutex> g(mu_);
      known = loopback_base_.emplace(domain, probed).first->second;
    }
    base = *known;
  }
  out.push_back(base);
  return out;
}

std::optional<Credentials> Registry::credentials(const std::string& base, const std::string& domain) const {
  bool own = http::host_of(base) == (domain == "docker.io" ? "registry-1.docker.io" : domain);
  return own ? creds_.lookup(domain) : std::nullopt;
}

std::string Registry::identity_token(const std::string& domain, const Credentials& creds) const {
  std::lock_guard<std::mutex> g(mu_);
  auto it = identity_tokens_.find(domain);
  return it != identity_tokens_.end() ? it->second : creds.identity_token;
}

std::string Registry::authorization(http::Transport& client, const std::string& base, const std::string& domain,
                                    const std::string& scope, std::string* bearer) {
  std::optional<CachedToken> cached;
  bool basic = false;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (auto it = tokens_.find(base + " " + scope); it != tokens_.end()) cached = it->second;
    basic = basic_.count(base) > 0;
  }
  if (cached) {
    // Renewed before the request rather than after the registry's 401: a 401 costs a
    // round trip, and sends an upload's body for nothing.
    if (!token_usable(cached->token, Clock::now()))
      cached = renew(client, base, domain, scope, cached->challenge, cached->token.value);
    *bearer = cached->token.value;
    return "Authorization: Bearer " + *bearer;
  }
  if (basic) {
    auto c = creds_.lookup(domain);
    if (c && !c->password.empty()) return "Authorization: Basic " + base64_encode(c->username + ":" + c->password);
  }
  return "";
}

bool Registry::authenticate(http::Transport& client, const std::string& base, const std::string& domain,
                            const std::string& scope, const http::Response& resp, const std::string& rejected) {
  Challenge c = parse_challenge(resp.header("www-authenticate"));
  if (c.scheme == "basic") {
    // An identity token is for a token service only; Basic needs a password.
    auto creds = credentials(base, domain);
    if (!creds || creds->password.empty()) return false;
    std::lock_guard<std::mutex> g(mu_);
    basic_.insert(base);
    return true;
  }
  if (c.scheme != "bearer" || !c.params.count("realm")) return false;
  renew(client, base, domain, scope, c, rejected);
  return true;
}

namespace {

std::string renewal_reason(const Token& t, const std::string& scope) {
  auto now = Clock::now();
  if (token_usable(t, now)) return "the registry refused the bearer token for " + scope + ": asking for another";
  auto left = std::chrono::duration_cast<std::chrono::seconds>(t.issued + t.lifetime - now).count();
  return "bearer token for " + scope + (left > 0 ? " expires in " + std::to_string(left) + " s" : " expired") +
         ": renewing it";
}

}  // namespace

Registry::CachedToken Registry::renew(http::Transport& client, const std::string& base, const std::string& domain,
                                      const std::string& scope, const Challenge& c, const std::string& stale) {
  std::lock_guard<std::mutex> one_at_a_time(renew_mu_);
  std::string why;
  {
    std::lock_guard<std::mutex> g(mu_);
    auto it = tokens_.find(base + " " + scope);
    if (it != tokens_.end() && it->second.token.value != stale && token_usable(it->second.token, Clock::now()))
      return it->second;
    if (it != tokens_.end() && it->second.token.value == stale) why = renewal_reason(it->second.token, scope);
  }
  if (!why.empty()) log_.verbose(why);
  std::string want = c.params.count("scope") ? c.params.at("scope") : scope;
  CachedToken fresh{fetch_token(client, base, domain, c, want), c, want};
  std::lock_guard<std::mutex> g(mu_);
  tokens_[base + " " + scope] = fresh;
  tokens_[base + " " + want] = fresh;
  return fresh;
}

http::Request Registry::token_request(const std::string& url) const {
  http::Request tr;
  tr.url = url;
  tr.ca_file = opts_.ca_file;
  tr.verbose = opts_.trace;
  tr.stall_timeout_s = opts_.stall_timeout_s;
  tr.deadline_s = opts_.request_timeout_s;
  tr.max_body = http::kMaxTokenBody;
  return tr;
}

http::Response Registry::send_token_request(http::Transport& client, http::Request req, Clock::time_point* sent) const {
  http::Response r;
  for (int attempt = 1;; ++attempt) {
    try {
      *sent = Clock::now();
      r = client.send(req);
      if (!http::is_retryable_status(r.status) || attempt >= opts_.attempts) return r;
    } catch (const RuntimeError& e) {
      if (!http::is_retryable(e) || attempt >= opts_.attempts) throw;
    }
    sleep_backoff(attempt);
  }
}

namespace {

// The token in a token service's answer R to a request sent at SENT; WHAT says what was
// offered ("the credentials", "anonymous access"...) for the error message.
Token token_from(const http::Response& r, const std::string& url, const std::string& what, const std::string& want,
                 Clock::time_point sent) {
  std::string service = "token service " + http::host_of(url);
  if (r.status != 200) {
    std::string why = token_error(r.body);
    throw http::HttpError(r.status, service + " refused " + what + " for " + want + " (HTTP " +
                                        std::to_string(r.status) + (why.empty() ? "" : ": " + why) + ")");
  }
  auto t = parse_token_response(r.body, sent);
  if (!t) throw RuntimeError(service + " answered without a token");
  return *t;
}

}  // namespace

std::optional<Token> Registry::fetch_token_oauth(http::Transport& client, const std::string& domain, const Challenge& c,
                                                 const std::string& want, const std::string& identity) {
  http::Request tr = token_request(c.params.at("realm"));
  tr.method = "POST";
  tr.headers.push_back("Content-Type: application/x-www-form-urlencoded");
  tr.body = oauth_refresh_form(c, want, identity, "lk");
  Clock::time_point sent;
  http::Response r = send_token_request(client, tr, &sent);
  // Token services without OAuth2 (GCR, some Artifactory versions) answer 404.
  if (r.status == 404) return std::nullopt;
  Token t = token_from(r, tr.url, "the identity token", want, sent);
  if (!t.refresh_token.empty() && t.refresh_token != identity) {
    // A token service that rotates refresh tokens may revoke the one it was given.
    std::lock_guard<std::mutex> g(mu_);
    identity_tokens_[domain] = t.refresh_token;
  }
  return t;
}

Token Registry::fetch_token(http::Transport& client, const std::string& base, const std::string& domain,
                            const Challenge& c, const std::string& want) {
  auto creds = credentials(base, domain);
  std::string identity = creds ? identity_token(domain, *creds) : "";
  if (!identity.empty()) {
    if (auto t = fetch_token_oauth(client, domain, c, want, identity)) return *t;
    log_.verbose("token service " + http::host_of(c.params.at("realm")) +
                 " has no OAuth2 endpoint (HTTP 404): asking with GET");
  }
  http::Request tr = token_request(token_url(c, want));
  std::string what = "anonymous access";
  if (creds) {
    // Without a password, the fallback offers the identity token as the secret, as
    // containerd does: the token service it is meant for is the one asked.
    std::string secret = creds->password.empty() ? identity : creds->password;
    tr.headers.push_back("Authorization: Basic " + base64_encode(creds->username + ":" + secret));
    what = creds->password.empty() ? "the identity token" : "the credentials";
  }
  Clock::time_point sent;
  http::Response r = send_token_request(client, tr, &sent);
  return token_from(r, tr.url, what, want, sent);
}

http::Response Registry::send(http::Transport& client, const std::string& base, const std::string& domain,
                              const std::string& repo, const std::string& actions, http::Request req,
                              const std::string& path) {
  std::string scope = "repository:" + repo + ":" + actions;
  req.url = path.starts_with("http://") || path.starts_with("https://") ? path : base + path;
  req.ca_file = opts_.ca_file;
  req.verbose = opts_.trace;
  req.stall_timeout_s = opts_.stall_timeout_s;
  // Streamed bodies (blobs up and down) take as long as their size needs; the rest is small.
  req.deadline_s = req.on_body || req.body_reader ? 0 : opts_.request_timeout_s;
  req.follow_redirects = false;
  if (req.on_body) req.on_body_2xx_only = true;
  const auto plain_headers = req.headers;
  std::string origin_host = http::host_of(req.url);
  bool authed_retry = false;
  for (int hops = 0;;) {
    req.headers = plain_headers;
    std::string bearer;
    // Authorization goes only to the registry's own host, never to where it redirects.
    if (http::host_of(req.url) == origin_host) {
      std::string h = authorization(client, base, domain, scope, &bearer);
      if (!h.empty()) req.headers.push_back(h);
    }
    http::Response resp = client.send(req);
    if (resp.status == 401 && !authed_retry && http::host_of(req.url) == origin_host) {
      authed_retry = true;
      if (authenticate(client, base, domain, scope, resp, bearer)) continue;
      return resp;
    }
    if (is_redirect(resp.status) && !resp.header("location").empty()) {
      if (++hops > 10) throw http::PermanentError(req.method + " " + base + path + ": too many redirects");
      req.url = resolve_location(req.url, resp.header("location"));
      if (!req.url.starts_with("http://") && !req.url.starts_with("https://"))
        throw http::PermanentError(req.method + " " + base + path + ": redirected to " + req.url +
                                   "; only http and https redirects are followed");
      if (req.method == "POST" || resp.status == 303) req.method = resp.status == 303 ? "GET" : req.method;
      log_.verbose("redirected to " + http::host_of(req.url));
      continue;
    }
    return resp;
  }
}

void Registry::sleep_backoff(int attempt) const {
  long ms = opts_.backoff_ms << (attempt - 1 > 5 ? 5 : attempt - 1);
  if (ms > 5000) ms = 5000;
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

http::Response Registry::send_retrying(http::Transport& client, const std::string& base, const std::string& domain,
                                       const std::string& repo, const std::string& actions, const http::Request& req,
                                       const std::string& path, const std::string& what,
                                       const std::function<void(http::Request&)>& before_retry) {
  http::Request r = req;
  for (int attempt = 1;; ++attempt) {
    std::string problem;
    try {
      http::Response resp = send(client, base, domain, repo, actions, r, path);
      if (!http::is_retryable_status(resp.status)) return resp;
      problem = "HTTP " + std::to_string(resp.status);
      if (attempt >= opts_.attempts) return resp;
    } catch (const RuntimeError& e) {
      if (!http::is_retryable(e)) throw RuntimeError(what + ": " + e.what());
      problem = e.what();
      if (attempt >= opts_.attempts)
        throw RuntimeError(what + ": " + problem + " (gave up after " + std::to_string(attempt) + " attempts)");
    }
    log_.verbose(what + ": " + problem + ", retrying (attempt " + std::to_string(attempt + 1) + " of " +
                 std::to_string(opts_.attempts) + ")");
    sleep_backoff(attempt);
    r = req;
    if (before_retry) before_retry(r);
  }
}

}  // namespace lk::pull
