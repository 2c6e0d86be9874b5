#include "shutdown.h"

#include <errno.h>
#include <signal.h>
#include <sys/reboot.h>
#include <unistd.h>

#include <map>
#include <string>

#include "mounts.h"
#include "reaper.h"

namespace lkinit {
namespace {

bool alive(pid_t pid) { return ::kill(pid, 0) == 0 || errno != ESRCH; }

// Sends SIG to every pid in PIDS and waits (reaping) until all are gone or TIMEOUT_MS.
std::vector<pid_t> signal_and_wait(Reaper& reaper, std::vector<pid_t> pids, int sig, int timeout_ms) {
  for (pid_t p : pids) ::kill(p, sig);
  for (int waited = 0;; waited += 50) {
    reaper.poll(0);
    std::vector<pid_t> left;
    for (pid_t p : pids)
      if (alive(p)) left.push_back(p);
    pids = left;
    if (pids.empty() || waited >= timeout_ms) break;
    reaper.poll(50);
  }
  return pids;
}

}  // namespace

Action action_for_signal(int sig) {
  switch (sig) {
    case SIGUSR1: return Action::kHalt;
    case SIGTERM:
    case SIGINT: return Action::kReboot;
    default: return Action::kPowerOff;
  }
}

const char* action_name(Action a) {
  switch (a) {
    case Action::kHalt: return "halt";
    case Action::kReboot: return "reboot";
    default: return "poweroff";
  }
}

void shutdown(const RunContext& ctx, Action action, const std::map<std::string, pid_t>& services,
              const ShutdownOptions& opts) {
  double t0 = ctx.con.elapsed();
  ctx.con.line(std::string("shutting down (") + action_name(action) + ")");
  try {
    for (const auto& b : list_bundles(std::string(kContainers) + "/onshutdown"))
      run_to_completion(ctx, "onshutdown", b, opts.onshutdown_timeout_ms, false);

    // The pid files are the truth: a service restarted with lk-service has a newer pid than
    // the one the init started (and may no longer be in SERVICES at all).
    std::map<pid_t, std::string> name_of;
    for (const auto& [name, pid] : services) name_of[pid] = name;
    for (const auto& b : list_bundles(std::string(kContainers) + "/services"))
      if (auto p = service_pid(b.name)) name_of[*p] = b.name;
    std::vector<pid_t> pids;
    for (const auto& [p, name] : name_of)
      if (alive(p)) pids.push_back(p);
    auto left = signal_and_wait(ctx.reaper, pids, SIGTERM, opts.service_timeout_ms);
    if (!left.empty()) {
      std::string names;
      for (pid_t p : left) names += (names.empty() ? "" : ", ") + name_of[p];
      ctx.con.line(std::to_string(left.size()) + " service(s) ignored SIGTERM for " +
                   fmt_seconds(opts.service_timeout_ms / 1000.0) + " (" + names + "): killing");
      signal_and_wait(ctx.reaper, left, SIGKILL, 2000);
    }
    ctx.con.line("services stopped");
    // Everything else (kill(-1) spares PID 1 itself).
    ::kill(-1, SIGTERM);
    for (int waited = 0; ctx.reaper.has_children() && waited < 2000; waited += 50) ctx.reaper.poll(50);
    ::kill(-1, SIGKILL);
    for (int waited = 0; ctx.reaper.has_children() && waited < 2000; waited += 50) ctx.reaper.poll(50);
  } catch (const std::exception& e) {
    ctx.con.line(std::string("shutdown: ") + e.what() + " (continuing)");
  }
  ::sync();
  unmount_all(ctx.con);
  ctx.con.line(std::string(action_name(action)) + " (shutdown took " + fmt_seconds(ctx.con.elapsed() - t0) + ")");
  ::sync();
  int cmd = action == Action::kReboot ? RB_AUTOBOOT : action == Action::kHalt ? RB_HALT_SYSTEM : RB_POWER_OFF;
  ::reboot(cmd);
  // reboot(2) only returns on failure; PID 1 must not exit (the kernel would panic).
  for (;;) ::pause();
}

}  // namespace lkinit
