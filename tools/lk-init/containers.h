#pragma once
// Running LinuxKit's container bundles with runc: onboot and onshutdown containers to
// completion, services detached (so `runc list` shows them running). Bundles are read
// exactly as LinuxKit lays them out: /containers/onboot/NNN-NAME/, /containers/services/NAME/,
// /containers/onshutdown/NNN-NAME/, each with config.json, runtime.json and rootfs/ (or
// lower/ + tmp/ + rootfs/).
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "console.h"

namespace lkinit {

class ModuleLoader;
class Reaper;

inline constexpr const char* kContainers = "/containers";
inline constexpr const char* kRuncRoot = "/run/runc";
inline constexpr const char* kPidDir = "/run/lk-init";
inline constexpr const char* kLogDir = "/var/log";

struct Bundle {
  std::string name;  // "000-dhcpcd", "nginx": also the runc container id
  std::string path;  // absolute
};

// Subdirectories of DIR holding a config.json, sorted by name; none if DIR is missing.
std::vector<Bundle> list_bundles(const std::string& dir);

struct RunContext {
  const Console& con;
  Reaper& reaper;
  ModuleLoader* modules = nullptr;  // for overlay & co on demand; may be null
  bool runc_debug = false;          // runc --debug, and container logs also on the console
};

// The runc binary: $LK_RUNC, else the first of /usr/bin/runc, /usr/sbin/runc, /bin/runc,
// /sbin/runc that exists, else "runc" (PATH).
std::string runc_binary();
// runc --root /run/runc ARGS...
std::vector<std::string> runc_cmd(std::initializer_list<std::string> args);

// Runs an onboot or onshutdown bundle to completion (KIND names it in messages and in its
// log file /var/log/KIND.NAME.log) and returns its exit code; any failure to set it up is
// reported and returned as 1. A pending shutdown signal stops the wait when
// STOP_ON_SIGNAL; TIMEOUT_MS bounds it (-1: none), after which the container is killed.
int run_to_completion(const RunContext& ctx, const std::string& kind, const Bundle& b, int timeout_ms,
                      bool stop_on_signal);

// Starts a service detached, logging to /var/log/NAME.log; returns its pid (also written
// to /run/lk-init/NAME.pid) or nullopt after reporting why it failed.
std::optional<pid_t> start_service(const RunContext& ctx, const Bundle& b);

// The pid recorded for service NAME, if any.
std::optional<pid_t> service_pid(const std::string& name);

// Stops service NAME: SIGTERM, SIGKILL after TIMEOUT_MS, then `runc delete` and the
// bundle's mounts undone. Returns false if it was not running.
bool stop_service(const RunContext& ctx, const Bundle& b, int timeout_ms);

}  // namespace lkinit
