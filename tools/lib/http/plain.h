#pragma once
// A Transport without libcurl, for the guest's static tools (lk-metadata): plain
// HTTP/1.1 over one TCP socket per request, to a server named by its IPv4 address, as
// link-local metadata servers (169.254.169.254) are. No TLS, DNS, proxies, redirects or
// keep-alive: a static binary has no resolver, and a metadata server needs none of them.
// The answer may come with Content-Length, chunked, or up to the close; every wait is
// bounded by the request's connect_timeout_s, stall_timeout_s and deadline_s.
#include "http/transport.h"

namespace lk::http {

class PlainClient final : public Transport {
public:
  // Throws UnreachableError when there is no route to the host, TransientError when
  // the connection is refused, drops or times out, PermanentError for a URL that is not
  // http://IPv4[:PORT]/..., an answer over max_body or a reply that is not HTTP/1.x.
  Response send(const Request& req) override;
};

// "http://169.254.169.254:8080/a?b" -> {"169.254.169.254", 8080, "/a?b"}; throws
// PermanentError for anything else (https, a host name, IPv6, a user part).
struct PlainUrl {
  std::string host;
  int port = 80;
  std::string target;  // the path and query, "/" at least
};
PlainUrl parse_plain_url(const std::string& url);

}  // namespace lk::http
