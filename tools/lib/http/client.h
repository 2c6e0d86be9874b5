#pragma once
// The production Transport: a small blocking HTTP client over libcurl. Proxies come
// from http_proxy/https_proxy/no_proxy, as libcurl reads them.
#include <memory>
#include <string>

#include "http/transport.h"

namespace lk::http {

// Reusable connection (keep-alive); not thread-safe: one Client per thread.
class Client final : public Transport {
public:
  Client();
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  Response send(const Request& req) override;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Makes a Client per call: what the registry code's worker threads use in production.
Connector curl_connector();

// "https://host/path?q" -> "host" (with port when given); "" when unparsable.
std::string host_of(const std::string& url);

}  // namespace lk::http
