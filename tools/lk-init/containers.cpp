#include "containers.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "base/error.h"
#include "base/fs.h"
#include "mounts.h"
#include "reaper.h"
#include "runtime_apply.h"
#include "spawn.h"

namespace lkinit {
namespace {

lk::Fd open_log(const std::string& path, bool truncate) {
  make_dirs(lk::dirname_of(path));
  lk::Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : O_APPEND), 0644));
  if (!fd) lk::throw_errno("open " + path);
  return fd;
}

lk::Fd dev_null() { return lk::Fd(::open("/dev/null", O_RDONLY | O_CLOEXEC)); }

std::vector<std::string> with_debug(const RunContext& ctx, std::vector<std::string> cmd) {
  if (ctx.runc_debug) cmd.insert(cmd.begin() + 1, "--debug");
  return cmd;
}

std::string pid_file(const std::string& name) { return std::string(kPidDir) + "/" + name + ".pid"; }

std::optional<pid_t> read_pid(const std::string& path) {
  try {
    std::string s = lk::read_file(path);
    long v = std::strtol(s.c_str(), nullptr, 10);
    if (v > 0) return static_cast<pid_t>(v);
  } catch (...) {}
  return std::nullopt;
}

// runc keeps a container's state in ROOT/ID; a leftover (a stopped service being started
// again) makes create fail with "container with id exists".
void delete_stale(const RunContext& ctx, const std::string& name) {
  std::string state = std::string(kRuncRoot) + "/" + name;
  if (::access(state.c_str(), F_OK) != 0) return;
  lk::Fd null = dev_null();
  pid_t p = spawn(runc_cmd({"delete", "--force", name}), {null.get(), null.get(), null.get()});
  ctx.reaper.wait(p, 20000);
}

// runc create + host-side process setup + runc start; returns the container's pid.
std::optional<pid_t> create_and_start(const RunContext& ctx, const Bundle& b, const lk::guest::RuntimeConfig& rc,
                                      int log, const std::string& pidf) {
  lk::Fd null = dev_null();
  pid_t p = spawn(with_debug(ctx, runc_cmd({"create", "--bundle", b.path, "--pid-file", pidf, b.name})),
                  {null.get(), log, log});
  auto st = ctx.reaper.wait(p, 120000);
  if (!st || exit_code(*st) != 0) return std::nullopt;
  auto pid = read_pid(pidf);
  try {
    if (!pid) throw lk::RuntimeError("runc create wrote no pid to " + pidf);
    prepare_process(b.name, *pid, rc, ctx.modules, ctx.con);
    p = spawn(with_debug(ctx, runc_cmd({"start", b.name})), {null.get(), log, log});
    st = ctx.reaper.wait(p, 120000);
    if (!st || exit_code(*st) != 0) throw lk::RuntimeError("runc start failed");
  } catch (...) {
    // A created container waits forever for its start: remove it rather than leak it.
    delete_stale(ctx, b.name);
    throw;
  }
  return pid;
}

}  // namespace

std::vector<Bundle> list_bundles(const std::string& dir) {
  std::vector<Bundle> out;
  for (const auto& [n, type] : lk::list_dir_or_empty(dir)) {
    std::string path = dir + "/" + n;
    if (n[0] != '.' && ::access((path + "/config.json").c_str(), F_OK) == 0) out.push_back({n, path});
  }
  return out;
}

std::string runc_binary() {
  if (const char* env = std::getenv("LK_RUNC"); env && *env) return env;
  for (const char* p : {"/usr/bin/runc", "/usr/sbin/runc", "/bin/runc", "/sbin/runc"})
    if (::access(p, X_OK) == 0) return p;
  return "runc";
}

std::vector<std::string> runc_cmd(std::initializer_list<std::string> args) {
  std::vector<std::string> cmd{runc_binary(), "--root", kRuncRoot};
  cmd.insert(cmd.end(), args.begin(), args.end());
  return cmd;
}

int run_to_completion(const RunContext& ctx, const std::string& kind, const Bundle& b, int timeout_ms,
                      bool stop_on_signal) {
  double t0 = ctx.con.elapsed();
  std::string log_path = std::string(kLogDir) + "/" + kind + "." + b.name + ".log";
  lk::guest::RuntimeConfig rc;
  int code = 1;
  std::string outcome;
  try {
    lk::Fd log = open_log(log_path, true);
    rc = load_runtime(b.path);
    prepare_filesystem(b.path, rc, ctx.modules);
    make_dirs(kPidDir);
    delete_stale(ctx, b.name);
    lk::Fd null = dev_null();
    pid_t waited;
    if (rc.needs_process_setup()) {
      // The host must act between create and start (interfaces, namespace binds).
      auto pid = create_and_start(ctx, b, rc, log.get(), pid_file(b.name));
      if (!pid) throw lk::RuntimeError("runc could not create or start it (see " + log_path + ")");
      waited = *pid;
    } else {
      // One runc process that waits for the container: cheaper than create+start+wait,
      // and runc forwards signals and returns the container's exit code.
      waited =
          spawn(with_debug(ctx, runc_cmd({"run", "--bundle", b.path, b.name})), {null.get(), log.get(), log.get()});
    }
    auto st = ctx.reaper.wait(waited, timeout_ms, stop_on_signal);
    if (!st) {
      outcome = ctx.reaper.pending_signal() ? "interrupted by shutdown" : "timed out";
      ::kill(waited, SIGTERM);
      if (!ctx.reaper.wait(waited, 5000)) {
        ::kill(waited, SIGKILL);
        ctx.reaper.wait(waited, 5000);
      }
      code = 1;
    } else {
      code = exit_code(*st);
      outcome = describe_status(*st);
    }
  } catch (const std::exception& e) {
    outcome = std::string("failed: ") + e.what();
    code = 1;
  }
  cleanup_filesystem(b.path, rc);
  ctx.con.line(kind + " " + b.name + " " + outcome + " (" + fmt_seconds(ctx.con.elapsed() - t0) + ")" +
               (code != 0 ? "  [FAILED, boot continues]" : ""));
  ctx.con.dump(b.name, log_path);
  return code;
}

std::optional<pid_t> start_service(const RunContext& ctx, const Bundle& b) {
  double t0 = ctx.con.elapsed();
  std::string log_path = std::string(kLogDir) + "/" + b.name + ".log";
  try {
    lk::Fd log = open_log(log_path, false);
    auto rc = load_runtime(b.path);
    prepare_filesystem(b.path, rc, ctx.modules);
    make_dirs(kPidDir);
    std::string pidf = pid_file(b.name);
    ::unlink(pidf.c_str());
    delete_stale(ctx, b.name);
    std::optional<pid_t> pid;
    if (rc.needs_process_setup()) {
      pid = create_and_start(ctx, b, rc, log.get(), pidf);
    } else {
      lk::Fd null = dev_null();
      // Detached: runc passes its stdio (the log) to the container and exits once it runs.
      pid_t p = spawn(with_debug(ctx, runc_cmd({"run", "--detach", "--bundle", b.path, "--pid-file", pidf, b.name})),
                      {null.get(), log.get(), log.get()});
      auto st = ctx.reaper.wait(p, 120000);
      if (st && exit_code(*st) == 0) pid = read_pid(pidf);
    }
    if (!pid) throw lk::RuntimeError("runc could not start it (see " + log_path + ")");
    ctx.con.line("service " + b.name + " started (pid " + std::to_string(*pid) + ", " +
                 fmt_seconds(ctx.con.elapsed() - t0) + ")");
    return pid;
  } catch (const std::exception& e) {
    ctx.con.line("service " + b.name + " failed to start: " + e.what());
    ctx.con.dump(b.name, log_path);
    return std::nullopt;
  }
}

std::optional<pid_t> service_pid(const std::string& name) { return read_pid(pid_file(name)); }

bool stop_service(const RunContext& ctx, const Bundle& b, int timeout_ms) {
  auto pid = service_pid(b.name);
  bool was_running = pid && ::kill(*pid, 0) == 0;
  if (was_running) {
    // The container's pid is a child of PID 1, which reaps it; from elsewhere (lk-service)
    // its disappearance from /proc is what ends the wait.
    ::kill(*pid, SIGTERM);
    auto gone = [&] { return ::kill(*pid, 0) != 0 && errno == ESRCH; };
    for (int waited = 0; !gone() && waited < timeout_ms; waited += 100) ctx.reaper.poll(100);
    if (!gone()) {
      ::kill(*pid, SIGKILL);
      for (int waited = 0; !gone() && waited < 5000; waited += 100) ctx.reaper.poll(100);
    }
  }
  delete_stale(ctx, b.name);
  try {
    cleanup_filesystem(b.path, load_runtime(b.path));
  } catch (...) {
    cleanup_filesystem(b.path, {});
  }
  ::unlink(pid_file(b.name).c_str());
  return was_running;
}

}  // namespace lkinit
