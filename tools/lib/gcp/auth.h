#pragma once
// Google OAuth credentials for lk's GCE calls, found the way gcloud users expect:
// an access token (--access-token, CLOUDSDK_AUTH_ACCESS_TOKEN), a service-account key
// (--keys, CLOUDSDK_COMPUTE_KEYS, GOOGLE_APPLICATION_CREDENTIALS), or gcloud's
// application-default credentials (an authorized_user refresh token).
#include <chrono>
#include <functional>
#include <string>

#include "base/log.h"
#include "http/client.h"
#include "http/retry.h"

namespace lk::gcp {

inline constexpr const char* kDefaultTokenUrl = "https://oauth2.googleapis.com/token";
inline constexpr const char* kScopes =
    "https://www.googleapis.com/auth/devstorage.read_write https://www.googleapis.com/auth/compute";

struct Credentials {
  enum class Kind { kAccessToken, kServiceAccount, kAuthorizedUser };
  Kind kind = Kind::kAccessToken;
  std::string origin;  // where they came from, for messages: a flag, a variable or a file
  std::string access_token;
  std::string client_email, private_key, project_id;    // service account
  std::string client_id, client_secret, refresh_token;  // authorized user
  std::string token_uri;                                // from the file, when it names one
};

// A service-account key or an authorized_user file; ORIGIN names it in errors.
Credentials parse_credentials_file(const std::string& text, const std::string& origin);

using Getenv = std::function<std::string(const std::string& name)>;  // "" when unset
std::string process_env(const std::string& name);

// The first of: ACCESS_TOKEN, CLOUDSDK_AUTH_ACCESS_TOKEN, KEYS_FILE,
// CLOUDSDK_COMPUTE_KEYS, GOOGLE_APPLICATION_CREDENTIALS, then gcloud's
// application_default_credentials.json (under CLOUDSDK_CONFIG or ~/.config/gcloud).
// Throws InputError listing these when none is there.
Credentials find_credentials(const std::string& access_token, const std::string& keys_file, const Getenv& env);

// A token is renewed a minute before it expires, or at half its life when it lives
// less than two minutes, so that no call goes out with a token about to lapse.
bool token_needs_refresh(std::chrono::seconds age, long expires_in);

// Hands out a valid bearer token, fetching and renewing it as needed.
class TokenSource {
public:
  TokenSource(Credentials creds, std::string token_url, http::RetryPolicy retry, const Log& log);

  std::string authorization();  // the "Authorization: Bearer ..." header line
  // A 401 means the token was revoked or has lapsed early: forget it. Returns false
  // when there is no way to get another (a fixed access token).
  bool invalidate();
  const Credentials& credentials() const { return creds_; }

private:
  void fetch();
  std::string request_body() const;

  Credentials creds_;
  std::string token_url_;
  http::RetryPolicy retry_;
  const Log& log_;
  http::Client http_;
  std::string token_;
  long expires_in_ = 0;
  std::chrono::steady_clock::time_point obtained_{};
};

}  // namespace lk::gcp
