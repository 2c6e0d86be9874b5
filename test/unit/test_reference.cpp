#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/error.h"
#include "oci/digest.h"
#include "oci/reference.h"

namespace {

const std::string kD = "sha256:" + std::string(64, 'a');

// test/parse/references.txt, found from the repository root or a folder below it.
std::filesystem::path table_path() {
  for (auto p = std::filesystem::current_path(); !p.empty(); p = p.parent_path()) {
    if (std::filesystem::exists(p / "test/parse/references.txt")) return p / "test/parse/references.txt";
    if (p == p.parent_path()) break;
  }
  return "test/parse/references.txt";
}
}  // namespace

// The shared table: test/cli/reference_table.sh runs the same rows through lk-parse and
// lk-pull, so the tools and this parser cannot disagree on a row.
TEST_CASE("reference table shared with the CLI tests") {
  std::ifstream in(table_path());
  REQUIRE(in.good());
  std::string line;
  int rows = 0, lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string w; fields >> w;) f.push_back(w);
    CAPTURE(lineno);
    CAPTURE(line);
    REQUIRE(f.size() >= 2);
    ++rows;
    if (f[1] == "reject") {
      REQUIRE(f.size() == 2);
      CHECK_THROWS_AS(lk::oci::parse_reference(f[0]), lk::InputError);
      continue;
    }
    REQUIRE(f[1] == "accept");
    REQUIRE(f.size() == 6);
    auto none = [](const std::string& w) { return w == "-" ? std::string() : w; };
    lk::oci::Reference r;
    REQUIRE_NOTHROW(r = lk::oci::parse_reference(f[0]));
    CHECK(r.domain == f[2]);
    CHECK(r.path == f[3]);
    CHECK(r.tag == none(f[4]));
    CHECK(r.digest == none(f[5]));
  }
  CHECK(rows > 40);
}

TEST_CASE("reference normalisation follows Docker (table)") {
  struct Case {
    std::string in, out;
  };
  const Case cases[] = {
      {"redis", "docker.io/library/redis:latest"},
      {"redis:6", "docker.io/library/redis:6"},
      {"library/redis", "docker.io/library/redis:latest"},
      {"docker.io/redis", "docker.io/library/redis:latest"},
      {"index.docker.io/redis", "docker.io/library/redis:latest"},
      {"index.docker.io/foo/bar:1", "docker.io/foo/bar:1"},
      {"linuxkit/init:v1", "docker.io/linuxkit/init:v1"},
      {"foo/bar/baz", "docker.io/foo/bar/baz:latest"},
      {"localhost/x", "localhost/x:latest"},
      {"localhost:5000/x", "localhost:5000/x:latest"},
      {"127.0.0.1:5000/x", "127.0.0.1:5000/x:latest"},
      {"127.0.0.1:5000/a/b/c:v2", "127.0.0.1:5000/a/b/c:v2"},
      {"registry.custom.de/team/app:1.0", "registry.custom.de/team/app:1.0"},
      {"123456789012.dkr.ecr.eu-west-1.amazonaws.com/img:tag", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/img:tag"},
      {"gcr.io/project/sub/image", "gcr.io/project/sub/image:latest"},
      {"ghcr.io/o/r:sha-abc", "ghcr.io/o/r:sha-abc"},
      {"myhost:443/x", "myhost:443/x:latest"},
      {"foo:5000/bar", "foo:5000/bar:latest"},
      {"Foo/bar", "Foo/bar:latest"},
      {"[::1]:5000/x", "[::1]:5000/x:latest"},
      {"redis@" + kD, "docker.io/library/redis@" + kD},
      {"redis:6@" + kD, "docker.io/library/redis@" + kD},
      {"127.0.0.1:5000/x@" + kD, "127.0.0.1:5000/x@" + kD},
      {"a_b/c__d/e-f.g:T_a.g-1", "docker.io/a_b/c__d/e-f.g:T_a.g-1"},
      {"a--b/c", "docker.io/a--b/c:latest"},
      {"nginx:alpine", "docker.io/library/nginx:alpine"},
      {"lk/hello:f9262fc34c6fabc9b89b37e5e15f75c097cf7b5e",
       "docker.io/lk/hello:f9262fc34c6fabc9b89b37e5e15f75c097cf7b5e"},
      {"docker.io/library/alpine:3.13", "docker.io/library/alpine:3.13"},
      {"my-registry.example.com:8443/ns/img:1", "my-registry.example.com:8443/ns/img:1"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.in);
    CHECK(lk::oci::parse_reference(c.in).str() == c.out);
  }
}

TEST_CASE("reference parts") {
  auto r = lk::oci::parse_reference("127.0.0.1:5000/a/b:v1");
  CHECK(r.domain == "127.0.0.1:5000");
  CHECK(r.path == "a/b");
  CHECK(r.tag == "v1");
  CHECK(r.manifest_ref() == "v1");
  auto d = lk::oci::parse_reference("nginx:alpine@" + kD);
  CHECK(d.tag == "alpine");
  CHECK(d.digest == kD);
  CHECK(d.manifest_ref() == kD);
  CHECK(lk::oci::parse_reference("x@" + kD).tag.empty());
}

TEST_CASE("invalid references are input errors (table)") {
  const std::string bad[] = {
      "",
      "Alpine",
      "alpine:",
      ":tag",
      "alpine@sha256:abc",
      "alpine@md5:" + std::string(32, 'a'),
      "alpine@sha256:" + std::string(64, 'A'),
      "alpine@",
      std::string(64, 'a'),
      "foo/Bar",
      "a..b",
      "-a",
      "a-",
      "a/",
      "/a",
      "a//b",
      "host:port/x",
      "exa_mple.com/x",
      "a:" + std::string(129, 't'),
      "a:-tag",
      "a b",
      "localhost:5000/",
      "docker.io/" + std::string(250, 'a'),
      "a___b",
  };
  for (const auto& s : bad) {
    CAPTURE(s);
    CHECK_THROWS_AS(lk::oci::parse_reference(s), lk::InputError);
  }
}

TEST_CASE("digest check") {
  CHECK(lk::oci::is_sha256_digest(kD));
  CHECK_FALSE(lk::oci::is_sha256_digest("sha256:abc"));
  CHECK_FALSE(lk::oci::is_sha256_digest("sha512:" + std::string(64, 'a')));
}

TEST_CASE("one digest check names what is wrong") {
  CHECK(lk::oci::check_digest(kD, "x") == kD);
  CHECK(lk::oci::digest_problem("sha512:" + std::string(64, 'a')) ==
        "uses algorithm \"sha512\" (lk accepts only sha256)");
  CHECK(lk::oci::digest_problem("abc") == "is not ALGORITHM:HEX");
  try {
    lk::oci::check_digest("sha256:12", "lock.json: init[0]");
    FAIL("no throw");
  } catch (const lk::InputError& e) {
    CHECK(std::string(e.what()) ==
          "lock.json: init[0]: digest \"sha256:12\" is not sha256: and 64 lower-case hex digits");
  }
}
