#include "gcp/config.h"

#include "base/error.h"
#include "gcp/storage.h"

namespace lk::gcp {

const char* const kCommonEnvHelp =
    "Environment (each used when its flag is absent):\n"
    "  CLOUDSDK_CORE_PROJECT          --project (else the key file's project_id)\n"
    "  CLOUDSDK_AUTH_ACCESS_TOKEN     --access-token\n"
    "  CLOUDSDK_COMPUTE_KEYS, GOOGLE_APPLICATION_CREDENTIALS   --keys\n"
    "  CLOUDSDK_CONFIG                where gcloud's application_default_credentials.json is\n"
    "                                 (default ~/.config/gcloud), the last credentials tried\n"
    "  LK_GCP_COMPUTE_URL             --api-endpoint (default https://compute.googleapis.com/compute/v1)\n"
    "  LK_GCP_STORAGE_URL             --storage-endpoint (default https://storage.googleapis.com)\n"
    "  LK_GCP_TOKEN_URL               --token-url (else the key file's token_uri, else\n"
    "                                 https://oauth2.googleapis.com/token)\n"
    "  LK_GCP_POLL_MS                 --poll-interval\n"
    "  LK_GCP_BACKOFF_MS              first retry delay in ms (default 1000; doubles, max 30 s)\n";

void add_common_options(cxxopts::Options& o) {
  o.add_options("Google Cloud")("project", "GCP project", cxxopts::value<std::string>(), "P")(
      "keys", "service-account JSON key file", cxxopts::value<std::string>(), "FILE")(
      "access-token", "use this OAuth access token (e.g. from `gcloud auth print-access-token`)",
      cxxopts::value<std::string>(),
      "TOKEN")("api-endpoint", "Compute Engine API base URL", cxxopts::value<std::string>(), "URL")(
      "storage-endpoint", "Cloud Storage base URL", cxxopts::value<std::string>(), "URL")(
      "token-url", "OAuth2 token endpoint", cxxopts::value<std::string>(), "URL")(
      "poll-interval", "milliseconds between polls of operations and the console (default 2000)",
      cxxopts::value<std::string>(), "MS")("op-timeout", "give up waiting for an operation after S seconds",
                                           cxxopts::value<std::string>()->default_value("900"), "S")(
      // Numbers are read as strings and checked here: cxxopts' integer parser trips a
      // GCC 12 -Wrestrict false positive at -O2.
      "retries", "attempts per request on 429, 5xx and dropped connections",
      cxxopts::value<std::string>()->default_value("6"), "N");
}

std::string flag_or_env(const cxxopts::ParseResult& args, const std::string& flag,
                        std::initializer_list<const char*> env_names, const Getenv& env, const std::string& fallback) {
  if (args.count(flag)) return args[flag].as<std::string>();
  for (const char* name : env_names)
    if (auto v = env(name); !v.empty()) return v;
  return fallback;
}

bool flag_or_env_bool(const cxxopts::ParseResult& args, const std::string& flag, const char* env_name,
                      const Getenv& env) {
  if (args.count(flag)) return args[flag].as<bool>();
  auto v = env(env_name);
  return v == "1" || v == "true" || v == "yes";
}

namespace {
long parse_count(const std::string& what, const std::string& v) {
  try {
    size_t used = 0;
    long n = std::stol(v, &used);
    if (used == v.size() && n >= 0) return n;
  } catch (const std::exception&) {}
  throw InputError(what + ": not a number: \"" + v + "\"");
}

long env_number(const Getenv& env, const char* name, long fallback) {
  auto v = env(name);
  return v.empty() ? fallback : parse_count(name, v);
}

long flag_number(const cxxopts::ParseResult& args, const std::string& flag) {
  return parse_count("--" + flag, args[flag].as<std::string>());
}

std::string trim_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}
}  // namespace

Config config_from_args(const cxxopts::ParseResult& args, const Getenv& env) {
  Config c;
  c.credentials = find_credentials(args.count("access-token") ? args["access-token"].as<std::string>() : "",
                                   args.count("keys") ? args["keys"].as<std::string>() : "", env);
  c.project = flag_or_env(args, "project", {"CLOUDSDK_CORE_PROJECT"}, env, c.credentials.project_id);
  if (c.project.empty())
    throw InputError("no project: give --project P or set CLOUDSDK_CORE_PROJECT (`gcloud config get-value project`)");
  c.compute_url = trim_slash(flag_or_env(args, "api-endpoint", {"LK_GCP_COMPUTE_URL"}, env, kDefaultComputeUrl));
  c.storage_url = trim_slash(flag_or_env(args, "storage-endpoint", {"LK_GCP_STORAGE_URL"}, env, kDefaultStorageUrl));
  std::string token_fallback = c.credentials.token_uri.empty() ? kDefaultTokenUrl : c.credentials.token_uri;
  c.token_url = flag_or_env(args, "token-url", {"LK_GCP_TOKEN_URL"}, env, token_fallback);
  long retries = flag_number(args, "retries");
  if (retries < 1 || retries > 100) throw InputError("--retries: from 1 to 100");
  c.retry.max_attempts = static_cast<int>(retries);
  c.retry.first_delay = std::chrono::milliseconds(env_number(env, "LK_GCP_BACKOFF_MS", 1000));
  long poll =
      args.count("poll-interval") ? flag_number(args, "poll-interval") : env_number(env, "LK_GCP_POLL_MS", 2000);
  c.polling.interval = std::chrono::milliseconds(poll);
  c.polling.timeout = std::chrono::seconds(flag_number(args, "op-timeout"));
  return c;
}

Session::Session(const Config& cfg, const Log& log)
    : config(cfg),
      tokens(config.credentials, config.token_url, config.retry, log),
      api(tokens, config.retry, log),
      compute(api, config.compute_url, config.project, config.polling) {}

}  // namespace lk::gcp
