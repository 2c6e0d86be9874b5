#include "gcp/auth.h"

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fs.h"
#include "gcp/http.h"
#include "gcp/jwt.h"

namespace lk::gcp {

namespace {

std::string field(const nlohmann::json& j, const char* name, const std::string& origin) {
  if (!j.contains(name) || !j[name].is_string() || j[name].get<std::string>().empty())
    throw InputError(origin + ": missing \"" + name + "\"");
  return j[name].get<std::string>();
}

Credentials from_file(const std::string& path, const std::string& how) {
  return parse_credentials_file(read_file(path), path + " (" + how + ")");
}

bool exists(const std::string& path) { return !path.empty() && std::ifstream(path).good(); }

}  // namespace

std::string process_env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v ? v : "";
}

Credentials parse_credentials_file(const std::string& text, const std::string& origin) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) throw InputError(origin + ": not a JSON credentials file");
  std::string type = j.value("type", "");
  Credentials c;
  c.origin = origin;
  if (j.contains("token_uri") && j["token_uri"].is_string()) c.token_uri = j["token_uri"];
  if (type == "service_account") {
    c.kind = Credentials::Kind::kServiceAccount;
    c.client_email = field(j, "client_email", origin);
    c.private_key = field(j, "private_key", origin);
    if (j.contains("project_id") && j["project_id"].is_string()) c.project_id = j["project_id"];
  } else if (type == "authorized_user") {
    c.kind = Credentials::Kind::kAuthorizedUser;
    c.client_id = field(j, "client_id", origin);
    c.client_secret = field(j, "client_secret", origin);
    c.refresh_token = field(j, "refresh_token", origin);
    if (j.contains("quota_project_id") && j["quota_project_id"].is_string()) c.project_id = j["quota_project_id"];
  } else {
    throw InputError(origin + ": credentials of type \"" + type +
                     "\" are not supported (a service_account key or gcloud's authorized_user file is)");
  }
  return c;
}

Credentials find_credentials(const std::string& access_token, const std::string& keys_file, const Getenv& env) {
  auto token = [](const std::string& t, const std::string& origin) {
    Credentials c;
    c.kind = Credentials::Kind::kAccessToken;
    c.access_token = t;
    c.origin = origin;
    return c;
  };
  if (!access_token.empty()) return token(access_token, "--access-token");
  if (auto t = env("CLOUDSDK_AUTH_ACCESS_TOKEN"); !t.empty()) return token(t, "CLOUDSDK_AUTH_ACCESS_TOKEN");
  if (!keys_file.empty()) return from_file(keys_file, "--keys");
  for (const char* var : {"CLOUDSDK_COMPUTE_KEYS", "GOOGLE_APPLICATION_CREDENTIALS"})
    if (auto f = env(var); !f.empty()) return from_file(f, var);
  std::string dir = env("CLOUDSDK_CONFIG");
  if (dir.empty() && !env("HOME").empty()) dir = env("HOME") + "/.config/gcloud";
  std::string adc = dir.empty() ? "" : dir + "/application_default_credentials.json";
  if (exists(adc)) return from_file(adc, "gcloud application-default credentials");
  throw InputError(
      "no Google credentials: give --keys KEY.json (a service-account key), --access-token TOKEN, or set "
      "GOOGLE_APPLICATION_CREDENTIALS or CLOUDSDK_AUTH_ACCESS_TOKEN, or run `gcloud auth application-default login`");
}

bool token_needs_refresh(std::chrono::seconds age, long expires_in) {
  long margin = expires_in < 120 ? expires_in / 2 : 60;
  return age.count() >= expires_in - margin;
}

TokenSource::TokenSource(Credentials creds, std::string token_url, http::RetryPolicy retry, const Log& log)
    : creds_(std::move(creds)), token_url_(std::move(token_url)), retry_(retry), log_(log) {
  if (creds_.kind == Credentials::Kind::kAccessToken) token_ = creds_.access_token;
}

std::string TokenSource::authorization() {
  if (creds_.kind != Credentials::Kind::kAccessToken) {
    auto age = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - obtained_);
    if (token_.empty() || token_needs_refresh(age, expires_in_)) fetch();
  }
  return "Authorization: Bearer " + token_;
}

bool TokenSource::invalidate() {
  if (creds_.kind == Credentials::Kind::kAccessToken) return false;
  token_.clear();
  return true;
}

std::string TokenSource::request_body() const {
  if (creds_.kind == Credentials::Kind::kAuthorizedUser)
    return "grant_type=refresh_token&client_id=" + http::url_escape(creds_.client_id) +
           "&client_secret=" + http::url_escape(creds_.client_secret) +
           "&refresh_token=" + http::url_escape(creds_.refresh_token);
  // Google checks aud against the token endpoint, and refuses an exp over an hour out.
  auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  nlohmann::json claims = {
      {"iss", creds_.client_email}, {"scope", kScopes}, {"aud", token_url_}, {"iat", now}, {"exp", now + 3600}};
  return "grant_type=" + http::url_escape("urn:ietf:params:oauth:grant-type:jwt-bearer") +
         "&assertion=" + http::url_escape(jwt_sign_rs256(claims, creds_.private_key));
}

void TokenSource::fetch() {
  const std::string what = "oauth2 token (" + creds_.origin + ")";
  http::Backoff backoff(retry_);
  for (;;) {
    http::Request req;
    req.method = "POST";
    req.url = token_url_;
    req.headers = {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json"};
    req.body = request_body();  // a fresh iat on every attempt
    http::Response resp;
    try {
      resp = http_.send(req);
    } catch (const RuntimeError& e) {
      if (http::is_retryable(e) && backoff.next()) continue;
      throw RuntimeError(what + ": " + e.what());
    }
    if (http::is_retryable_status(resp.status) &&
        backoff.next(std::chrono::seconds(std::max(0L, http::parse_retry_after(resp.header("retry-after"))))))
      continue;
    if (resp.status != 200) throw http_error(what, resp);
    auto j = nlohmann::json::parse(resp.body, nullptr, false);
    if (!j.is_object() || !j.contains("access_token") || !j["access_token"].is_string())
      throw RuntimeError(what + ": the response holds no access_token");
    token_ = j["access_token"];
    expires_in_ = j.contains("expires_in") && j["expires_in"].is_number_integer() ? j["expires_in"].get<long>() : 3600;
    obtained_ = std::chrono::steady_clock::now();
    log_.verbose("got an access token from " + token_url_ + " (expires in " + std::to_string(expires_in_) + " s)");
    return;
  }
}

}  // namespace lk::gcp
