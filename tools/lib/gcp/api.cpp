#include "gcp/api.h"

#include "base/error.h"
#include "gcp/http.h"

namespace lk::gcp {

http::Response Api::send(const std::string& what, http::Request req) {
  const size_t base_headers = req.headers.size();
  http::Backoff backoff(retry_);
  bool reauthorized = false;
  for (;;) {
    req.headers.resize(base_headers);
    req.headers.push_back(tokens_.authorization());
    log_.verbose(what + ": " + req.method + " " + req.url);
    http::Response resp;
    try {
      resp = http_.send(req);
    } catch (const RuntimeError& e) {
      if (!http::is_retryable(e)) throw RuntimeError(what + ": " + e.what());
      if (backoff.next()) {
        log_.verbose(what + ": " + e.what() + "; retrying");
        continue;
      }
      throw RuntimeError(what + ": " + e.what() + " (after " + std::to_string(backoff.attempts()) + " attempts)");
    }
    if (resp.status == 401 && !reauthorized && tokens_.invalidate()) {
      log_.verbose(what + ": HTTP 401, renewing the access token");
      reauthorized = true;
      continue;
    }
    if (http::is_retryable_status(resp.status)) {
      long after = http::parse_retry_after(resp.header("retry-after"));
      if (backoff.next(std::chrono::seconds(after < 0 ? 0 : after))) {
        log_.verbose(what + ": HTTP " + std::to_string(resp.status) + ", retrying");
        continue;
      }
    }
    return resp;
  }
}

http::Response Api::send_once(http::Request req) {
  req.headers.push_back(tokens_.authorization());
  return http_.send(req);
}

nlohmann::json parse_json_body(const std::string& what, const http::Response& resp) {
  if (resp.body.empty()) return nlohmann::json::object();
  auto j = nlohmann::json::parse(resp.body, nullptr, false);
  if (j.is_discarded())
    throw RuntimeError(what + ": HTTP " + std::to_string(resp.status) + ": the response is not JSON");
  return j;
}

nlohmann::json Api::call(const std::string& what, const std::string& method, const std::string& url,
                         const nlohmann::json& body) {
  http::Request req;
  req.method = method;
  req.url = url;
  req.headers = {"Accept: application/json"};
  if (!body.is_null()) {
    req.headers.push_back("Content-Type: application/json");
    req.body = body.dump();
  }
  auto resp = send(what, std::move(req));
  if (resp.status < 200 || resp.status > 299) throw http_error(what, resp);
  return parse_json_body(what, resp);
}

std::optional<nlohmann::json> Api::get_if_exists(const std::string& what, const std::string& url) {
  http::Request req;
  req.url = url;
  req.headers = {"Accept: application/json"};
  auto resp = send(what, std::move(req));
  if (resp.status == 404) return std::nullopt;
  if (resp.status < 200 || resp.status > 299) throw http_error(what, resp);
  return parse_json_body(what, resp);
}

}  // namespace lk::gcp
