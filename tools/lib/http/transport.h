#pragma once
// The seam between lk's network code and the wire: one Request in, one Response out,
// the body either buffered or streamed to a callback in chunks (so large blobs never
// sit in memory). http::Client (libcurl) is the production Transport; http::ScriptedServer
// (http/scripted.h) answers from a table in unit tests; http::PlainClient (http/plain.h)
// speaks plain HTTP over a socket, without libcurl, for the static guest tools.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"

namespace lk::http {

// What lk keeps in memory of an answer. The distribution spec and containerd cap
// manifests at 4 MiB; a token answer is a few KiB; an error document is only quoted.
constexpr int64_t kMaxBody = 16 << 20;         // any buffered 2xx answer (GCP's included)
constexpr int64_t kMaxManifestBody = 4 << 20;  // manifests, indexes, image configs
constexpr int64_t kMaxTokenBody = 1 << 20;
constexpr int64_t kMaxErrorBody = 64 << 10;  // kept of a non-2xx body; the rest is not read
// The stall rule: a transfer slower than this, averaged over curl's few-second window,
// for Request::stall_timeout_s fails. A byte a second is no progress for a layer, and
// a trickling server must not hold a pull for ever.
constexpr long kStallBytesPerSecond = 1024;

// How a send fails, by type, so that retry loops decide by it (http::is_retryable) and
// never by a message's text.
// Another try may cure it: DNS, connect, TLS, a dropped connection, a stall, a deadline.
struct TransientError : RuntimeError {
  explicit TransientError(const std::string& what) : RuntimeError(what) {}
};
// No route to the server at all (ENETUNREACH, EHOSTUNREACH): the machine's network is
// not configured yet, which a caller that waits for it tells apart from a server that
// is simply not there.
struct UnreachableError : TransientError {
  explicit UnreachableError(const std::string& what) : TransientError(what) {}
};
// Another try would only repeat it (an oversized answer, a redirect to a protocol lk
// does not speak): retry loops give up at once.
struct PermanentError : RuntimeError {
  explicit PermanentError(const std::string& what) : RuntimeError(what) {}
};
// A server's answer that ends a request, its status kept: 503 from a token service is
// worth another try, 401 is not (http::is_retryable_status says which).
struct HttpError : RuntimeError {
  HttpError(long code, const std::string& what) : RuntimeError(what), status(code) {}
  long status;
};

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // sent when body_reader is empty
  // Pulls the request body in pieces: fills BUF (up to LEN bytes) and returns the
  // count, 0 at the end. body_size is then the total (or -1 when unknown).
  std::function<size_t(char* buf, size_t len)> body_reader;
  int64_t body_size = -1;
  // Receives the response body as it arrives; returns false to abort the transfer.
  // Without it the body is collected in Response::body.
  std::function<bool(const char* data, size_t len)> on_body;
  // With on_body: only a 2xx response's body goes to on_body; any other (an error
  // document, a redirect's HTML) is collected in Response::body instead.
  bool on_body_2xx_only = false;
  // With on_body: called with the status once, before the first byte goes to on_body
  // (a 200 and a 206 to a Range request need different handling); false aborts.
  std::function<bool(long status)> on_body_start;
  bool follow_redirects = false;  // callers that must strip auth on redirect do it themselves
  long connect_timeout_s = 30;
  long stall_timeout_s = 60;  // abort when under kStallBytesPerSecond for this long
  // The whole request, when > 0: for small requests only, as a blob's time grows with
  // its size (the stall rule governs those).
  long deadline_s = 0;
  // A buffered 2xx body larger than this fails with PermanentError.
  int64_t max_body = kMaxBody;
  std::string ca_file;  // extra CA bundle (--cert-file)
  bool verbose = false;
};

struct Response {
  long status = 0;
  std::string body;
  std::multimap<std::string, std::string> headers;  // names lower-cased
  std::string effective_url;
  std::string header(const std::string& lower_name) const;  // first value, or ""
};

// One connection's worth of sending; not thread-safe: one Transport per thread.
class Transport {
public:
  virtual ~Transport() = default;
  // Throws TransientError on transport failure (DNS, connect, TLS, stall, deadline,
  // aborted by on_body), PermanentError for an answer over max_body or a URL that is not
  // http(s); any HTTP status, 4xx/5xx included, is returned (a non-2xx body cut to
  // kMaxErrorBody).
  virtual Response send(const Request& req) = 0;
};

// Makes a Transport for one worker thread.
using Connector = std::function<std::unique_ptr<Transport>()>;

}  // namespace lk::http
