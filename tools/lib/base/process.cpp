#include "base/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string_view>
#include <thread>

#include "base/error.h"
#include "base/fs.h"

extern char** environ;

namespace lk {

namespace {
int decode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

// Hands errno to the parent through REPORT and ends the forked child.
[[noreturn]] void fail_in_child(int report) {
  int err = errno;
  ssize_t ignored = ::write(report, &err, sizeof err);
  (void)ignored;
  ::_exit(127);
}

// What the forked child does before exec: only async-signal-safe calls, on memory
// prepared by the parent (another thread may hold malloc's lock at the fork).
[[noreturn]] void exec_child(const SpawnOptions& opts, pid_t parent, char** argv, char** envp, int report) {
  const int redirect[3] = {opts.stdin_fd, opts.stdout_fd, opts.stderr_fd};
  for (int target = 0; target < 3; ++target) {
    int from = redirect[target];
    if (from < 0) continue;
    // dup2 onto itself would keep O_CLOEXEC; going through a copy clears it.
    if (from == target && (from = ::fcntl(from, F_DUPFD_CLOEXEC, 3)) < 0) fail_in_child(report);
    if (::dup2(from, target) < 0) fail_in_child(report);
  }
  if (!opts.cwd.empty() && ::chdir(opts.cwd.c_str()) != 0) fail_in_child(report);
  if (opts.new_process_group) ::setpgid(0, 0);
  // Dies with the process that started it (a kill -9 of lk build takes its stages
  // along), unless it is meant to outlive it; the check covers a parent already gone.
  if (!opts.outlive_parent && (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent)) ::_exit(127);
  // The parent may block or ignore signals; the child starts with the defaults.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execvpe(argv[0], argv, envp);
  fail_in_child(report);
}
}  // namespace

Child::Child(const std::vector<std::string>& argv, const SpawnOptions& opts) {
  if (argv.empty()) throw RuntimeError("spawn: empty command");
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> envp;
  for (char** e = environ; *e; ++e) {
    std::string_view var(*e);
    bool replaced = false;
    for (const auto& set : opts.env)
      replaced |= var.substr(0, var.find('=') + 1) == std::string_view(set).substr(0, set.find('=') + 1);
    if (!replaced) envp.push_back(*e);
  }
  for (const auto& set : opts.env) envp.push_back(const_cast<char*>(set.c_str()));
  envp.push_back(nullptr);
  // exec's errno comes back through a close-on-exec pipe: EOF means it ran.
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe");
  Fd report_rd(fds[0]), report_wr(fds[1]);
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) throw_errno("cannot run " + argv[0]);
  if (pid_ == 0) exec_child(opts, parent, args.data(), envp.data(), report_wr.get());
  report_wr.reset();
  int err = 0;
  ssize_t n;
  do {
    n = ::read(report_rd.get(), &err, sizeof err);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof err)) {
    reap(0);
    pid_ = -1;
    throw RuntimeError("cannot run " + argv[0] + ": " + std::strerror(err));
  }
}

Child::~Child() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    reap(0);
  }
}

int Child::reap(int options) {
  if (pid_ <= 0) return status_;
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, options);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return -1;
  pid_ = -1;
  status_ = r < 0 ? 1 : decode(status);
  return status_;
}

int Child::wait() { return reap(0); }
int Child::try_wait() { return reap(WNOHANG); }

int Child::wait_for(double seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  for (;;) {
    int s = try_wait();
    if (s >= 0) return s;
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void Child::signal(int sig) const {
  if (pid_ > 0) ::kill(pid_, sig);
}

void run_checked(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe");
  Fd rd(fds[0]), wr(fds[1]);
  SpawnOptions opts;
  // Its stdout too: our own stdout may be the artifact (mkfs.fat prints a banner).
  opts.stdout_fd = wr.get();
  opts.stderr_fd = wr.get();
  opts.env = env;
  Child child(argv, opts);
  wr.reset();
  std::string err = read_stream(rd.get());
  int status = child.wait();
  if (status != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
    throw RuntimeError(argv[0] + " failed (exit " + std::to_string(status) + "): " + cmd +
                       (err.empty() ? "" : "\n" + err));
  }
}

std::string find_program(const std::string& program) {
  if (program.find('/') != std::string::npos) return ::access(program.c_str(), X_OK) == 0 ? program : "";
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    std::string cand = p.substr(start, end - start) + "/" + program;
    if (::access(cand.c_str(), X_OK) == 0) return cand;
    start = end + 1;
  }
  return "";
}

}  // namespace lk
