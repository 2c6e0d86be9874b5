#include <doctest/doctest.h>

#include <chrono>

#include "base/error.h"
#include "gcp/auth.h"
#include "gcp/compute.h"
#include "gcp/http.h"
#include "gcp/image_file.h"
#include "gcp/storage.h"
#include "http/retry.h"

using nlohmann::json;
using std::chrono::milliseconds;

TEST_CASE("gcp: image body carries rawDisk and only the asked-for options") {
  lk::gcp::ImageSpec spec{"lk", "https://storage.googleapis.com/b/lk.img.tar.gz", "", false, false};
  CHECK(
      lk::gcp::image_body(spec) ==
      json::parse(
          R"({"name":"lk","rawDisk":{"source":"https://storage.googleapis.com/b/lk.img.tar.gz","containerType":"TAR"}})"));
  spec.family = "fam";
  spec.uefi = true;
  spec.nested_virt = true;
  auto body = lk::gcp::image_body(spec);
  CHECK(body["family"] == "fam");
  CHECK(body["guestOsFeatures"] == json::parse(R"([{"type":"UEFI_COMPATIBLE"}])"));
  CHECK(body["licenses"] == json::parse(R"(["projects/vm-options/global/licenses/enable-vmx"])"));
}

TEST_CASE("gcp: instance body enables the serial port and passes user-data") {
  lk::gcp::InstanceSpec spec;
  spec.name = "vm";
  spec.zone = "europe-west1-d";
  spec.machine_type = "g1-small";
  spec.image = "lk";
  auto body = lk::gcp::instance_body(spec, "proj");
  CHECK(body["machineType"] == "zones/europe-west1-d/machineTypes/g1-small");
  CHECK(body["disks"][0]["initializeParams"]["sourceImage"] == "projects/proj/global/images/lk");
  CHECK(body["disks"][0]["autoDelete"] == true);
  CHECK(body["metadata"]["items"] == json::parse(R"([{"key":"serial-port-enable","value":"true"}])"));
  CHECK_FALSE(body.contains("minCpuPlatform"));
  spec.has_user_data = true;
  spec.user_data = "a=b\n";
  spec.disk_size_gb = 20;
  spec.nested_virt = true;
  spec.image = "projects/other/global/images/x";
  body = lk::gcp::instance_body(spec, "proj");
  CHECK(body["metadata"]["items"][1] == json::parse(R"({"key":"user-data","value":"a=b\n"})"));
  CHECK(body["disks"][0]["initializeParams"]["diskSizeGb"] == "20");
  CHECK(body["disks"][0]["initializeParams"]["sourceImage"] == "projects/other/global/images/x");
  CHECK(body["minCpuPlatform"] == "Intel Haswell");
}

TEST_CASE("gcp: operation errors are GCE's words, one per line") {
  CHECK(lk::gcp::operation_errors(json::parse(R"({"status":"DONE"})")) == "");
  auto op = json::parse(R"({"status":"DONE","error":{"errors":[
      {"code":"INVALID_IMAGE_TAR","message":"The tar archive is not a valid image."},
      {"code":"QUOTA_EXCEEDED","message":"Quota 'IMAGES' exceeded."}]}})");
  CHECK(lk::gcp::operation_errors(op) ==
        "INVALID_IMAGE_TAR: The tar archive is not a valid image.\nQUOTA_EXCEEDED: Quota 'IMAGES' exceeded.");
}

TEST_CASE("gcp: error_message reads the JSON API, OAuth and plain bodies") {
  lk::http::Response r;
  r.status = 404;
  r.body =
      R"({"error":{"code":404,"message":"The resource 'projects/x' was not found","errors":[{"reason":"notFound"}]}})";
  CHECK(lk::gcp::error_message(r) == "The resource 'projects/x' was not found (notFound)");
  CHECK(std::string(lk::gcp::http_error("projects.get", r).what()) ==
        "projects.get: HTTP 404: The resource 'projects/x' was not found (notFound)");
  r.body = R"({"error":"invalid_grant","error_description":"Invalid JWT Signature."})";
  CHECK(lk::gcp::error_message(r) == "invalid_grant: Invalid JWT Signature.");
  r.body = "<html>Bad Gateway</html>\nmore";
  CHECK(lk::gcp::error_message(r) == "<html>Bad Gateway</html>");
  r.body = "";
  CHECK(lk::gcp::error_message(r) == "(empty response)");
}

TEST_CASE("gcp: names, URLs and ranges") {
  CHECK(lk::gcp::valid_resource_name("lk-nginx-1"));
  CHECK_FALSE(lk::gcp::valid_resource_name("Lk"));
  CHECK_FALSE(lk::gcp::valid_resource_name("1lk"));
  CHECK_FALSE(lk::gcp::valid_resource_name("lk-"));
  CHECK_FALSE(lk::gcp::valid_resource_name(std::string(64, 'a')));
  CHECK(lk::http::url_escape("a b/c~d") == "a%20b%2Fc~d");
  CHECK(lk::gcp::object_url("https://storage.googleapis.com", "b", "dir/x y.tar.gz") ==
        "https://storage.googleapis.com/b/dir/x%20y.tar.gz");
  CHECK(lk::gcp::parse_range_end("bytes=0-262143") == 262144);
  CHECK(lk::gcp::parse_range_end("") == 0);
  CHECK(lk::gcp::parse_range_end("bytes=0-x") == 0);
  CHECK(lk::gcp::aligned_chunk_size(1) == 262144);
  CHECK(lk::gcp::aligned_chunk_size(3 * 262144 + 5) == 3 * 262144);
  CHECK(lk::gcp::image_name_from_path("out/nginx.img.tar.gz") == "nginx");
  CHECK(lk::gcp::image_name_from_path("x.tgz") == "x");
  auto uuid = lk::gcp::random_uuid();
  CHECK(uuid.size() == 36);
  CHECK(uuid[14] == '4');
  CHECK(uuid != lk::gcp::random_uuid());
}

TEST_CASE("gcp: credentials are found in gcloud's order") {
  std::map<std::string, std::string> vars;
  lk::gcp::Getenv env = [&](const std::string& n) { return vars.count(n) ? vars[n] : ""; };
  CHECK_THROWS_AS(lk::gcp::find_credentials("", "", env), lk::InputError);
  vars["CLOUDSDK_AUTH_ACCESS_TOKEN"] = "from-env";
  CHECK(lk::gcp::find_credentials("", "", env).access_token == "from-env");
  auto c = lk::gcp::find_credentials("from-flag", "", env);
  CHECK(c.access_token == "from-flag");
  CHECK(c.origin == "--access-token");
  CHECK_THROWS_AS(
      lk::gcp::find_credentials("", "/nonexistent/key.json", [](const std::string&) { return std::string(); }),
      lk::InputError);

  auto sa = lk::gcp::parse_credentials_file(
      R"({"type":"service_account","client_email":"e@x","private_key":"PEM","project_id":"p","token_uri":"http://t"})",
      "k.json");
  CHECK(sa.kind == lk::gcp::Credentials::Kind::kServiceAccount);
  CHECK(sa.project_id == "p");
  CHECK(sa.token_uri == "http://t");
  auto user = lk::gcp::parse_credentials_file(
      R"({"type":"authorized_user","client_id":"i","client_secret":"s","refresh_token":"r"})", "adc.json");
  CHECK(user.kind == lk::gcp::Credentials::Kind::kAuthorizedUser);
  CHECK(user.refresh_token == "r");
  CHECK_THROWS_WITH_AS(lk::gcp::parse_credentials_file(R"({"type":"service_account"})", "k.json"),
                       "k.json: missing \"client_email\"", lk::InputError);
  CHECK_THROWS_AS(lk::gcp::parse_credentials_file("not json", "k.json"), lk::InputError);
}

TEST_CASE("gcp: tokens are renewed a minute early, short-lived ones at half-life") {
  using std::chrono::seconds;
  CHECK_FALSE(lk::gcp::token_needs_refresh(seconds(0), 3600));
  CHECK_FALSE(lk::gcp::token_needs_refresh(seconds(3539), 3600));
  CHECK(lk::gcp::token_needs_refresh(seconds(3540), 3600));
  CHECK_FALSE(lk::gcp::token_needs_refresh(seconds(0), 2));
  CHECK(lk::gcp::token_needs_refresh(seconds(1), 2));
  CHECK(lk::gcp::token_needs_refresh(seconds(0), 0));
}

TEST_CASE("retry: which statuses are retried, and bounded doubling delays") {
  CHECK(lk::http::is_retryable_status(429));
  CHECK(lk::http::is_retryable_status(503));
  CHECK(lk::http::is_retryable_status(408));
  CHECK_FALSE(lk::http::is_retryable_status(404));
  CHECK_FALSE(lk::http::is_retryable_status(401));
  CHECK(lk::http::parse_retry_after("7") == 7);
  CHECK(lk::http::parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == -1);
  lk::http::Backoff b({4, milliseconds(100), milliseconds(300)});
  CHECK(b.delay(1) >= milliseconds(100));
  CHECK(b.delay(1) <= milliseconds(125));
  CHECK(b.delay(2) >= milliseconds(200));
  CHECK(b.delay(5) == milliseconds(300));
  lk::http::Backoff quick({3, milliseconds(0), milliseconds(0)});
  CHECK(quick.next());
  CHECK(quick.next());
  CHECK_FALSE(quick.next());
  CHECK(quick.attempts() == 3);
}

TEST_CASE("gcp: the image tarball check") {
  CHECK_THROWS_WITH_AS(lk::gcp::check_image_tarball("/nonexistent.img.tar.gz"), "/nonexistent.img.tar.gz: no such file",
                       lk::InputError);
  CHECK_THROWS_AS(lk::gcp::check_image_tarball("/"), lk::InputError);
}
