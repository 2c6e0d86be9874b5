#include "registry.h"

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "base64.h"
#include "error.h"
#include "registry_auth.h"

namespace lk::registry {

namespace {

}  // namespace

bool is_loopback(const std::string& domain) {
  std::string host = domain;
  if (host.starts_with('[')) host = host.substr(0, host.find(']') + 1);
  else if (auto c = host.rfind(':'); c != std::string::npos) host.resize(c);
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

bool transient_status(long s) { return s == 408 || s == 429 || (s >= 500 && s <= 599); }

Registry::Registry(Options opts, const DockerConfig& creds, const Log& log)
    : opts_(std::move(opts)), creds_(creds), log_(log) {}

std::vector<std::string> Registry::endpoints(const std::string& domain, http::Client& client) {
  std::vector<std::string> out;
  if (auto it = opts_.mirrors.find(domain); it != opts_.mirrors.end()) out = it->second;
  std::string base = base_url(domain, opts_);
  if (is_loopback(domain) && !opts_.insecure.count(domain)) {
    std::lock_guard<std::mutex> g(mu_);
    auto it = loopback_base_.find(domain);
    if (it == loopback_base_.end()) {
      http::Request probe;
      probe.url = base + "/v2/";
      probe.connect_timeout_s = 10;
      probe.low_speed_timeout_s = 10;
      try {
        auto r = client.send(probe);
        // Go's TLS server answers plain http with 400 "...HTTP request to an HTTPS server".
        if (r.status == 400 && r.body.find("HTTPS server") != std::string::npos) base = "https://" + domain;
      } catch (const RuntimeError&) {
        // Unreachable now: the real request will say so.
      }
      it = loopback_base_.emplace(domain, base).first;
    }
    base = it->second;
  }
  out.push_back(base);
  return out;
}

std::string Registry::auth_header(const std::string& base, const std::string& scope) const {
  std::lock_guard<std::mutex> g(mu_);
  if (auto it = tokens_.find(base + " " + scope); it != tokens_.end()) return "Authorization: Bearer " + it->second;
  return "";
}

bool Registry::authenticate(http::Client& client, const std::string& base, const std::string& domain, const std::string& scope,
                            const http::Response& resp) {
  Challenge c = parse_challenge(resp.header("www-authenticate"));
  // Mirrors are anonymous; the registry's own credentials go only to the registry.
  bool own = http::host_of(base) == (domain == "docker.io" ? "registry-1.docker.io" : domain);
  auto creds = own ? creds_.lookup(domain) : std::nullopt;
  if (c.scheme == "basic") {
    if (!creds) return false;
    std::lock_guard<std::mutex> g(mu_);
    basic_.insert(base);
    return true;
  }
  if (c.scheme != "bearer" || !c.params.count("realm")) return false;
  std::string want = c.params.count("scope") ? c.params.at("scope") : scope;
  http::Request tr;
  tr.url = token_url(c, want);
  tr.ca_file = opts_.ca_file;
  tr.verbose = opts_.trace;
  tr.low_speed_timeout_s = opts_.stall_timeout_s;
  if (creds) tr.headers.push_back("Authorization: Basic " + base64_encode(creds->username + ":" + creds->password));
  http::Response r;
  for (int attempt = 1;; ++attempt) {
    try {
      r = client.send(tr);
      if (!transient_status(r.status) || attempt >= opts_.attempts) break;
    } catch (const RuntimeError&) {
      if (attempt >= opts_.attempts) throw;
    }
    sleep_backoff(attempt);
  }
  if (r.status != 200)
    throw RuntimeError("token service " + http::host_of(tr.url) + " refused " + (creds ? "the credentials" : "anonymous access") +
                       " for " + want + " (HTTP " + std::to_string(r.status) + ")");
  std::string token;
  try {
    auto j = nlohmann::json::parse(r.body);
    token = j.value("token", j.value("access_token", ""));
  } catch (const nlohmann::json::exception&) {
  }
  if (token.empty()) throw RuntimeError("token service " + http::host_of(tr.url) + " answered without a token");
  std::lock_guard<std::mutex> g(mu_);
  tokens_[base + " " + scope] = token;
  tokens_[base + " " + want] = token;
  return true;
}

http::Response Registry::send(http::Client& client, const std::string& base, const std::string& domain, const std::string& repo,
                              const std::string& actions, http::Request req, const std::string& path) {
  std::string scope = "repository:" + repo + ":" + actions;
  req.url = path.starts_with("http://") || path.starts_with("https://") ? path : base + path;
  req.ca_file = opts_.ca_file;
  req.verbose = opts_.trace;
  req.low_speed_timeout_s = opts_.stall_timeout_s;
  req.follow_redirects = false;
  if (req.on_body) req.on_body_2xx_only = true;
  const auto plain_headers = req.headers;
  std::string origin_host = http::host_of(req.url);
  bool authed_retry = false;
  for (int hops = 0;; ) {
    req.headers = plain_headers;
    // Authorization goes only to the registry's own host, never to where it redirects.
    if (http::host_of(req.url) == origin_host) {
      std::string h = auth_header(base, scope);
      bool basic;
      {
        std::lock_guard<std::mutex> g(mu_);
        basic = basic_.count(base) > 0;
      }
      if (h.empty() && basic) {
        if (auto c = creds_.lookup(domain)) h = "Authorization: Basic " + base64_encode(c->username + ":" + c->password);
      }
      if (!h.empty()) req.headers.push_back(h);
    }
    http::Response resp = client.send(req);
    if (resp.status == 401 && !authed_retry && http::host_of(req.url) == origin_host) {
      authed_retry = true;
      if (authenticate(client, base, domain, scope, resp)) continue;
      return resp;
    }
    if (is_redirect(resp.status) && !resp.header("location").empty()) {
      if (++hops > 10) throw RuntimeError(req.method + " " + base + path + ": too many redirects");
      req.url = resolve_location(req.url, resp.header("location"));
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

http::Response Registry::send_retrying(http::Client& client, const std::string& base, const std::string& domain,
                                       const std::string& repo, const std::string& actions, const http::Request& req,
                                       const std::string& path, const std::string& what,
                                       const std::function<void(http::Request&)>& before_retry) {
  http::Request r = req;
  for (int attempt = 1;; ++attempt) {
    std::string problem;
    try {
      http::Response resp = send(client, base, domain, repo, actions, r, path);
      if (!transient_status(resp.status)) return resp;
      problem = "HTTP " + std::to_string(resp.status);
      if (attempt >= opts_.attempts) return resp;
    } catch (const RuntimeError& e) {
      problem = e.what();
      if (attempt >= opts_.attempts) throw RuntimeError(what + ": " + problem + " (gave up after " + std::to_string(attempt) + " attempts)");
    }
    log_.verbose(what + ": " + problem + ", retrying (attempt " + std::to_string(attempt + 1) + " of " +
                 std::to_string(opts_.attempts) + ")");
    sleep_backoff(attempt);
    r = req;
    if (before_retry) before_retry(r);
  }
}

}  // namespace lk::registry
