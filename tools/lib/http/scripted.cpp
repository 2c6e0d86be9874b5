#include "http/scripted.h"

#include <algorithm>

namespace lk::http {

namespace {

bool matches(const Exchange& e, const Request& req) {
  if (e.times == 0 || e.method != req.method || e.url != req.url) return false;
  auto has = [&](const std::string& h) {
    return std::find(req.headers.begin(), req.headers.end(), h) != req.headers.end();
  };
  auto has_prefix = [&](const std::string& p) {
    return std::any_of(req.headers.begin(), req.headers.end(), [&](const std::string& h) { return h.starts_with(p); });
  };
  return std::all_of(e.headers.begin(), e.headers.end(), has) &&
         std::none_of(e.without.begin(), e.without.end(), has_prefix);
}

class ScriptedTransport final : public Transport {
public:
  explicit ScriptedTransport(ScriptedServer& server) : server_(server) {}
  Response send(const Request& req) override { return server_.send(req); }

private:
  ScriptedServer& server_;
};

}  // namespace

bool Sent::has(const std::string& header) const {
  return std::find(headers.begin(), headers.end(), header) != headers.end();
}

void ScriptedServer::expect(Exchange e) {
  std::lock_guard<std::mutex> g(mu_);
  script_.push_back(std::move(e));
}

Connector ScriptedServer::connector() {
  return [this] { return std::make_unique<ScriptedTransport>(*this); };
}

Response ScriptedServer::send(const Request& req) {
  std::string what = req.method + " " + req.url;
  Exchange e;
  {
    std::lock_guard<std::mutex> g(mu_);
    sent_.push_back({req.method, req.url, req.headers});
    auto it = std::find_if(script_.begin(), script_.end(), [&](const Exchange& x) { return matches(x, req); });
    if (it == script_.end()) {
      std::string all;
      for (const auto& h : req.headers) all += " [" + h + "]";
      unexpected_.push_back(what + all);
      throw PermanentError(what + ": not in the script");
    }
    if (it->times > 0) --it->times;
    e = *it;
  }
  if (req.body_reader) {
    char buf[4096];
    while (req.body_reader(buf, sizeof buf) > 0) {}
  }
  Response resp;
  resp.status = e.status;
  resp.effective_url = req.url;
  for (const auto& [name, value] : e.answer_headers) resp.headers.emplace(name, value);
  bool ok = e.status >= 200 && e.status < 300;
  bool stream = req.on_body && (ok || !req.on_body_2xx_only);
  bool started = false;
  if (req.method != "HEAD")
    for (const auto& chunk : e.chunks) {
      if (chunk.empty()) continue;
      if (stream) {
        if (!started && req.on_body_start && !req.on_body_start(e.status))
          throw TransientError(what + ": transfer aborted");
        started = true;
        if (!req.on_body(chunk.data(), chunk.size())) throw TransientError(what + ": transfer aborted");
      } else if (!ok) {
        resp.body.append(
            chunk, 0,
            static_cast<size_t>(kMaxErrorBody) - std::min(resp.body.size(), static_cast<size_t>(kMaxErrorBody)));
      } else {
        if (static_cast<int64_t>(resp.body.size() + chunk.size()) > req.max_body)
          throw PermanentError(what + ": the answer is larger than the most lk accepts for it");
        resp.body += chunk;
      }
    }
  if (e.fault == Exchange::Fault::reset) throw TransientError(what + ": Connection reset by peer");
  if (e.fault == Exchange::Fault::stall)
    throw TransientError(what + ": stalled: under " + std::to_string(kStallBytesPerSecond) + " bytes/s for " +
                         std::to_string(req.stall_timeout_s) + " s");
  return resp;
}

std::vector<Sent> ScriptedServer::sent() const {
  std::lock_guard<std::mutex> g(mu_);
  return sent_;
}

std::vector<std::string> ScriptedServer::unexpected() const {
  std::lock_guard<std::mutex> g(mu_);
  return unexpected_;
}

std::vector<std::string> ScriptedServer::unmet() const {
  std::lock_guard<std::mutex> g(mu_);
  std::vector<std::string> out;
  for (const auto& e : script_)
    if (e.times > 0) out.push_back(e.method + " " + e.url);
  return out;
}

}  // namespace lk::http
