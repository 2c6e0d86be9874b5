#include <doctest/doctest.h>

#include <string>

#include "base/error.h"
#include "http/retry.h"
#include "oci/manifest.h"
#include "pull/registry.h"
#include "pull/registry_auth.h"

namespace {
const std::string kD1 = "sha256:" + std::string(64, '1');
const std::string kD2 = "sha256:" + std::string(64, '2');
const std::string kD3 = "sha256:" + std::string(64, '3');

std::string index_json() {
  return R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
    {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
         kD1 + R"(","size":10,"platform":{"os":"linux","architecture":"amd64"}},
    {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
         kD2 + R"(","size":10,"platform":{"os":"linux","architecture":"arm","variant":"v7"}},
    {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
         kD3 + R"(","size":10,"platform":{"os":"unknown","architecture":"unknown"}}]})";
}
}  // namespace

TEST_CASE("oci platform parsing and matching") {
  CHECK(lk::oci::parse_platform("linux/amd64").str() == "linux/amd64");
  CHECK(lk::oci::parse_platform("linux/arm/v7").variant == "v7");
  for (const char* bad : {"amd64", "linux/", "/amd64", "linux/arm/", "linux/arm/v7/x"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(lk::oci::parse_platform(bad), lk::InputError);
  }
  using lk::oci::Platform;
  CHECK(lk::oci::platform_matches({"linux", "arm64", ""}, {"linux", "arm64", "v8"}));
  CHECK(lk::oci::platform_matches({"linux", "arm64", "v8"}, {"linux", "arm64", ""}));
  CHECK_FALSE(lk::oci::platform_matches({"linux", "arm", "v7"}, {"linux", "arm", "v6"}));
  CHECK_FALSE(lk::oci::platform_matches({"linux", "amd64", ""}, {"windows", "amd64", ""}));
}

TEST_CASE("oci index platform selection lists what is offered") {
  auto ix = lk::oci::parse_index(index_json(), "x");
  CHECK(lk::oci::select_platform(ix, {"linux", "amd64", ""}, "x").digest == kD1);
  CHECK(lk::oci::select_platform(ix, {"linux", "arm", "v7"}, "x").digest == kD2);
  try {
    lk::oci::select_platform(ix, {"linux", "riscv64", ""}, "img");
    FAIL("no error");
  } catch (const lk::InputError& e) {
    CHECK(std::string(e.what()) ==
          "img: no image for platform linux/riscv64 (the index offers: linux/amd64, linux/arm/v7)");
  }
}

TEST_CASE("oci media type detection") {
  CHECK(lk::oci::detect_media_type(index_json(), "", "x") == lk::oci::kOciIndex);
  CHECK(lk::oci::detect_media_type(R"({"schemaVersion":2,"config":{},"layers":[]})", "", "x") == lk::oci::kOciManifest);
  CHECK(lk::oci::detect_media_type(R"({"schemaVersion":2,"manifests":[]})", lk::oci::kDockerList, "x") ==
        lk::oci::kDockerList);
  CHECK_THROWS_WITH_AS(lk::oci::detect_media_type(R"({"schemaVersion":1,"name":"x"})", "", "img"),
                       doctest::Contains("schema 1 is unsupported"), lk::InputError);
  CHECK_THROWS_AS(lk::oci::detect_media_type("{}", lk::oci::kDockerSchema1Signed, "x"), lk::InputError);
  CHECK_THROWS_AS(lk::oci::detect_media_type("not json", "", "x"), lk::RuntimeError);
  CHECK_THROWS_AS(lk::oci::detect_media_type(R"({"mediaType":"text/plain"})", "", "x"), lk::RuntimeError);
}

TEST_CASE("oci descriptors reject bad digests and round-trip") {
  auto j = nlohmann::json::parse(R"({"mediaType":"m","digest":")" + kD1 + R"(","size":5,"annotations":{"a":"b"}})");
  auto d = lk::oci::descriptor_from_json(j, "x");
  CHECK(lk::oci::to_json(d) == j);
  j["digest"] = "sha256:../../etc/passwd";
  CHECK_THROWS_AS(lk::oci::descriptor_from_json(j, "x"), lk::RuntimeError);
  j["digest"] = "sha512:" + std::string(128, 'a');
  CHECK_THROWS_AS(lk::oci::descriptor_from_json(j, "x"), lk::RuntimeError);
}

TEST_CASE("registry auth challenge parsing") {
  auto c = lk::pull::parse_challenge(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull,push")");
  CHECK(c.scheme == "bearer");
  CHECK(c.params["realm"] == "https://auth.docker.io/token");
  CHECK(c.params["scope"] == "repository:library/nginx:pull,push");
  CHECK(lk::pull::token_url(c, c.params["scope"]) ==
        "https://auth.docker.io/token?service=registry.docker.io&scope=repository%3Alibrary%2Fnginx%3Apull%2Cpush");
  auto b = lk::pull::parse_challenge(R"(Basic realm="lk-test")");
  CHECK(b.scheme == "basic");
  CHECK(b.params["realm"] == "lk-test");
  CHECK(lk::pull::parse_challenge("").scheme.empty());
}

TEST_CASE("registry endpoints: loopback and --insecure-registry are plain http") {
  lk::pull::Options o;
  CHECK(lk::pull::base_url("docker.io", o) == "https://registry-1.docker.io");
  CHECK(lk::pull::base_url("127.0.0.1:5000", o) == "http://127.0.0.1:5000");
  CHECK(lk::pull::base_url("localhost:5000", o) == "http://localhost:5000");
  CHECK(lk::pull::base_url("reg.example.com", o) == "https://reg.example.com");
  o.insecure.insert("reg.example.com");
  CHECK(lk::pull::base_url("reg.example.com", o) == "http://reg.example.com");
  CHECK(lk::http::is_retryable_status(503));
  CHECK(lk::http::is_retryable_status(429));
  CHECK_FALSE(lk::http::is_retryable_status(404));
}
