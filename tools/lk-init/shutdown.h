#pragma once
// The way down, as LinuxKit's rc.shutdown does it: onshutdown containers, services asked
// to stop (SIGTERM, SIGKILL after a timeout), every other process the same, sync, unmount,
// then reboot(2) with the requested action.
#include <sys/types.h>
#include <map>
#include <string>

#include "containers.h"

namespace lkinit {

enum class Action { kPowerOff, kReboot, kHalt };

// busybox's conventions for signalling PID 1: halt SIGUSR1, poweroff SIGUSR2, reboot
// SIGTERM; the kernel sends SIGINT for ctrl-alt-del (a reboot).
Action action_for_signal(int sig);
const char* action_name(Action a);

struct ShutdownOptions {
  int service_timeout_ms = 5000;      // TERM -> KILL for services and stragglers
  int onshutdown_timeout_ms = 30000;  // per onshutdown container
};

// Never returns.
[[noreturn]] void shutdown(const RunContext& ctx, Action action, const std::map<std::string, pid_t>& services,
                           const ShutdownOptions& opts);

}  // namespace lkinit
