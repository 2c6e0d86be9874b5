// http::PlainClient, the libcurl-free client of the static guest tools, against a real
// socket: a server thread on 127.0.0.1 that answers each connection with raw bytes.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "base/fs.h"
#include "http/plain.h"

using lk::http::PlainClient;
using lk::http::Request;

namespace {

struct Answer {
  std::string raw;
  int hold_ms = 0;  // keep the connection open this long after answering
};

// Serves ANSWERS, one connection each, on a loopback port; keeps each request it read.
class LoopbackServer {
public:
  explicit LoopbackServer(std::vector<Answer> answers) : answers_(std::move(answers)) {
    fd_ = lk::Fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    socklen_t len = sizeof sa;
    ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&sa), &len);
    port_ = ntohs(sa.sin_port);
    REQUIRE(::listen(fd_.get(), 8) == 0);
    thread_ = std::thread([this] { serve(); });
  }
  ~LoopbackServer() {
    ::shutdown(fd_.get(), SHUT_RDWR);
    thread_.join();
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> g(mu_);
    return requests_;
  }

private:
  void serve() {
    for (const auto& a : answers_) {
      pollfd p{fd_.get(), POLLIN, 0};
      if (::poll(&p, 1, 10000) <= 0) return;  // a test that sends fewer requests than scripted
      lk::Fd c(::accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (!c) return;
      std::string req;
      char buf[4096];
      // The head, then a body of Content-Length bytes.
      while (req.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::recv(c.get(), buf, sizeof buf, 0);
        if (n <= 0) break;
        req.append(buf, static_cast<size_t>(n));
      }
      auto cl = req.find("Content-Length: ");
      if (cl != std::string::npos) {
        size_t want = std::stoul(req.substr(cl + 16)), have = req.size() - req.find("\r\n\r\n") - 4;
        while (have < want) {
          ssize_t n = ::recv(c.get(), buf, sizeof buf, 0);
          if (n <= 0) break;
          req.append(buf, static_cast<size_t>(n));
          have += static_cast<size_t>(n);
        }
      }
      {
        std::lock_guard<std::mutex> g(mu_);
        requests_.push_back(req);
      }
      ::send(c.get(), a.raw.data(), a.raw.size(), MSG_NOSIGNAL);
      if (a.hold_ms) std::this_thread::sleep_for(std::chrono::milliseconds(a.hold_ms));
    }
  }

  std::vector<Answer> answers_;
  lk::Fd fd_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> requests_;
};

Request get(const std::string& url) {
  Request r;
  r.url = url;
  r.connect_timeout_s = 2;
  r.stall_timeout_s = 1;
  r.deadline_s = 3;
  return r;
}

}  // namespace

TEST_CASE("plain http: Content-Length, the request it sends") {
  LoopbackServer s({{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nMetadata-Flavor: Google\r\n\r\nhello"}});
  Request r = get(s.url("/computeMetadata/v1/instance/hostname?alt=text"));
  r.headers = {"Metadata-Flavor: Google"};
  auto resp = PlainClient().send(r);
  CHECK(resp.status == 200);
  CHECK(resp.body == "hello");
  CHECK(resp.header("metadata-flavor") == "Google");
  auto reqs = s.requests();
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].rfind("GET /computeMetadata/v1/instance/hostname?alt=text HTTP/1.1\r\n", 0) == 0);
  CHECK(reqs[0].find("\r\nHost: 127.0.0.1:") != std::string::npos);
  CHECK(reqs[0].find("\r\nMetadata-Flavor: Google\r\n") != std::string::npos);
  CHECK(reqs[0].find("\r\nConnection: close\r\n") != std::string::npos);
}

TEST_CASE("plain http: chunked, close-delimited, interim answers, errors kept") {
  LoopbackServer s(
      {{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nuser\r\n5\r\n-data\r\n0\r\nX-T: 1\r\n\r\n"},
       {"HTTP/1.0 200 OK\r\n\r\nto the end"},
       {"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"},
       {"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found"}});
  PlainClient c;
  auto a = c.send(get(s.url("/a")));
  CHECK(a.body == "user-data");
  auto b = c.send(get(s.url("/b")));
  CHECK(b.body == "to the end");
  auto d = c.send(get(s.url("/c")));
  CHECK(d.status == 201);
  CHECK(d.body == "ok");
  auto e = c.send(get(s.url("/d")));
  CHECK(e.status == 404);
  CHECK(e.body == "not found");
}

TEST_CASE("plain http: PUT says its length, and headers reach the server") {
  LoopbackServer s({{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nTOKEN"}});
  Request r = get(s.url("/latest/api/token"));
  r.method = "PUT";
  r.headers = {"X-aws-ec2-metadata-token-ttl-seconds: 21600"};
  auto resp = PlainClient().send(r);
  CHECK(resp.body == "TOKEN");
  auto reqs = s.requests();
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].rfind("PUT /latest/api/token HTTP/1.1\r\n", 0) == 0);
  CHECK(reqs[0].find("\r\nContent-Length: 0\r\n") != std::string::npos);
  CHECK(reqs[0].find("\r\nX-aws-ec2-metadata-token-ttl-seconds: 21600\r\n") != std::string::npos);
}

TEST_CASE("plain http: bounded: oversized, stalled, truncated, not HTTP") {
  LoopbackServer s({{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'x')},
                    {"HTTP/1.1 200 OK\r\n\r\n" + std::string(100, 'x')},
                    {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"},
                    {"SSH-2.0-OpenSSH_9.2\r\n"},
                    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"},
                    {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 2500}});
  PlainClient c;
  Request small = get(s.url("/big"));
  small.max_body = 50;
  CHECK_THROWS_AS(c.send(small), lk::http::PermanentError);
  Request small2 = get(s.url("/big2"));
  small2.max_body = 50;
  CHECK_THROWS_AS(c.send(small2), lk::http::PermanentError);
  CHECK_THROWS_AS(c.send(get(s.url("/short"))), lk::http::TransientError);
  CHECK_THROWS_AS(c.send(get(s.url("/ssh"))), lk::http::PermanentError);
  CHECK_THROWS_AS(c.send(get(s.url("/chunk"))), lk::http::PermanentError);
  // The server keeps the connection open after 3 of 10 bytes: the stall rule ends it.
  auto t0 = std::chrono::steady_clock::now();
  CHECK_THROWS_AS(c.send(get(s.url("/stall"))), lk::http::TransientError);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
}

TEST_CASE("plain http: a refused connection is transient, not a missing network") {
  int port;
  {
    LoopbackServer s({});
    port = std::stoi(s.url("").substr(17));
  }  // closed: nothing listens there now
  Request r = get("http://127.0.0.1:" + std::to_string(port) + "/");
  try {
    PlainClient().send(r);
    FAIL("no error");
  } catch (const lk::http::UnreachableError&) {
    FAIL("refused is not unreachable");
  } catch (const lk::http::TransientError& e) {
    CHECK(std::string(e.what()).find("refused") != std::string::npos);
  }
}

TEST_CASE("plain http: only http://IPv4[:PORT]/") {
  auto u = lk::http::parse_plain_url("http://169.254.169.254/latest/meta-data/");
  CHECK(u.host == "169.254.169.254");
  CHECK(u.port == 80);
  CHECK(u.target == "/latest/meta-data/");
  CHECK(lk::http::parse_plain_url("http://10.0.0.1:8080").target == "/");
  CHECK(lk::http::parse_plain_url("http://10.0.0.1?x=1").target == "/?x=1");
  for (const char* bad :
       {"https://169.254.169.254/", "http://metadata.google.internal/", "http://[::1]/", "http://user@10.0.0.1/",
        "http://10.0.0.1:99999/", "http://10.0.0.1:/", "ftp://x/", "http://10.0.0.1/a b"})
    CHECK_THROWS_AS(lk::http::parse_plain_url(bad), lk::http::PermanentError);
}
