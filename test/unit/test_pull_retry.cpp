// The registry client's retries, resumes and auth flow, through http::ScriptedServer:
// no network, no sleeping (backoff 0), each case in milliseconds.
#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <string>
#include <thread>

#include "base/error.h"
#include "base/log.h"
#include "base/progress.h"
#include "base/sha256.h"
#include "http/retry.h"
#include "http/scripted.h"
#include "oci/layout.h"
#include "oci/manifest.h"
#include "pull/docker_config.h"
#include "pull/image_pull.h"
#include "pull/registry.h"

namespace {

using lk::http::Exchange;
using Fault = lk::http::Exchange::Fault;

std::string digest_of(const std::string& s) { return "sha256:" + lk::sha256_hex(s); }

const std::string kBase = "https://reg.test/v2/app";
const std::string kConfig = R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})";

std::string layer_bytes() {
  std::string s(10000, '\0');
  for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<char>(i * 13 + 7);
  return s;
}

std::string manifest_for(const std::string& layer) {
  return std::string(R"({"schemaVersion":2,"mediaType":")") + lk::oci::kOciManifest + R"(","config":{"mediaType":")" +
         lk::oci::kOciConfig + R"(","digest":")" + digest_of(kConfig) + R"(","size":)" +
         std::to_string(kConfig.size()) + R"(},"layers":[{"mediaType":")" + lk::oci::kOciLayerTar + R"(","digest":")" +
         digest_of(layer) + R"(","size":)" + std::to_string(layer.size()) + "}]}";
}

Exchange answer(const std::string& url, long status, std::vector<std::string> chunks = {}, int times = 1) {
  Exchange e;
  e.url = url;
  e.status = status;
  e.chunks = std::move(chunks);
  e.times = times;
  return e;
}

// A cache in a temporary directory, a registry over the script, and one image
// reg.test/app:1 with one layer.
struct Rig {
  std::string dir;
  lk::http::ScriptedServer server;
  lk::pull::DockerConfig creds{nlohmann::json::object()};
  lk::Log log{"test", lk::Log::kQuiet};
  lk::Progress progress{false};
  std::string layer = layer_bytes();
  std::string manifest = manifest_for(layer);
  std::string manifest_url = kBase + "/manifests/1";
  std::string config_url = kBase + "/blobs/" + digest_of(kConfig);
  std::string layer_url = kBase + "/blobs/" + digest_of(layer);

  Rig() {
    char tmpl[] = "/tmp/lk-pull-retry-XXXXXX";
    dir = ::mkdtemp(tmpl);
  }
  ~Rig() { std::filesystem::remove_all(dir); }

  Exchange manifest_answer() const {
    Exchange e = answer(manifest_url, 200, {manifest});
    e.answer_headers = {{"content-type", lk::oci::kOciManifest}};
    return e;
  }
  // The manifest and config served at once: the case is about the layer.
  void serve_all_but_layer() {
    server.expect(manifest_answer());
    server.expect(answer(config_url, 200, {kConfig}));
  }

  lk::pull::Options options() const {
    lk::pull::Options o;
    o.attempts = 3;
    o.backoff_ms = 0;
    return o;
  }

  std::vector<lk::pull::PinnedImage> pull(lk::oci::OciLayout& cache) {
    lk::pull::Registry reg(options(), creds, log);
    lk::pull::PullOptions po;
    po.jobs = 2;
    lk::pull::Puller puller(cache, &reg, po, log, progress, server.connector());
    return puller.pull(std::vector<lk::oci::Reference>{lk::oci::parse_reference("reg.test/app:1")});
  }
  std::vector<lk::pull::PinnedImage> pull() {
    lk::oci::OciLayout cache(dir + "/cache");
    return pull(cache);
  }

  int requests_to(const std::string& url) const {
    int n = 0;
    for (const auto& s : server.sent()) n += s.url == url;
    return n;
  }
  lk::http::Sent last_to(const std::string& url) const {
    auto all = server.sent();
    for (auto it = all.rbegin(); it != all.rend(); ++it)
      if (it->url == url) return *it;
    FAIL("no request to " << url);
    return {};
  }
};

}  // namespace

TEST_CASE("http: retry decisions by the error's type, never its text") {
  CHECK(lk::http::is_retryable(lk::http::TransientError("x")));
  CHECK(lk::http::is_retryable(lk::http::HttpError(503, "x")));
  CHECK(lk::http::is_retryable(lk::http::HttpError(429, "x")));
  CHECK_FALSE(lk::http::is_retryable(lk::http::HttpError(401, "x")));
  CHECK_FALSE(lk::http::is_retryable(lk::http::PermanentError("x")));
  // A message that reads like a transient one does not make it one.
  CHECK_FALSE(lk::http::is_retryable(lk::RuntimeError("GET /: stalled: under 1024 bytes/s for 60 s")));
}

TEST_CASE("pull retry: 5xx and 429 are retried until an answer comes") {
  Rig rig;
  rig.server.expect(answer(rig.manifest_url, 503));
  rig.server.expect(answer(rig.manifest_url, 429));
  rig.server.expect(rig.manifest_answer());
  rig.server.expect(answer(rig.config_url, 200, {kConfig}));
  rig.server.expect(answer(rig.layer_url, 500));
  rig.server.expect(answer(rig.layer_url, 502));
  rig.server.expect(answer(rig.layer_url, 200, {rig.layer}));
  auto pinned = rig.pull();
  REQUIRE(pinned.size() == 1);
  CHECK(pinned[0].digest == digest_of(rig.manifest));
  CHECK(rig.requests_to(rig.manifest_url) == 3);
  CHECK(rig.requests_to(rig.layer_url) == 3);
  CHECK(rig.server.unexpected().empty());
  CHECK(rig.server.unmet().empty());
}

TEST_CASE("pull retry: 5xx and transport errors give up at the limit") {
  SUBCASE("manifest 503 every time") {
    Rig rig;
    rig.server.expect(answer(rig.manifest_url, 503, {}, -1));
    CHECK_THROWS_WITH_AS(rig.pull(), doctest::Contains("manifest request to https://reg.test failed with HTTP 503"),
                         lk::RuntimeError);
    CHECK(rig.requests_to(rig.manifest_url) == 3);
  }
  SUBCASE("layer connection reset every time") {
    Rig rig;
    rig.serve_all_but_layer();
    Exchange reset = answer(rig.layer_url, 200, {}, -1);
    reset.fault = Fault::reset;
    rig.server.expect(reset);
    CHECK_THROWS_WITH_AS(rig.pull(), doctest::Contains("Connection reset by peer (gave up after 3 attempts)"),
                         lk::RuntimeError);
    CHECK(rig.requests_to(rig.layer_url) == 3);
  }
  SUBCASE("manifest connection reset every time") {
    Rig rig;
    Exchange reset = answer(rig.manifest_url, 200, {}, -1);
    reset.fault = Fault::reset;
    rig.server.expect(reset);
    CHECK_THROWS_WITH_AS(rig.pull(),
                         doctest::Contains(("reg.test/app:1: manifest: GET " + rig.manifest_url +
                                            ": Connection reset by peer (gave up after 3 attempts)")
                                               .c_str()),
                         lk::RuntimeError);
    CHECK(rig.requests_to(rig.manifest_url) == 3);
  }
}

TEST_CASE("pull retry: a 4xx is an answer, not retried") {
  SUBCASE("manifest 404") {
    Rig rig;
    rig.server.expect(answer(rig.manifest_url, 404, {R"({"errors":[{"code":"MANIFEST_UNKNOWN"}]})"}, -1));
    CHECK_THROWS_WITH_AS(rig.pull(), doctest::Contains("reg.test/app:1: not found at https://reg.test"),
                         lk::RuntimeError);
    CHECK(rig.requests_to(rig.manifest_url) == 1);
  }
  SUBCASE("layer 403") {
    Rig rig;
    rig.serve_all_but_layer();
    rig.server.expect(answer(rig.layer_url, 403, {"denied"}, -1));
    CHECK_THROWS_WITH_AS(
        rig.pull(), doctest::Contains(("blob " + digest_of(rig.layer) + ": HTTP 403 from https://reg.test").c_str()),
        lk::RuntimeError);
    CHECK(rig.requests_to(rig.layer_url) == 1);
  }
}

TEST_CASE("pull retry: a dropped layer download resumes with Range") {
  Rig rig;
  rig.serve_all_but_layer();
  Exchange first = answer(rig.layer_url, 200, {rig.layer.substr(0, 3000), rig.layer.substr(3000, 1000)});
  first.fault = Fault::reset;
  first.without = {"Range:"};
  rig.server.expect(first);
  Exchange rest = answer(rig.layer_url, 206, {rig.layer.substr(4000)});
  rest.headers = {"Range: bytes=4000-"};
  rig.server.expect(rest);
  lk::oci::OciLayout cache(rig.dir + "/cache");
  auto pinned = rig.pull(cache);
  CHECK(pinned.size() == 1);
  CHECK(cache.has_blob(digest_of(rig.layer)));
  CHECK(cache.verify().empty());
  CHECK(rig.last_to(rig.layer_url).has("Range: bytes=4000-"));
  CHECK(rig.server.unexpected().empty());
  CHECK(rig.server.unmet().empty());
}

TEST_CASE("pull retry: a server that ignores Range sends the whole blob again, and it is taken from the start") {
  Rig rig;
  rig.serve_all_but_layer();
  Exchange first = answer(rig.layer_url, 200, {rig.layer.substr(0, 6000)});
  first.fault = Fault::stall;
  first.without = {"Range:"};
  rig.server.expect(first);
  Exchange whole = answer(rig.layer_url, 200, {rig.layer.substr(0, 5000), rig.layer.substr(5000)});
  whole.headers = {"Range: bytes=6000-"};
  rig.server.expect(whole);
  lk::oci::OciLayout cache(rig.dir + "/cache");
  rig.pull(cache);
  CHECK(cache.has_blob(digest_of(rig.layer)));
  CHECK(cache.verify().empty());
  CHECK(rig.server.unmet().empty());
}

TEST_CASE("pull retry: bytes that do not hash to the digest are refused, nothing named") {
  Rig rig;
  rig.serve_all_but_layer();
  std::string wrong = rig.layer;
  wrong[17] ^= 1;
  rig.server.expect(answer(rig.layer_url, 200, {wrong}, -1));
  lk::oci::OciLayout cache(rig.dir + "/cache");
  CHECK_THROWS_WITH_AS(rig.pull(cache), doctest::Contains("digest mismatch"), lk::RuntimeError);
  CHECK_FALSE(cache.has_blob(digest_of(rig.layer)));
  CHECK_FALSE(cache.lookup("reg.test/app:1"));
  CHECK(rig.requests_to(rig.layer_url) == 1);  // a fresh download that hashes wrong is not tried again
}

TEST_CASE("pull retry: a stalled layer is retried, and its stall named when it keeps stalling") {
  SUBCASE("stalls once, then resumes") {
    Rig rig;
    rig.serve_all_but_layer();
    Exchange stall = answer(rig.layer_url, 200, {rig.layer.substr(0, 100)});
    stall.fault = Fault::stall;
    rig.server.expect(stall);
    Exchange rest = answer(rig.layer_url, 206, {rig.layer.substr(100)});
    rest.headers = {"Range: bytes=100-"};
    rig.server.expect(rest);
    rig.pull();
    CHECK(rig.server.unmet().empty());
  }
  SUBCASE("stalls every time") {
    Rig rig;
    rig.serve_all_but_layer();
    Exchange stall = answer(rig.layer_url, 200, {}, -1);
    stall.fault = Fault::stall;
    rig.server.expect(stall);
    CHECK_THROWS_WITH_AS(rig.pull(),
                         doctest::Contains("stalled: under 1024 bytes/s for 60 s (gave up after 3 attempts)"),
                         lk::RuntimeError);
    CHECK(rig.requests_to(rig.layer_url) == 3);
  }
}

TEST_CASE("pull retry: a 401 with a Bearer challenge gets a token and the request again with it") {
  Rig rig;
  const std::string challenge =
      R"(Bearer realm="https://auth.test/token",service="reg.test",scope="repository:app:pull")";
  const std::string token_url = "https://auth.test/token?service=reg.test&scope=repository%3Aapp%3Apull";
  const std::string bearer = "Authorization: Bearer tok-1";
  Exchange refused = answer(rig.manifest_url, 401, {R"({"errors":[{"code":"UNAUTHORIZED"}]})"});
  refused.without = {"Authorization:"};
  refused.answer_headers = {{"www-authenticate", challenge}};
  rig.server.expect(refused);
  rig.server.expect(answer(token_url, 200, {R"({"token":"tok-1","expires_in":300})"}));
  for (Exchange e :
       {rig.manifest_answer(), answer(rig.config_url, 200, {kConfig}), answer(rig.layer_url, 200, {rig.layer})}) {
    e.headers = {bearer};
    rig.server.expect(e);
  }
  rig.pull();
  CHECK(rig.server.unexpected().empty());
  CHECK(rig.server.unmet().empty());
  CHECK(rig.requests_to(token_url) == 1);  // one token for every request of the scope
  CHECK(rig.last_to(rig.layer_url).has(bearer));
}

TEST_CASE("pull retry: a token service that refuses is not asked again and again") {
  Rig rig;
  const std::string token_url = "https://auth.test/token?service=reg.test&scope=repository%3Aapp%3Apull";
  Exchange refused = answer(rig.manifest_url, 401, {}, -1);
  refused.answer_headers = {{"www-authenticate", R"(Bearer realm="https://auth.test/token",service="reg.test")"}};
  rig.server.expect(refused);
  rig.server.expect(answer(token_url, 401, {R"({"details":"no"})"}, -1));
  CHECK_THROWS_WITH_AS(
      rig.pull(),
      doctest::Contains("token service auth.test refused anonymous access for repository:app:pull (HTTP 401"),
      lk::RuntimeError);
  CHECK(rig.requests_to(token_url) == 1);
  CHECK(rig.requests_to(rig.manifest_url) == 1);
}

TEST_CASE("pull retry: a loopback registry is probed once, outside the lock, for TLS") {
  lk::http::ScriptedServer server;
  lk::pull::DockerConfig creds{nlohmann::json::object()};
  lk::Log log{"test", lk::Log::kQuiet};
  lk::pull::Options opts;
  lk::pull::Registry reg(opts, creds, log);
  server.expect(answer("http://127.0.0.1:5000/v2/", 400, {"Client sent an HTTP request to an HTTPS server.\n"}));
  auto transport = server.connector()();
  CHECK(reg.endpoints("127.0.0.1:5000", *transport) == std::vector<std::string>{"https://127.0.0.1:5000"});
  CHECK(reg.endpoints("127.0.0.1:5000", *transport) == std::vector<std::string>{"https://127.0.0.1:5000"});
  // Unreachable: plain http stays, and the real request will say what is wrong.
  Exchange down = answer("http://127.0.0.1:5001/v2/", 0);
  down.fault = Fault::reset;
  server.expect(down);
  CHECK(reg.endpoints("127.0.0.1:5001", *transport) == std::vector<std::string>{"http://127.0.0.1:5001"});
  CHECK(server.sent().size() == 2);
}

namespace {
// A transport whose every request waits until the test opens it (5 s at most): a
// probe that takes its time.
struct Gate final : lk::http::Transport {
  std::promise<void> entered_p, open_p;
  std::shared_future<void> entered = entered_p.get_future().share(), open = open_p.get_future().share();
  lk::http::Response send(const lk::http::Request&) override {
    entered_p.set_value();
    open.wait_for(std::chrono::seconds(5));
    lk::http::Response r;
    r.status = 200;
    return r;
  }
};
}  // namespace

TEST_CASE("pull retry: a slow loopback probe holds no lock other threads need") {
  lk::pull::DockerConfig creds{nlohmann::json::object()};
  lk::Log log{"test", lk::Log::kQuiet};
  lk::pull::Registry reg(lk::pull::Options{}, creds, log);
  Gate gate;
  std::vector<std::string> slow;
  std::thread prober([&] { slow = reg.endpoints("127.0.0.1:5000", gate); });
  gate.entered.wait();
  // While that probe hangs, another registry's probe goes through at once.
  lk::http::ScriptedServer server;
  server.expect(answer("http://127.0.0.1:5001/v2/", 200));
  auto transport = server.connector()();
  auto t0 = std::chrono::steady_clock::now();
  CHECK(reg.endpoints("127.0.0.1:5001", *transport) == std::vector<std::string>{"http://127.0.0.1:5001"});
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
  gate.open_p.set_value();
  prober.join();
  CHECK(slow == std::vector<std::string>{"http://127.0.0.1:5000"});
  // Known now: no second probe.
  CHECK(reg.endpoints("127.0.0.1:5000", *transport) == std::vector<std::string>{"http://127.0.0.1:5000"});
  CHECK(server.sent().size() == 1);
}

TEST_CASE("pull retry: a partial file left by an earlier pull") {
  SUBCASE("resumed, and its bad start caught by the digest: one fresh download") {
    Rig rig;
    lk::oci::OciLayout cache(rig.dir + "/cache");
    {
      lk::oci::BlobIngest earlier(cache, digest_of(rig.layer), static_cast<int64_t>(rig.layer.size()));
      std::string bad = rig.layer.substr(0, 2000);
      bad[3] ^= 1;
      earlier.write(bad.data(), bad.size());
    }  // interrupted: the partial file stays
    rig.serve_all_but_layer();
    Exchange rest = answer(rig.layer_url, 206, {rig.layer.substr(2000)});
    rest.headers = {"Range: bytes=2000-"};
    rig.server.expect(rest);
    Exchange whole = answer(rig.layer_url, 200, {rig.layer});
    whole.without = {"Range:"};
    rig.server.expect(whole);
    rig.pull(cache);
    CHECK(cache.has_blob(digest_of(rig.layer)));
    CHECK(cache.verify().empty());
    CHECK(rig.server.unmet().empty());
    CHECK(rig.server.unexpected().empty());
  }
  SUBCASE("the server says 416: the partial file is dropped and the blob fetched whole") {
    Rig rig;
    lk::oci::OciLayout cache(rig.dir + "/cache");
    {
      lk::oci::BlobIngest earlier(cache, digest_of(rig.layer), static_cast<int64_t>(rig.layer.size()));
      earlier.write(rig.layer.data(), 500);
    }
    rig.serve_all_but_layer();
    Exchange refused = answer(rig.layer_url, 416);
    refused.headers = {"Range: bytes=500-"};
    rig.server.expect(refused);
    Exchange whole = answer(rig.layer_url, 200, {rig.layer});
    whole.without = {"Range:"};
    rig.server.expect(whole);
    rig.pull(cache);
    CHECK(cache.has_blob(digest_of(rig.layer)));
    CHECK(rig.server.unmet().empty());
  }
}

TEST_CASE("http: the scripted server answers as the client does, and names what it did not expect") {
  lk::http::ScriptedServer server;
  Exchange big = answer("https://x.test/err", 500, {std::string(lk::http::kMaxErrorBody, 'e'), "more"});
  server.expect(big);
  server.expect(answer("https://x.test/big", 200, {std::string(100, 'b')}));
  auto t = server.connector()();
  lk::http::Request req;
  req.url = "https://x.test/err";
  CHECK(t->send(req).body.size() == static_cast<size_t>(lk::http::kMaxErrorBody));  // an error document is cut
  req.url = "https://x.test/big";
  req.max_body = 10;
  CHECK_THROWS_AS(t->send(req), lk::http::PermanentError);
  req.url = "https://x.test/nothing";
  CHECK_THROWS_WITH_AS(t->send(req), doctest::Contains("not in the script"), lk::http::PermanentError);
  CHECK(server.unexpected() == std::vector<std::string>{"GET https://x.test/nothing"});
  CHECK(server.unmet().empty());
}
