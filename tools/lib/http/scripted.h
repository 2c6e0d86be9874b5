#pragma once
// A Transport that answers from a script, for unit tests of the code above the wire
// (retries, resumes, auth flows) in milliseconds and without a network. Each Exchange
// is an expected request and its answer, delivered the way http::Client delivers one:
// in the given chunks to on_body, then optionally a mid-body failure. Thread-safe, so
// that parallel pulls can share one script.
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "http/transport.h"

namespace lk::http {

struct Exchange {
  // The request it answers: METHOD and URL exactly, and each of HEADERS among the
  // request's headers ("Range: bytes=5-").
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;
  std::vector<std::string> without;  // header name prefixes the request must not carry ("Range:")
  int times = 1;                     // requests it answers; -1 for any number

  long status = 200;
  std::vector<std::pair<std::string, std::string>> answer_headers;  // names lower-cased
  std::vector<std::string> chunks;
  // After the chunks: the connection drops, or the server stops sending. Both fail
  // the send with TransientError, as libcurl's do.
  enum class Fault { none, reset, stall } fault = Fault::none;
};

// What a request looked like, for the tests' checks.
struct Sent {
  std::string method, url;
  std::vector<std::string> headers;
  bool has(const std::string& header) const;
};

class ScriptedServer {
public:
  void expect(Exchange e);
  // Transports that all answer from this script (it must outlive them).
  Connector connector();
  // Answers REQ from the first matching exchange with requests left; a request nothing
  // expects fails with PermanentError (and is kept in unexpected()).
  Response send(const Request& req);

  std::vector<Sent> sent() const;
  std::vector<std::string> unexpected() const;
  // Exchanges with a fixed count that did not get all their requests.
  std::vector<std::string> unmet() const;

private:
  mutable std::mutex mu_;
  std::vector<Exchange> script_;
  std::vector<Sent> sent_;
  std::vector<std::string> unexpected_;
};

}  // namespace lk::http
