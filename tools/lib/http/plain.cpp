#include "http/plain.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>

#include "base/fs.h"

namespace lk::http {

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxHeaderBytes = 64 << 10;
constexpr size_t kMaxChunkLine = 4096;
constexpr int kMaxInterimAnswers = 8;  // 100 Continue and friends before the real one

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

bool unreachable(int err) { return err == ENETUNREACH || err == EHOSTUNREACH || err == ENETDOWN; }

// One connection with every wait bounded: a stall (no byte for stall_timeout_s) and,
// when the request has one, the whole request's deadline.
class Conn {
public:
  Conn(const Request& req, std::string what) : req_(req), what_(std::move(what)), deadline_(Clock::time_point::max()) {
    if (req.deadline_s > 0) deadline_ = Clock::now() + std::chrono::seconds(req.deadline_s);
  }

  void connect(const PlainUrl& u) {
    fd_ = Fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd_) throw TransientError(what_ + ": socket: " + strerror(errno));
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(u.port));
    ::inet_pton(AF_INET, u.host.c_str(), &sa.sin_addr);
    if (::connect(fd_.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
      if (errno != EINPROGRESS) fail_connect(errno);
      if (!wait(POLLOUT, req_.connect_timeout_s))
        throw TransientError(what_ + ": no connection within " + std::to_string(req_.connect_timeout_s) + " s");
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) fail_connect(err);
    }
    int one = 1;
    ::setsockopt(fd_.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }

  void send_all(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL);
      if (n > 0) {
        data.remove_prefix(static_cast<size_t>(n));
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!wait(POLLOUT, req_.stall_timeout_s)) stalled();
      } else {
        throw TransientError(what_ + ": send: " + strerror(errno));
      }
    }
  }

  // More bytes into BUF_; false at the end of the stream.
  bool fill() {
    char chunk[16384];
    for (;;) {
      ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
      if (n > 0) {
        buf_.append(chunk, static_cast<size_t>(n));
        return true;
      }
      if (n == 0) return false;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) throw TransientError(what_ + ": receive: " + strerror(errno));
      if (!wait(POLLIN, req_.stall_timeout_s)) stalled();
    }
  }

  // A line ending in CRLF (or LF), without it; the stream must not end first.
  std::string line(size_t max, const char* what) {
    size_t from = 0;
    for (;;) {
      size_t nl = buf_.find('\n', from);
      if (nl != std::string::npos) {
        std::string l = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        if (!l.empty() && l.back() == '\r') l.pop_back();
        return l;
      }
      if (buf_.size() > max)
        throw PermanentError(what_ + ": " + what + " longer than " + std::to_string(max) + " bytes");
      from = buf_.size();
      if (!fill()) throw TransientError(what_ + ": the connection closed inside the " + what);
    }
  }

  // Passes N bytes (all of them, or up to the end when N is npos) to SINK, which may
  // stop the reading by returning false.
  void body(size_t n, const std::function<bool(const char*, size_t)>& sink) {
    for (;;) {
      size_t take = std::min(n, buf_.size());
      if (take > 0) {
        bool more = sink(buf_.data(), take);
        buf_.erase(0, take);
        if (n != std::string::npos) n -= take;
        if (!more) return;
      }
      if (n == 0) return;
      if (!fill()) {
        if (n == std::string::npos) return;
        throw TransientError(what_ + ": the connection closed " + std::to_string(n) + " bytes before the answer's end");
      }
    }
  }

private:
  // False when LIMIT_S (or the deadline) passed first.
  bool wait(short events, long limit_s) {
    for (;;) {
      auto now = Clock::now();
      auto limit = now + std::chrono::seconds(std::max(limit_s, 1L));
      if (deadline_ < limit) limit = deadline_;
      if (now >= deadline_) past_deadline();
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(limit - now).count();
      pollfd p{fd_.get(), events, 0};
      int r = ::poll(&p, 1, static_cast<int>(std::max<long long>(ms, 1)));
      if (r > 0) return true;
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) throw TransientError(what_ + ": poll: " + strerror(errno));
      if (Clock::now() >= deadline_) past_deadline();
      return false;
    }
  }
  [[noreturn]] void past_deadline() {
    throw TransientError(what_ + ": no complete answer within " + std::to_string(req_.deadline_s) + " s");
  }
  [[noreturn]] void stalled() {
    throw TransientError(what_ + ": stalled: nothing for " + std::to_string(req_.stall_timeout_s) + " s");
  }
  [[noreturn]] void fail_connect(int err) {
    std::string why = what_ + ": connect: " + strerror(err);
    if (unreachable(err)) throw UnreachableError(why);
    throw TransientError(why);
  }

  const Request& req_;
  std::string what_;
  Clock::time_point deadline_;
  Fd fd_;
  std::string buf_;
};

size_t parse_size(const std::string& s, int base, const std::string& what) {
  if (s.empty() || s.size() > 15) throw PermanentError(what);
  size_t v = 0;
  for (char c : s) {
    int d = (c >= '0' && c <= '9')                 ? c - '0'
            : (base == 16 && c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (base == 16 && c >= 'A' && c <= 'F') ? c - 'A' + 10
                                                   : -1;
    if (d < 0) throw PermanentError(what);
    v = v * base + static_cast<size_t>(d);
  }
  return v;
}

}  // namespace

PlainUrl parse_plain_url(const std::string& url) {
  auto bad = [&](const std::string& why) {
    return PermanentError(url + ": " + why + " (lk's plain HTTP client speaks http://IPv4[:PORT]/PATH only)");
  };
  if (url.rfind("http://", 0) != 0) throw bad("not an http:// URL");
  std::string rest = url.substr(7);
  size_t slash = rest.find_first_of("/?");
  std::string authority = rest.substr(0, slash);
  PlainUrl u;
  u.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (u.target[0] == '?') u.target = "/" + u.target;
  if (u.target.find_first_of(" \r\n\t#") != std::string::npos) throw bad("a path with blanks or a fragment");
  if (authority.find('@') != std::string::npos) throw bad("a user part");
  size_t colon = authority.find(':');
  u.host = authority.substr(0, colon);
  if (colon != std::string::npos) {
    std::string port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
      throw bad("a bad port");
    u.port = std::stoi(port);
    if (u.port < 1 || u.port > 65535) throw bad("a bad port");
  }
  in_addr a{};
  if (::inet_pton(AF_INET, u.host.c_str(), &a) != 1) throw bad("\"" + u.host + "\" is not an IPv4 address");
  return u;
}

Response PlainClient::send(const Request& req) {
  const std::string what = req.method + " " + req.url;
  PlainUrl u = parse_plain_url(req.url);
  if (req.body_reader) throw PermanentError(what + ": a streamed request body is not supported here");
  Conn conn(req, what);
  conn.connect(u);

  std::string head = req.method + " " + u.target + " HTTP/1.1\r\nHost: " + u.host +
                     (u.port == 80 ? "" : ":" + std::to_string(u.port)) +
                     "\r\nUser-Agent: lk/0.1\r\nConnection: close\r\n";
  for (const auto& h : req.headers) {
    if (h.find_first_of("\r\n") != std::string::npos) throw PermanentError(what + ": a header with a line break");
    head += h + "\r\n";
  }
  if (!req.body.empty() || (req.method != "GET" && req.method != "HEAD"))
    head += "Content-Length: " + std::to_string(req.body.size()) + "\r\n";
  head += "\r\n";
  conn.send_all(head);
  conn.send_all(req.body);

  Response resp;
  resp.effective_url = req.url;
  for (int interim = 0;; ++interim) {
    std::string status_line = conn.line(kMaxHeaderBytes, "status line");
    // "HTTP/1.1 200 OK": the version, three digits, then a reason (maybe empty).
    if (status_line.size() < 12 || status_line.rfind("HTTP/1.", 0) != 0 || status_line[8] != ' ' ||
        !std::all_of(status_line.begin() + 9, status_line.begin() + 12, [](char c) { return c >= '0' && c <= '9'; }) ||
        (status_line.size() > 12 && status_line[12] != ' '))
      throw PermanentError(what + ": not an HTTP/1.x answer: \"" + status_line.substr(0, 80) + "\"");
    resp.status = std::stol(status_line.substr(9, 3));
    resp.headers.clear();
    size_t header_bytes = 0;
    for (;;) {
      std::string l = conn.line(kMaxHeaderBytes, "header");
      header_bytes += l.size();
      if (header_bytes > kMaxHeaderBytes) throw PermanentError(what + ": the answer's headers are too large");
      if (l.empty()) break;
      auto colon = l.find(':');
      if (colon == std::string::npos || colon == 0) throw PermanentError(what + ": a malformed header line");
      resp.headers.emplace(lower(l.substr(0, colon)), trim(l.substr(colon + 1)));
    }
    if (resp.status >= 200 || resp.status < 100) break;
    if (interim >= kMaxInterimAnswers) throw PermanentError(what + ": too many interim (1xx) answers");
  }

  const bool ok = resp.status >= 200 && resp.status < 300;
  const bool stream = req.on_body && (ok || !req.on_body_2xx_only);
  bool started = false;
  bool cut = false;  // a non-2xx body reached kMaxErrorBody: the rest is not read
  auto sink = [&](const char* data, size_t len) -> bool {
    if (stream) {
      if (!started) {
        started = true;
        if (req.on_body_start && !req.on_body_start(resp.status)) throw TransientError(what + ": transfer aborted");
      }
      if (!req.on_body(data, len)) throw TransientError(what + ": transfer aborted");
      return true;
    }
    if (!ok) {
      size_t room = static_cast<size_t>(kMaxErrorBody) - std::min(resp.body.size(), static_cast<size_t>(kMaxErrorBody));
      resp.body.append(data, std::min(len, room));
      cut = len >= room;
      return !cut;
    }
    if (static_cast<int64_t>(resp.body.size() + len) > req.max_body)
      throw PermanentError(what + ": the answer is larger than the most lk accepts for it");
    resp.body.append(data, len);
    return true;
  };

  if (req.method == "HEAD" || resp.status == 204 || resp.status == 304) return resp;
  std::string te = lower(resp.header("transfer-encoding"));
  std::string cl = resp.header("content-length");
  if (te.find("chunked") != std::string::npos) {
    for (;;) {
      std::string size_line = conn.line(kMaxChunkLine, "chunk size");
      size_line = trim(size_line.substr(0, size_line.find(';')));
      size_t n = parse_size(size_line, 16, what + ": a bad chunk size \"" + size_line.substr(0, 20) + "\"");
      if (n == 0) {
        size_t trailer_bytes = 0;
        for (std::string t; !(t = conn.line(kMaxHeaderBytes, "trailer")).empty();)
          if ((trailer_bytes += t.size()) > kMaxHeaderBytes)
            throw PermanentError(what + ": the trailers are too large");
        break;
      }
      conn.body(n, sink);
      if (cut) return resp;
      if (!conn.line(kMaxChunkLine, "chunk end").empty()) throw PermanentError(what + ": a chunk longer than its size");
    }
  } else if (!cl.empty()) {
    size_t n = parse_size(cl, 10, what + ": a bad Content-Length \"" + cl.substr(0, 20) + "\"");
    if (ok && !stream && static_cast<int64_t>(n) > req.max_body)
      throw PermanentError(what + ": the answer is larger than the most lk accepts for it");
    conn.body(n, sink);
  } else {
    conn.body(std::string::npos, sink);
  }
  return resp;
}

}  // namespace lk::http
