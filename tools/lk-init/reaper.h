#pragma once
// Children and signals in one place. As PID 1 the init inherits every orphan, so it reaps
// whatever exits; callers wait for the pids they care about, and the exits nobody waited
// for are handed to the supervisor (a service that died) or dropped (an orphan).
// Signals are blocked and read synchronously (sigtimedwait): no handler runs at an
// awkward moment, and a poweroff request is just a value the main loop looks at.
#include <signal.h>
#include <sys/types.h>

#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace lkinit {

class Reaper {
public:
  // Blocks SIGCHLD, and with CATCH_SHUTDOWN also the signals busybox's halt/poweroff/reboot
  // and the kernel's ctrl-alt-del send to PID 1 (USR1, USR2, TERM, INT).
  explicit Reaper(bool catch_shutdown);
  Reaper(const Reaper&) = delete;
  Reaper& operator=(const Reaper&) = delete;

  // Waits for PID to exit, up to TIMEOUT_MS (-1: forever). Returns its wait status, or
  // nullopt on timeout, or when STOP_ON_SIGNAL and a shutdown signal is pending.
  std::optional<int> wait(pid_t pid, int timeout_ms = -1, bool stop_on_signal = false);
  // Sleeps until a child exits, a signal arrives or TIMEOUT_MS passes.
  void poll(int timeout_ms);

  // The first shutdown signal received and not yet taken (0 if none).
  int take_signal();
  int pending_signal() const { return signal_; }
  // Exits not claimed by wait(): (pid, status).
  std::vector<std::pair<pid_t, int>> take_exits();
  // Whether any child is left (for the final kill-everything loop).
  bool has_children() const;

private:
  void reap();
  void wait_event(int timeout_ms);

  sigset_t set_;
  int signal_ = 0;
  std::map<pid_t, int> exited_;
};

}  // namespace lkinit
