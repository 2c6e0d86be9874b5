#include "pull/docker_config.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <vector>

#include "base/base64.h"
#include "base/error.h"
#include "base/fs.h"

extern char** environ;

namespace lk::pull {

using nlohmann::json;

namespace {

// Docker Hub's credentials are stored under its v1 URL, for history's sake.
std::string server_key(const std::string& domain) {
  return domain == "docker.io" ? "https://index.docker.io/v1/" : domain;
}

// "https://host/v1/" and "host" both name host.
std::string strip_url(std::string s) {
  if (auto p = s.find("://"); p != std::string::npos) s = s.substr(p + 3);
  if (auto p = s.find('/'); p != std::string::npos) s.resize(p);
  return s;
}

// Runs `docker-credential-NAME get` with INPUT on stdin; its stdout, or nullopt when
// the helper says it has nothing for this server.
std::optional<std::string> run_helper(const std::string& name, const std::string& input) {
  std::string prog = "docker-credential-" + name;
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) throw_errno("pipe");
  Fd in_r(in[0]), in_w(in[1]);
  if (::pipe2(out, O_CLOEXEC) != 0) throw_errno("pipe");
  Fd out_r(out[0]), out_w(out[1]);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in_r.get(), 0);
  posix_spawn_file_actions_adddup2(&fa, out_w.get(), 1);
  char* argv[] = {prog.data(), const_cast<char*>("get"), nullptr};
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, prog.c_str(), &fa, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw RuntimeError("credential helper " + prog + ": cannot run it (" + std::strerror(rc) + ")");
  in_r.reset();
  out_w.reset();
  try {
    write_all(in_w.get(), input, prog + " stdin");
  } catch (const Error&) {
    // The helper may exit without reading; its status says what happened.
  }
  in_w.reset();
  std::string output = read_stream(out_r.get());
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return output;
  if (output.find("credentials not found") != std::string::npos) return std::nullopt;
  throw RuntimeError("credential helper " + prog + " failed: " + output);
}

}  // namespace

DockerConfig::DockerConfig(const std::string& path) {
  std::string p = path;
  if (p.empty()) {
    if (const char* d = std::getenv("DOCKER_CONFIG"); d && *d)
      p = std::string(d) + "/config.json";
    else if (const char* h = std::getenv("HOME"); h && *h)
      p = std::string(h) + "/.docker/config.json";
    else
      return;
  }
  struct stat st;
  if (::stat(p.c_str(), &st) != 0) return;
  try {
    config_ = json::parse(read_file(p));
  } catch (const json::exception& e) {
    throw InputError(p + ": invalid JSON: " + e.what());
  }
  if (!config_.is_object()) throw InputError(p + ": not a JSON object");
}

std::optional<Credentials> DockerConfig::lookup(const std::string& domain) const {
  std::lock_guard<std::mutex> g(mu_);
  auto it = cache_.find(domain);
  if (it != cache_.end()) return it->second;
  auto c = lookup_uncached(domain);
  cache_[domain] = c;
  return c;
}

std::optional<Credentials> DockerConfig::lookup_uncached(const std::string& domain) const {
  if (!config_.is_object()) return std::nullopt;
  std::string key = server_key(domain);
  std::string helper;
  if (config_.contains("credHelpers") && config_["credHelpers"].is_object()) {
    for (auto& [k, v] : config_["credHelpers"].items())
      if ((k == key || strip_url(k) == strip_url(key)) && v.is_string()) helper = v;
  }
  if (helper.empty() && config_.contains("credsStore") && config_["credsStore"].is_string())
    helper = config_["credsStore"];
  if (!helper.empty()) {
    auto out = run_helper(helper, key);
    if (out) {
      try {
        auto j = json::parse(*out);
        Credentials c;
        // Docker's convention for a helper holding an identity token rather than a password.
        if (j.value("Username", "") == "<token>")
          c.identity_token = j.value("Secret", "");
        else
          c = Credentials{j.value("Username", ""), j.value("Secret", ""), ""};
        if (!c.password.empty() || !c.identity_token.empty()) return c;
      } catch (const json::exception& e) {
        throw RuntimeError("credential helper docker-credential-" + helper + ": invalid output: " + e.what());
      }
    }
  }
  if (config_.contains("auths") && config_["auths"].is_object()) {
    for (auto& [k, v] : config_["auths"].items()) {
      if (!(k == key || strip_url(k) == strip_url(key)) || !v.is_object()) continue;
      Credentials c;
      if (v.contains("auth") && v["auth"].is_string() && !v["auth"].get<std::string>().empty()) {
        std::string raw = base64_decode(v["auth"].get<std::string>());
        auto colon = raw.find(':');
        if (colon == std::string::npos)
          throw InputError("docker config: auths[\"" + k + "\"].auth is not base64 of USER:PASSWORD");
        c.username = raw.substr(0, colon);
        c.password = raw.substr(colon + 1);
      } else {
        c.username = v.value("username", "");
        c.password = v.value("password", "");
      }
      if (v.contains("identitytoken") && v["identitytoken"].is_string()) c.identity_token = v["identitytoken"];
      if (!c.password.empty() || !c.identity_token.empty()) return c;
    }
  }
  return std::nullopt;
}

}  // namespace lk::pull
