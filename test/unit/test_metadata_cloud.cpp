// pkg/metadata's cloud providers against the scripted HTTP fake: what each asks the
// metadata server, and what it makes of the answers.
#include <doctest/doctest.h>

#include "http/scripted.h"
#include "metadata/cloud.h"
#include "metadata/ssh_keys.h"

using namespace lk::metadata;
using lk::http::Exchange;
using lk::http::ScriptedServer;

namespace {

const std::string kBase = "http://169.254.169.254";
const std::string kV1 = kBase + "/computeMetadata/v1/";
constexpr std::time_t kNow = 1700000000;  // 2023-11-14

Exchange get(const std::string& url, long status, std::string body, std::vector<std::string> headers = {}) {
  Exchange e;
  e.url = url;
  e.status = status;
  e.chunks = {std::move(body)};
  e.headers = std::move(headers);
  return e;
}

Exchange gce(const std::string& path, long status, std::string body) {
  Exchange e = get(kV1 + path, status, std::move(body), {"Metadata-Flavor: Google"});
  e.answer_headers = {{"metadata-flavor", "Google"}};
  return e;
}

const ConfigFile* file(const Found& f, const std::string& path) {
  for (const auto& c : f.files)
    if (c.path == path) return &c;
  return nullptr;
}

}  // namespace

TEST_CASE("metadata ssh: Compute Engine's USER:KEY lines") {
  auto keys = gce_ssh_keys(
      "alice:ssh-ed25519 AAAA alice@laptop\n"
      "\n"
      "no colon on this line\n"
      "bob:ssh-rsa BBBB bob\r\n"
      "carol:\n"
      "dave:ssh-rsa CCCC google-ssh {\"userName\":\"dave@x.com\",\"expireOn\":\"2018-12-04T20:12:00+0000\"}\n"
      "erin:ssh-rsa DDDD google-ssh {\"userName\":\"erin@x.com\",\"expireOn\":\"2099-01-01T00:00:00Z\"}\n"
      "frank:ssh-rsa EEEE google-ssh {\"userName\":\"frank@x.com\",\"expireOn\":\"whenever\"}",
      kNow);
  CHECK(keys == std::vector<std::string>{
                    "ssh-ed25519 AAAA alice@laptop", "ssh-rsa BBBB bob",
                    "ssh-rsa DDDD google-ssh {\"userName\":\"erin@x.com\",\"expireOn\":\"2099-01-01T00:00:00Z\"}",
                    "ssh-rsa EEEE google-ssh {\"userName\":\"frank@x.com\",\"expireOn\":\"whenever\"}"});
  CHECK(authorized_keys({"a", "b"}) == "a\nb\n");
  CHECK(authorized_keys({}) == "");
}

TEST_CASE("metadata ssh: times and EC2 key listings") {
  CHECK(parse_rfc3339("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_rfc3339("2018-12-04T20:12:00+0000") == 1543954320);
  CHECK(parse_rfc3339("2018-12-04T21:12:00+01:00") == 1543954320);
  CHECK(parse_rfc3339("2018-12-04T20:12:00.123Z") == 1543954320);
  CHECK(parse_rfc3339("2018-12-04") == -1);
  CHECK(parse_rfc3339("2018-13-04T20:12:00Z") == -1);
  CHECK(ec2_key_indexes("0=my-key\n1=other\nnonsense\n=x\n") == std::vector<std::string>{"0", "1"});
}

TEST_CASE("metadata gcp: hostname, project and instance keys, user-data") {
  ScriptedServer s;
  s.expect(gce("instance/hostname", 200, "vm-1.c.proj.internal"));
  s.expect(gce("instance/attributes/ssh-keys", 200, "alice:ssh-ed25519 INST alice"));
  s.expect(gce("instance/attributes/block-project-ssh-keys", 404, "not found"));
  s.expect(gce("project/attributes/ssh-keys", 200, "bob:ssh-rsa PROJ bob\n"));
  s.expect(gce("instance/attributes/user-data", 200, "{\"x\": {\"content\": \"y\"}}"));
  auto t = s.connector()();
  auto p = gcp_provider(*t, {}, [] { return kNow; });
  Outcome o = p->look();
  CHECK(s.unexpected().empty());
  CHECK(s.unmet().empty());
  REQUIRE(o.probe == Probe::kFound);
  CHECK(o.found.provider == "GCP");
  REQUIRE(file(o.found, "hostname"));
  CHECK(file(o.found, "hostname")->data == "vm-1.c.proj.internal");
  REQUIRE(file(o.found, "ssh/authorized_keys"));
  CHECK(file(o.found, "ssh/authorized_keys")->data == "ssh-rsa PROJ bob\nssh-ed25519 INST alice\n");
  CHECK(file(o.found, "ssh/authorized_keys")->mode == 0600);
  CHECK(o.found.user_data == "{\"x\": {\"content\": \"y\"}}");
}

TEST_CASE("metadata gcp: block-project-ssh-keys, and no user-data") {
  ScriptedServer s;
  s.expect(gce("instance/hostname", 200, "vm-1"));
  s.expect(gce("instance/attributes/ssh-keys", 200, "alice:ssh-ed25519 INST alice"));
  s.expect(gce("instance/attributes/block-project-ssh-keys", 200, "true"));
  s.expect(gce("instance/attributes/user-data", 404, ""));
  auto t = s.connector()();
  Outcome o = gcp_provider(*t, {}, [] { return kNow; })->look();
  CHECK(s.unexpected().empty());  // the project's keys were not even asked for
  REQUIRE(o.probe == Probe::kFound);
  CHECK(file(o.found, "ssh/authorized_keys")->data == "ssh-ed25519 INST alice\n");
  CHECK_FALSE(o.found.user_data.has_value());
}

TEST_CASE("metadata gcp: a server that is not Compute Engine's, or none") {
  SUBCASE("no Metadata-Flavor in the answer") {
    ScriptedServer s;
    s.expect(get(kV1 + "instance/hostname", 200, "vm-1"));
    auto t = s.connector()();
    Outcome o = gcp_provider(*t, {}, [] { return kNow; })->look();
    CHECK(o.probe == Probe::kAbsent);
    CHECK(o.why.find("Metadata-Flavor") != std::string::npos);
  }
  SUBCASE("a proxy's error page") {
    ScriptedServer s;
    Exchange e = gce("instance/hostname", 200, "<html><body>Access denied</body></html>");
    s.expect(e);
    auto t = s.connector()();
    CHECK(gcp_provider(*t, {}, [] { return kNow; })->look().probe == Probe::kAbsent);
  }
  SUBCASE("403") {
    ScriptedServer s;
    s.expect(gce("instance/hostname", 403, "Forbidden"));
    auto t = s.connector()();
    Outcome o = gcp_provider(*t, {}, [] { return kNow; })->look();
    CHECK(o.probe == Probe::kAbsent);
    CHECK(o.why == "instance/hostname answered 403");
  }
  SUBCASE("the connection drops") {
    ScriptedServer s;
    Exchange e = gce("instance/hostname", 200, "");
    e.fault = Exchange::Fault::reset;
    s.expect(e);
    auto t = s.connector()();
    CHECK(gcp_provider(*t, {}, [] { return kNow; })->look().probe == Probe::kAbsent);
  }
}

TEST_CASE("metadata aws: IMDSv2, every value LinuxKit writes, every key") {
  ScriptedServer s;
  const std::string md = kBase + "/latest/meta-data/";
  Exchange token = get(kBase + "/latest/api/token", 200, "TOKEN123\n", {"X-aws-ec2-metadata-token-ttl-seconds: 21600"});
  token.method = "PUT";
  s.expect(token);
  const std::vector<std::string> auth = {"X-aws-ec2-metadata-token: TOKEN123"};
  s.expect(get(md + "hostname", 200, "ip-10-0-0-1.ec2.internal", auth));
  s.expect(get(md + "public-ipv4", 200, "203.0.113.7", auth));
  s.expect(get(md + "local-ipv4", 200, "10.0.0.1", auth));
  s.expect(get(md + "placement/availability-zone", 200, "eu-west-1a", auth));
  s.expect(get(md + "instance-type", 200, "t3.micro", auth));
  s.expect(get(md + "instance-id", 200, "i-0123", auth));
  s.expect(get(md + "local-hostname", 404, "", auth));
  s.expect(get(md + "public-keys/", 200, "0=first\n1=second", auth));
  s.expect(get(md + "public-keys/0/openssh-key", 200, "ssh-rsa AAA first\n", auth));
  s.expect(get(md + "public-keys/1/openssh-key", 200, "ssh-ed25519 BBB second", auth));
  s.expect(get(kBase + "/latest/user-data", 200, "#!/bin/sh\n", auth));
  auto t = s.connector()();
  Outcome o = aws_provider(*t, {})->look();
  CHECK(s.unexpected().empty());
  CHECK(s.unmet().empty());
  REQUIRE(o.probe == Probe::kFound);
  CHECK(o.found.provider == "AWS");
  CHECK(file(o.found, "hostname")->data == "ip-10-0-0-1.ec2.internal");
  CHECK(file(o.found, "public_ipv4")->data == "203.0.113.7");
  CHECK(file(o.found, "local_ipv4")->data == "10.0.0.1");
  CHECK(file(o.found, "availability_zone")->data == "eu-west-1a");
  CHECK(file(o.found, "instance_type")->data == "t3.micro");
  CHECK(file(o.found, "instance_id")->data == "i-0123");
  CHECK(file(o.found, "local_hostname") == nullptr);
  CHECK(file(o.found, "ssh/authorized_keys")->data == "ssh-rsa AAA first\nssh-ed25519 BBB second\n");
  CHECK(o.found.user_data == "#!/bin/sh\n");
  for (const auto& sent : s.sent())
    if (sent.method == "GET") CHECK(sent.has("X-aws-ec2-metadata-token: TOKEN123"));
}

TEST_CASE("metadata aws: no token, no AWS (an IMDSv1-only server is OpenStack's or another's)") {
  ScriptedServer s;
  Exchange token = get(kBase + "/latest/api/token", 405, "");
  token.method = "PUT";
  s.expect(token);
  auto t = s.connector()();
  Outcome o = aws_provider(*t, {})->look();
  CHECK(o.probe == Probe::kAbsent);
  CHECK(o.why.find("405") != std::string::npos);
  CHECK(s.sent().size() == 1);
}

TEST_CASE("metadata openstack: EC2's paths without a token, as LinuxKit's openstack provider reads them") {
  ScriptedServer s;
  const std::string md = kBase + "/latest/meta-data/";
  Exchange h = get(md + "hostname", 200, "vm-7.novalocal");
  h.without = {"X-aws-ec2-metadata-token"};
  s.expect(h);
  for (const char* p :
       {"public-ipv4", "local-ipv4", "placement/availability-zone", "instance-type", "instance-id", "local-hostname"})
    s.expect(get(md + p, 200, std::string("v-") + p));
  s.expect(get(md + "public-keys/", 200, "0=mykey"));
  s.expect(get(md + "public-keys/0/openssh-key", 200, "ssh-rsa OOO mykey"));
  s.expect(get(kBase + "/latest/user-data", 404, ""));
  auto t = s.connector()();
  Outcome o = openstack_provider(*t, {})->look();
  CHECK(s.unexpected().empty());
  CHECK(s.unmet().empty());
  REQUIRE(o.probe == Probe::kFound);
  CHECK(o.found.provider == "openstack");
  CHECK(file(o.found, "local_hostname")->data == "v-local-hostname");
  CHECK(file(o.found, "ssh/authorized_keys")->data == "ssh-rsa OOO mykey\n");
  CHECK_FALSE(o.found.user_data.has_value());
}

TEST_CASE("metadata: a value that fails mid-way is a note, not a lost provider") {
  ScriptedServer s;
  s.expect(gce("instance/hostname", 200, "vm-1"));
  Exchange broken = gce("instance/attributes/ssh-keys", 200, "partial");
  broken.fault = Exchange::Fault::reset;
  s.expect(broken);
  s.expect(gce("instance/attributes/block-project-ssh-keys", 500, "oops"));
  s.expect(gce("project/attributes/ssh-keys", 404, ""));
  s.expect(gce("instance/attributes/user-data", 200, "data"));
  auto t = s.connector()();
  Outcome o = gcp_provider(*t, {}, [] { return kNow; })->look();
  REQUIRE(o.probe == Probe::kFound);
  CHECK(o.notes.size() == 3);  // the reset, the 500, and "no ssh-keys"
  CHECK(file(o.found, "ssh/authorized_keys") == nullptr);
  CHECK(o.found.user_data == "data");
}
