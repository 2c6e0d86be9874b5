#pragma once
// The settings lk-push gcp and lk-run gcp share, from flags first and then the
// environment variables moby and gcloud users already have set.
#include <memory>
#include <string>
#include "base/cxxopts_config.h"

#include "base/log.h"
#include "gcp/api.h"
#include "gcp/auth.h"
#include "gcp/compute.h"
#include "http/retry.h"

namespace lk::gcp {

struct Config {
  std::string project;
  Credentials credentials;
  std::string compute_url, storage_url, token_url;
  http::RetryPolicy retry;
  Polling polling;
};

// --project --keys --access-token --api-endpoint --storage-endpoint --token-url
// --poll-interval --op-timeout --retries
void add_common_options(cxxopts::Options& opts);

// The environment variables the common options fall back to, for --help.
extern const char* const kCommonEnvHelp;

// Resolves flags, environment and defaults; throws InputError for a missing project.
Config config_from_args(const cxxopts::ParseResult& args, const Getenv& env);

// A flag's value, else the first non-empty variable of ENV_NAMES, else FALLBACK.
std::string flag_or_env(const cxxopts::ParseResult& args, const std::string& flag,
                        std::initializer_list<const char*> env_names, const Getenv& env,
                        const std::string& fallback = "");
bool flag_or_env_bool(const cxxopts::ParseResult& args, const std::string& flag, const char* env_name,
                      const Getenv& env);

// Everything a GCE session needs, wired together (members refer to each other).
struct Session {
  Session(const Config& config, const Log& log);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  Config config;
  TokenSource tokens;
  Api api;
  Compute compute;
};

}  // namespace lk::gcp
