#include <doctest/doctest.h>

#include <string>

#include "pull/registry_auth.h"

namespace {
using lk::pull::Clock;
using lk::pull::Token;
using std::chrono::seconds;

// 2024-05-01T12:00:00Z
const Clock::time_point kNoon =
    Clock::time_point(std::chrono::sys_days(std::chrono::year{2024} / 5 / 1) + std::chrono::hours(12));

Token token(Clock::time_point issued, long lifetime) { return Token{"t", "", issued, seconds(lifetime)}; }
}  // namespace

TEST_CASE("registry auth: RFC 3339 times as token services send them") {
  using lk::pull::parse_rfc3339;
  CHECK(parse_rfc3339("2024-05-01T12:00:00Z") == kNoon);
  CHECK(parse_rfc3339("2024-05-01t12:00:00z") == kNoon);
  CHECK(parse_rfc3339("2024-05-01T12:00:00.123456789Z") == kNoon);
  CHECK(parse_rfc3339("2024-05-01T14:30:00+02:30") == kNoon);
  CHECK(parse_rfc3339("2024-05-01T07:00:00-05:00") == kNoon);
  for (const char* bad :
       {"", "2024-05-01", "2024-05-01T12:00:00", "2024-05-01 12:00:00Z", "2024-13-01T12:00:00Z", "2024-02-30T12:00:00Z",
        "2024-05-01T24:00:00Z", "2024-05-01T12:00:00.Z", "2024-05-01T12:00:00+0200", "2024-05-01T12:00:00Zjunk",
        "9999-05-01T12:00:00Z", "0001-01-01T00:00:00Z", "2024-05-01T12:00:00+02"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_rfc3339(bad));
  }
}

TEST_CASE("registry auth: a token is renewed within 10% of its life, at most 30 s, before expiry") {
  using lk::pull::renew_margin;
  using lk::pull::token_usable;
  CHECK(renew_margin(seconds(60)) == seconds(6));
  CHECK(renew_margin(seconds(300)) == seconds(30));
  CHECK(renew_margin(seconds(3600)) == seconds(30));
  CHECK(token_usable(token(kNoon, 60), kNoon));
  CHECK(token_usable(token(kNoon, 60), kNoon + seconds(53)));
  CHECK_FALSE(token_usable(token(kNoon, 60), kNoon + seconds(54)));
  CHECK_FALSE(token_usable(token(kNoon, 60), kNoon + seconds(61)));
  CHECK(token_usable(token(kNoon, 3600), kNoon + seconds(3569)));
  CHECK_FALSE(token_usable(token(kNoon, 3600), kNoon + seconds(3570)));
}

TEST_CASE("registry auth: token answers, expires_in and issued_at") {
  using lk::pull::parse_token_response;
  auto t = parse_token_response(R"({"token":"abc","expires_in":300})", kNoon);
  REQUIRE(t);
  CHECK(t->value == "abc");
  CHECK(t->lifetime == seconds(300));
  CHECK(t->issued == kNoon);
  CHECK(t->refresh_token.empty());

  // The OAuth2 form, preferred when both are there; a refresh token is kept.
  t = parse_token_response(R"({"token":"old","access_token":"new","refresh_token":"r2","expires_in":120})", kNoon);
  REQUIRE(t);
  CHECK(t->value == "new");
  CHECK(t->refresh_token == "r2");

  // The spec's default and minimum of 60 s; nonsense and huge values stay in bounds.
  CHECK(parse_token_response(R"({"token":"a"})", kNoon)->lifetime == seconds(60));
  CHECK(parse_token_response(R"({"token":"a","expires_in":2})", kNoon)->lifetime == seconds(60));
  CHECK(parse_token_response(R"({"token":"a","expires_in":-5})", kNoon)->lifetime == seconds(60));
  CHECK(parse_token_response(R"({"token":"a","expires_in":"300"})", kNoon)->lifetime == seconds(60));
  CHECK(parse_token_response(R"({"token":"a","expires_in":90.7})", kNoon)->lifetime == seconds(90));
  CHECK(parse_token_response(R"({"token":"a","expires_in":1e300})", kNoon)->lifetime <= seconds(366L * 24 * 3600));
  CHECK(parse_token_response(R"({"token":"a","expires_in":18446744073709551615})", kNoon)->lifetime > seconds(3600));

  // issued_at counts when plausible: earlier than the request, and the token still good.
  t = parse_token_response(R"({"token":"a","expires_in":60,"issued_at":"2024-05-01T11:59:52Z"})", kNoon);
  CHECK(t->issued == kNoon - seconds(8));
  CHECK(lk::pull::token_usable(*t, kNoon + seconds(45)));
  CHECK_FALSE(lk::pull::token_usable(*t, kNoon + seconds(46)));
  // A token service clock ahead of ours: counted from the request.
  CHECK(parse_token_response(R"({"token":"a","issued_at":"2024-05-01T12:05:00Z"})", kNoon)->issued == kNoon);
  // So far behind that the token would be useless on arrival: the clocks disagree.
  CHECK(parse_token_response(R"({"token":"a","expires_in":60,"issued_at":"2024-05-01T11:00:00Z"})", kNoon)->issued ==
        kNoon);
  CHECK(parse_token_response(R"({"token":"a","issued_at":"yesterday"})", kNoon)->issued == kNoon);

  CHECK_FALSE(parse_token_response("not json", kNoon));
  CHECK_FALSE(parse_token_response("[]", kNoon));
  CHECK_FALSE(parse_token_response(R"({"expires_in":60})", kNoon));
  CHECK_FALSE(parse_token_response(R"({"token":""})", kNoon));
  CHECK_FALSE(parse_token_response(R"({"token":42})", kNoon));
}

TEST_CASE("registry auth: the OAuth2 refresh-token form") {
  auto c = lk::pull::parse_challenge(R"(Bearer realm="https://auth.example.com/token",service="registry.example.com")");
  CHECK(lk::pull::oauth_refresh_form(c, "repository:lk/one:pull,push", "a+b/c=d&e", "lk") ==
        "grant_type=refresh_token&refresh_token=a%2Bb%2Fc%3Dd%26e&service=registry.example.com"
        "&scope=repository%3Alk%2Fone%3Apull%2Cpush&client_id=lk");
  lk::pull::Challenge bare{"bearer", {{"realm", "https://auth.example.com/token"}}};
  CHECK(lk::pull::oauth_refresh_form(bare, "", "r", "lk") == "grant_type=refresh_token&refresh_token=r&client_id=lk");
}

TEST_CASE("registry auth: token service errors for messages") {
  using lk::pull::token_error;
  CHECK(token_error(R"({"error":"invalid_grant"})") == "invalid_grant");
  CHECK(token_error(R"({"error":"invalid_grant","error_description":"refresh token expired"})") ==
        "invalid_grant: refresh token expired");
  CHECK(token_error(R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})") ==
        "UNAUTHORIZED: authentication required");
  CHECK(token_error("<html>404</html>").empty());
  CHECK(token_error(R"({"errors":[]})").empty());
  CHECK(token_error(R"({"error":")" + std::string(1000, 'x') + "\"}").size() < 210);
}
