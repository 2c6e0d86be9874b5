#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "base/error.h"
#include "base/sha256.h"
#include "oci/layout.h"
#include "pull/docker_config.h"

namespace {
struct TempCache {
  std::string dir;
  TempCache() {
    char tmpl[] = "/tmp/lk-oci-layout-XXXXXX";
    dir = ::mkdtemp(tmpl);
  }
  ~TempCache() { std::filesystem::remove_all(dir); }
};
std::string digest_of(const std::string& s) { return "sha256:" + lk::sha256_hex(s); }
}  // namespace

TEST_CASE("oci layout: skeleton, verified small blobs, names replaced by name") {
  TempCache t;
  lk::oci::OciLayout cache(t.dir + "/c");
  CHECK(std::filesystem::exists(t.dir + "/c/oci-layout"));
  CHECK(cache.entries().empty());
  std::string m =
      R"({"schemaVersion":2,"config":{"mediaType":"x","digest":")" + digest_of("cfg") + R"(","size":3},"layers":[]})";
  CHECK_THROWS_AS(cache.put_blob(digest_of("other"), m, "img"), lk::RuntimeError);
  CHECK_FALSE(cache.has_blob(digest_of("other")));
  cache.put_blob(digest_of(m), m, "img");
  cache.put_blob(digest_of("cfg"), "cfg", "img");
  lk::oci::Descriptor d{lk::oci::kOciManifest, digest_of(m), static_cast<int64_t>(m.size())};
  cache.set_refs({{"docker.io/library/a:1", d}, {"docker.io/library/b:1", d}});
  cache.set_refs({{"docker.io/library/a:1", d}});
  CHECK(cache.entries().size() == 2);
  REQUIRE(cache.lookup("docker.io/library/a:1"));
  CHECK(cache.lookup("docker.io/library/a:1")->digest == digest_of(m));
  CHECK_FALSE(cache.lookup("docker.io/library/c:1"));
  CHECK(cache.verify().empty());
  // A blob changed behind the cache's back is found.
  std::ofstream(cache.blob_path(digest_of("cfg"))) << "CFG";
  CHECK(cache.verify().size() == 1);
}

TEST_CASE("oci layout: an interrupted ingest resumes; bad bytes never enter") {
  TempCache t;
  lk::oci::OciLayout cache(t.dir);
  std::string data(100000, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  std::string d = digest_of(data);
  {
    lk::oci::BlobIngest in(cache, d, static_cast<int64_t>(data.size()));
    CHECK(in.offset() == 0);
    in.write(data.data(), 40000);
  }  // "crash": the partial file stays
  {
    lk::oci::BlobIngest in(cache, d, static_cast<int64_t>(data.size()));
    CHECK(in.offset() == 40000);
    in.write(data.data() + 40000, data.size() - 40000);
    CHECK_THROWS_AS(in.write("x", 1), lk::RuntimeError);  // more than the size
    in.commit("img: blob");
  }
  CHECK(cache.has_blob(d));
  CHECK(std::filesystem::is_empty(cache.ingest_dir()));
  {
    lk::oci::BlobIngest again(cache, d, static_cast<int64_t>(data.size()));
    CHECK(again.present());
  }

  std::string bad = data;
  bad[5] ^= 1;
  std::string d2 = digest_of(data + "2");
  lk::oci::BlobIngest in(cache, d2, static_cast<int64_t>(bad.size()));
  in.write(bad.data(), bad.size());
  CHECK_THROWS_WITH_AS(in.commit("img: blob " + d2), doctest::Contains("digest mismatch"), lk::RuntimeError);
  CHECK_FALSE(cache.has_blob(d2));
  CHECK(in.offset() == 0);
  CHECK(cache.verify().empty());
}

TEST_CASE("docker config: auths entries by host and Docker Hub's v1 URL") {
  lk::pull::DockerConfig c(nlohmann::json::parse(R"({"auths":{
    "https://index.docker.io/v1/":{"auth":"dTpw"},
    "http://127.0.0.1:5000/v2/":{"username":"a","password":"b"},
    "reg.example.com":{"identitytoken":"tok","username":"x"}}})"));
  REQUIRE(c.lookup("docker.io"));
  CHECK(c.lookup("docker.io")->username == "u");
  CHECK(c.lookup("docker.io")->password == "p");
  CHECK(c.lookup("127.0.0.1:5000")->password == "b");
  // An identity token is its own thing, never a password.
  CHECK(c.lookup("reg.example.com")->identity_token == "tok");
  CHECK(c.lookup("reg.example.com")->password.empty());
  CHECK(c.lookup("reg.example.com")->username == "x");
  CHECK(c.lookup("127.0.0.1:5000")->identity_token.empty());
  CHECK_FALSE(c.lookup("other.example.com"));
  lk::pull::DockerConfig bad(nlohmann::json::parse(R"({"auths":{"h":{"auth":"!!!"}}})"));
  CHECK_THROWS_AS(bad.lookup("h"), lk::InputError);
}

TEST_CASE("oci layout: an image loads through the one manifest parser; a reader creates nothing") {
  TempCache t;
  CHECK_THROWS_WITH_AS(lk::oci::OciLayout::existing(t.dir + "/none").image("r", digest_of("m")),
                       doctest::Contains("is not in the cache"), lk::RuntimeError);
  CHECK_FALSE(std::filesystem::exists(t.dir + "/none"));
  lk::oci::OciLayout cache(t.dir + "/c");
  std::string cfg = R"({"config":{"Cmd":["sh"]}})", layer = "layer";
  cache.put_blob(digest_of(cfg), cfg, "t");
  cache.put_blob(digest_of(layer), layer, "t");
  std::string m =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"x","digest":")" +
      digest_of(cfg) + R"(","size":1},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":")" +
      digest_of(layer) + R"(","size":5}]})";
  std::string ix = R"({"schemaVersion":2,"manifests":[]})";
  cache.put_blob(digest_of(m), m, "t");
  cache.put_blob(digest_of(ix), ix, "t");
  auto img = lk::oci::OciLayout::existing(t.dir + "/c").image("lk/x:1", digest_of(m));
  CHECK(img.config["Cmd"][0] == "sh");
  REQUIRE(img.layers.size() == 1);
  CHECK(img.layers[0].path == cache.blob_path(digest_of(layer)));
  CHECK_THROWS_WITH_AS(cache.image("lk/x:1", digest_of(ix)), doctest::Contains("names an index"), lk::RuntimeError);
}
