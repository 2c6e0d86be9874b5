#pragma once
// An authorized, retrying JSON client for Google's REST APIs: every call is named
// (e.g. "images.insert"), retried on 429/5xx and dropped connections within a bound,
// re-authorized once on 401, and any failure is reported as "CALL: HTTP STATUS: message".
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "base/log.h"
#include "gcp/auth.h"
#include "http/client.h"
#include "http/retry.h"

namespace lk::gcp {

class Api {
public:
  Api(TokenSource& tokens, http::RetryPolicy retry, const Log& log) : tokens_(tokens), retry_(retry), log_(log) {}

  // Sends REQ with the bearer token; retries as above and returns the last response,
  // whatever its status. Throws RuntimeError when the connection keeps failing.
  http::Response send(const std::string& what, http::Request req);

  // One attempt with the bearer token and nothing else: for requests whose body
  // cannot simply be sent again (upload chunks), where the caller owns recovery.
  http::Response send_once(http::Request req);

  // A JSON call (BODY null: none): the parsed 2xx response, else throws http_error.
  nlohmann::json call(const std::string& what, const std::string& method, const std::string& url,
                      const nlohmann::json& body = nullptr);

  // GET that returns nothing on 404 instead of failing.
  std::optional<nlohmann::json> get_if_exists(const std::string& what, const std::string& url);

  const Log& log() const { return log_; }
  const http::RetryPolicy& retry_policy() const { return retry_; }

private:
  TokenSource& tokens_;
  http::RetryPolicy retry_;
  const Log& log_;
  http::Client http_;
};

nlohmann::json parse_json_body(const std::string& what, const http::Response& resp);

}  // namespace lk::gcp
