#include "process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string_view>
#include <thread>

#include "error.h"
#include "fs.h"

extern char** environ;

namespace lk {

namespace {
int decode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

struct FileActions {
  posix_spawn_file_actions_t fa;
  FileActions() { posix_spawn_file_actions_init(&fa); }
  ~FileActions() { posix_spawn_file_actions_destroy(&fa); }
};

struct SpawnAttr {
  posix_spawnattr_t attr;
  SpawnAttr() { posix_spawnattr_init(&attr); }
  ~SpawnAttr() { posix_spawnattr_destroy(&attr); }
};
}  // namespace

Child::Child(const std::vector<std::string>& argv, const SpawnOptions& opts) {
  if (argv.empty()) throw RuntimeError("spawn: empty command");
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  FileActions fa;
  if (opts.stdin_fd >= 0) posix_spawn_file_actions_adddup2(&fa.fa, opts.stdin_fd, 0);
  if (opts.stdout_fd >= 0) posix_spawn_file_actions_adddup2(&fa.fa, opts.stdout_fd, 1);
  if (opts.stderr_fd >= 0) posix_spawn_file_actions_adddup2(&fa.fa, opts.stderr_fd, 2);
  SpawnAttr attr;
  // The parent may block signals to wait for them synchronously; the child must not
  // inherit that mask or any ignored signal.
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  posix_spawnattr_setsigmask(&attr.attr, &none);
  posix_spawnattr_setsigdefault(&attr.attr, &all);
  if (opts.new_process_group) {
    flags |= POSIX_SPAWN_SETPGROUP;
    posix_spawnattr_setpgroup(&attr.attr, 0);
  }
  posix_spawnattr_setflags(&attr.attr, flags);
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
  int rc = posix_spawnp(&pid_, args[0], &fa.fa, &attr.attr, args.data(), envp.data());
  if (rc != 0) {
    pid_ = -1;
    throw RuntimeError("cannot run " + argv[0] + ": " + std::strerror(rc));
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
    throw RuntimeError(argv[0] + " failed (exit " + std::to_string(status) + "): " + cmd + (err.empty() ? "" : "\n" + err));
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
