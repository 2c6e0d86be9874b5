#include "spawn.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include "base/error.h"
#include "base/fs.h"
#include "reaper.h"

namespace lkinit {

pid_t spawn(const std::vector<std::string>& argv, Stdio io) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) lk::throw_errno("fork");
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (io.in >= 0) ::dup2(io.in, STDIN_FILENO);
    if (io.out >= 0) ::dup2(io.out, STDOUT_FILENO);
    if (io.err >= 0) ::dup2(io.err, STDERR_FILENO);
    ::execvp(args[0], args.data());
    const char* msg = "exec failed: ";
    (void)!::write(STDERR_FILENO, msg, strlen(msg));
    (void)!::write(STDERR_FILENO, args[0], strlen(args[0]));
    (void)!::write(STDERR_FILENO, "\n", 1);
    ::_exit(127);
  }
  return pid;
}

std::string capture(const std::vector<std::string>& argv, Reaper& reaper, int& status, int timeout_ms, int err_fd) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) lk::throw_errno("pipe");
  lk::Fd rd(p[0]), wr(p[1]);
  lk::Fd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  pid_t pid = spawn(argv, {null.get(), wr.get(), err_fd});
  wr.reset();
  // The outputs read here (runc list/state) are small; reading to EOF first cannot block
  // the child on a full pipe.
  std::string out = lk::read_stream(rd.get());
  auto st = reaper.wait(pid, timeout_ms);
  if (!st) {
    ::kill(pid, SIGKILL);
    reaper.wait(pid, 5000);
    status = -1;
  } else {
    status = *st;
  }
  return out;
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* name = ::sigabbrev_np(WTERMSIG(status));
    return std::string("killed by SIG") + (name ? name : std::to_string(WTERMSIG(status)).c_str());
  }
  return "status " + std::to_string(status);
}

int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace lkinit
