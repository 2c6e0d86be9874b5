#include "http/client.h"

#include <curl/curl.h>

#include <algorithm>

#include "base/error.h"

namespace lk::http {

namespace {

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

struct SlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

struct Transfer {
  const Request* req;
  Response* resp;
  CURL* curl = nullptr;
  bool aborted = false;
  bool started = false;
  bool error_body_cut = false;  // a non-2xx body reached kMaxErrorBody: stopped on purpose
  bool too_large = false;       // a 2xx body passed max_body
};

std::string mib(int64_t bytes) {
  return bytes >= (1 << 20) ? std::to_string(bytes >> 20) + " MiB" : std::to_string(bytes >> 10) + " KiB";
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) t->resp->headers.clear();  // a new response (after 100 or redirect)
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string value = line.substr(colon + 1);
    auto b = value.find_first_not_of(" \t");
    auto e = value.find_last_not_of(" \t\r\n");
    value = b == std::string::npos ? "" : value.substr(b, e - b + 1);
    t->resp->headers.emplace(name, value);
  }
  return size * n;
}

size_t on_write(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  long status = 0;
  curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
  bool ok = status >= 200 && status < 300;
  bool stream = t->req->on_body && (ok || !t->req->on_body_2xx_only);
  if (stream && !t->started && t->req->on_body_start) {
    t->started = true;
    if (!t->req->on_body_start(status)) {
      t->aborted = true;
      return 0;
    }
  }
  if (stream) {
    if (!t->req->on_body(data, len)) {
      t->aborted = true;
      return 0;
    }
    return len;
  }
  std::string& body = t->resp->body;
  if (!ok) {
    // An error document is only ever quoted: its start is enough, and an endless one
    // must not keep us reading.
    size_t room = static_cast<size_t>(kMaxErrorBody) - std::min(body.size(), static_cast<size_t>(kMaxErrorBody));
    body.append(data, std::min(len, room));
    if (len <= room) return len;
    t->error_body_cut = true;
    return 0;
  }
  if (static_cast<int64_t>(body.size() + len) > t->req->max_body) {
    t->too_large = true;
    return 0;
  }
  body.append(data, len);
  return len;
}

size_t on_read(char* buf, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  return t->req->body_reader(buf, size * n);
}

}  // namespace

struct Client::Impl {
  CURL* curl = nullptr;
};

Client::Client() : impl_(std::make_unique<Impl>()) {
  static CurlGlobal global;  // curl_global_init must run once before any handle
  impl_->curl = curl_easy_init();
  if (!impl_->curl) throw RuntimeError("curl: cannot create a handle");
}

Client::~Client() { curl_easy_cleanup(impl_->curl); }

Response Client::send(const Request& req) {
  CURL* c = impl_->curl;
  curl_easy_reset(c);
  Response resp;
  Transfer t{&req, &resp, c};
  std::unique_ptr<curl_slist, SlistFree> headers;
  for (const auto& h : req.headers) {
    curl_slist* l = curl_slist_append(headers.get(), h.c_str());
    if (!l) throw RuntimeError("curl: out of memory");
    (void)headers.release();
    headers.reset(l);
  }
  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, req.connect_timeout_s);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, kStallBytesPerSecond);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, req.stall_timeout_s);
  if (req.deadline_s > 0) curl_easy_setopt(c, CURLOPT_TIMEOUT, req.deadline_s);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, req.follow_redirects ? 1L : 0L);
  // A server must not make us read file:// (or speak anything else) by a URL or a
  // redirect it hands us.
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_USERAGENT, "lk/0.1");
  // Blobs are hashed as they arrive, so bytes must be exactly what the server stores.
  curl_easy_setopt(c, CURLOPT_HTTP_CONTENT_DECODING, 0L);
  if (req.verbose) curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
  if (!req.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, req.ca_file.c_str());

  if (req.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (req.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else {
    if (req.body_reader) {
      curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
      curl_easy_setopt(c, CURLOPT_READDATA, &t);
      if (req.body_size >= 0) curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(req.body_size));
    } else {
      curl_easy_setopt(c, CURLOPT_POST, 1L);
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    }
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }

  char detail[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
  CURLcode rc = curl_easy_perform(c);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
  std::string what = req.method + " " + req.url;
  if (t.too_large)
    throw PermanentError(what + ": the answer is larger than " + mib(req.max_body) + ", the most lk accepts for it");
  if (rc == CURLE_UNSUPPORTED_PROTOCOL)
    throw PermanentError(what + ": only http and https are spoken" +
                         (detail[0] ? std::string(" (") + detail + ")" : ""));
  // Zero until the request was on its way: then a timeout is the connect timeout's.
  double sending = 0;
  curl_easy_getinfo(c, CURLINFO_PRETRANSFER_TIME, &sending);
  if (rc == CURLE_OPERATION_TIMEDOUT && sending > 0) {
    double total = 0;
    curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &total);
    if (req.deadline_s > 0 && total >= static_cast<double>(req.deadline_s) - 0.5)
      throw TransientError(what + ": no complete answer within " + std::to_string(req.deadline_s) + " s");
    throw TransientError(what + ": stalled: under " + std::to_string(kStallBytesPerSecond) + " bytes/s for " +
                         std::to_string(req.stall_timeout_s) + " s");
  }
  if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && t.error_body_cut)) {
    if (t.aborted) throw TransientError(what + ": transfer aborted");
    throw TransientError(what + ": " + (detail[0] ? std::string(detail) : curl_easy_strerror(rc)));
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
  char* eff = nullptr;
  curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &eff);
  if (eff) resp.effective_url = eff;
  return resp;
}

Connector curl_connector() {
  return [] { return std::make_unique<Client>(); };
}

std::string host_of(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return "";
  auto start = scheme + 3;
  auto end = url.find_first_of("/?#", start);
  std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  auto at = authority.rfind('@');
  return at == std::string::npos ? authority : authority.substr(at + 1);
}

}  // namespace lk::http
