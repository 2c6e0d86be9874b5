#pragma once
// Starting children from PID 1: the init keeps its signals blocked (they are read with
// sigtimedwait), and blocked masks survive exec, so every child must get a clean mask.
#include <sys/types.h>

#include <string>
#include <vector>

namespace lkinit {

struct Stdio {
  int in = -1, out = -1, err = -1;  // -1 keeps the init's own descriptor
};

// fork + exec ARGV (argv[0] searched in PATH); throws lk::RuntimeError if fork fails.
// An exec failure is reported by the child as exit status 127.
pid_t spawn(const std::vector<std::string>& argv, Stdio io = {});

// "exited 3", "killed by SIGKILL"
std::string describe_status(int status);
// Exit code for a wait status: the code, or 128+signal.
int exit_code(int status);

class Reaper;

// Runs ARGV to completion and returns its stdout; STATUS gets the wait status (-1 when it
// did not finish within TIMEOUT_MS and was killed). Stderr goes to ERR_FD (-1: ours).
std::string capture(const std::vector<std::string>& argv, Reaper& reaper, int& status, int timeout_ms = 30000,
                    int err_fd = -1);

}  // namespace lkinit
