#pragma once
// Child processes for the host tools (qemu, xorriso, qemu-img...): spawn an argv,
// signal it, wait for it. A Child that goes out of scope still running is killed
// and reaped, so no tool leaves a stray VM behind when it throws; and one whose parent
// is killed outright dies with it (PR_SET_PDEATHSIG), unless made to outlive it.
#include <sys/types.h>

#include <string>
#include <vector>

namespace lk {

struct SpawnOptions {
  int stdin_fd = -1;  // -1: inherit
  int stdout_fd = -1;
  int stderr_fd = -1;
  bool new_process_group = false;  // keep terminal Ctrl-C away from the child
  bool outlive_parent = false;     // else it is killed when this process dies
  // NAME=VALUE settings added to (or replacing in) the inherited environment.
  std::vector<std::string> env;
  // The child's working directory ("": this process's). Set in the child alone, so a
  // tool never changes its own directory under its other threads.
  std::string cwd;
};

class Child {
public:
  Child() = default;
  Child(const std::vector<std::string>& argv, const SpawnOptions& opts = {});
  ~Child();
  Child(Child&& o) noexcept : pid_(o.pid_), status_(o.status_) { o.pid_ = -1; }
  Child& operator=(Child&&) = delete;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }
  // Returns the exit status (128+N for a signal N); -1 from try_wait while still running.
  int wait();
  int try_wait();
  // Waits up to SECONDS; returns -1 on timeout.
  int wait_for(double seconds);
  void signal(int sig) const;
  // Lets the child outlive this object (e.g. a detached VM); returns its pid.
  pid_t detach() {
    pid_t p = pid_;
    pid_ = -1;
    return p;
  }

private:
  int reap(int options);
  pid_t pid_ = -1;
  int status_ = -1;
};

// Runs ARGV to completion with ENV added; throws RuntimeError naming the program when it
// cannot be started or exits non-zero (with its output, which is captured, in the message).
void run_checked(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});

// Finds PROGRAM on PATH; "" when absent.
std::string find_program(const std::string& program);

}  // namespace lk
