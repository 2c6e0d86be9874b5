#include "reaper.h"

#include <errno.h>
#include <sys/wait.h>
#include <time.h>

namespace lkinit {
namespace {
long now_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}
}  // namespace

Reaper::Reaper(bool catch_shutdown) {
  sigemptyset(&set_);
  sigaddset(&set_, SIGCHLD);
  if (catch_shutdown)
    for (int s : {SIGUSR1, SIGUSR2, SIGTERM, SIGINT}) sigaddset(&set_, s);
  ::sigprocmask(SIG_BLOCK, &set_, nullptr);
}

void Reaper::reap() {
  for (;;) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) break;
    exited_[pid] = status;
  }
}

void Reaper::wait_event(int timeout_ms) {
  timespec ts{timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
  siginfo_t info{};
  int sig = ::sigtimedwait(&set_, &info, timeout_ms < 0 ? nullptr : &ts);
  if (sig > 0 && sig != SIGCHLD && signal_ == 0) signal_ = sig;
}

std::optional<int> Reaper::wait(pid_t pid, int timeout_ms, bool stop_on_signal) {
  long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
  for (;;) {
    reap();
    if (auto it = exited_.find(pid); it != exited_.end()) {
      int st = it->second;
      exited_.erase(it);
      return st;
    }
    if (stop_on_signal && signal_) return std::nullopt;
    int left = -1;
    if (deadline >= 0) {
      left = static_cast<int>(deadline - now_ms());
      if (left <= 0) return std::nullopt;
    }
    // Bounded slices: a SIGCHLD that arrived between reap() and here is still pending in
    // the blocked set, so nothing is lost, but a slice keeps the loop robust anyway.
    wait_event(left < 0 || left > 1000 ? 1000 : left);
  }
}

void Reaper::poll(int timeout_ms) {
  reap();
  wait_event(timeout_ms);
  reap();
}

int Reaper::take_signal() {
  int s = signal_;
  signal_ = 0;
  return s;
}

std::vector<std::pair<pid_t, int>> Reaper::take_exits() {
  reap();
  std::vector<std::pair<pid_t, int>> out(exited_.begin(), exited_.end());
  exited_.clear();
  return out;
}

bool Reaper::has_children() const {
  siginfo_t info{};
  // WNOWAIT leaves any zombie for reap(); ECHILD means no children at all.
  int r = ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT);
  return !(r < 0 && errno == ECHILD);
}

}  // namespace lkinit
