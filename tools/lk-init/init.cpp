#include "init.h"

#include <errno.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <map>

#include "base/fs.h"
#include "base/strings.h"
#include "base/tool_main.h"
#include "containers.h"
#include "guest/cmdline.h"
#include "modules.h"
#include "mounts.h"
#include "network.h"
#include "power_button.h"
#include "reaper.h"
#include "shutdown.h"
#include "spawn.h"
#include "volumes.h"

namespace lkinit {
namespace {

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char ch : s) {
    if (ch == ',' || ch == ' ' || ch == '\n' || ch == '\t') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// Modules named by the system rather than found by hardware: /etc/modules (Debian's
// format, # comments) and lk.modules=a,b on the command line.
std::vector<std::string> configured_modules(const lk::guest::Cmdline& cmd) {
  std::vector<std::string> out;
  for (std::string& line : lk::split(lk::read_or_empty("/etc/modules"), '\n')) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    for (auto& w : split_list(line)) out.push_back(w);
  }
  if (auto v = cmd.value("lk.modules")) {
    auto more = split_list(*v);
    out.insert(out.end(), more.begin(), more.end());
  }
  return out;
}

int ms_option(const lk::guest::Cmdline& cmd, const char* key, int def_ms) {
  auto v = cmd.value(key);
  if (!v) return def_ms;
  char* end = nullptr;
  double s = std::strtod(v->c_str(), &end);
  if (end == v->c_str() || s < 0) return def_ms;
  return static_cast<int>(s * 1000);
}

void set_rlimits() {
  // LinuxKit's values: containers inherit them, and servers expect many descriptors.
  rlimit nofile{1048576, 1048576};
  ::setrlimit(RLIMIT_NOFILE, &nofile);
  rlimit nproc{RLIM_INFINITY, RLIM_INFINITY};
  ::setrlimit(RLIMIT_NPROC, &nproc);
}

void print_runc_list(const RunContext& ctx) {
  int status = 0;
  std::string out = capture(runc_cmd({"list"}), ctx.reaper, status, 30000);
  ctx.con.line("runc list:");
  std::string text;
  size_t pos = 0;
  while (pos < out.size()) {
    size_t nl = out.find('\n', pos);
    if (nl == std::string::npos) nl = out.size();
    text += "  " + out.substr(pos, nl - pos) + "\n";
    pos = nl + 1;
  }
  try {
    lk::write_all(STDERR_FILENO, text, "console");
  } catch (...) {}
}

[[noreturn]] void fatal(const Console& con, const std::string& what) {
  con.line("fatal: " + what);
  con.line("powering off");
  ::sync();
  ::reboot(RB_POWER_OFF);
  for (;;) ::pause();
}

}  // namespace

void run_init() {
  Console con("lk-init");
  Reaper reaper(true);
  // ctrl-alt-del becomes SIGINT to us (a clean reboot) instead of an immediate reset.
  ::reboot(RB_DISABLE_CAD);
  ::setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
  ::umask(022);

  std::map<std::string, pid_t> services;
  try {
    double started = Console::uptime();
    double moved = root_is_initramfs() ? move_root_to_tmpfs() : -1;
    mount_proc();
    auto cmd = lk::guest::Cmdline::parse(lk::read_or_empty("/proc/cmdline"));
    mount_base(con, !cmd.flag("lk.rw"));
    con.attach();
    con.open_log(std::string(kLogDir) + "/lk-init.log");
    con.line(std::string("lk ") + lk::kVersion + " init started at uptime " + fmt_seconds(started));
    if (moved >= 0) con.line("moved the initramfs to a tmpfs root in " + fmt_seconds(moved));
    set_rlimits();

    ModuleLoader modules(con);
    double tm = con.elapsed();
    auto hw = modules.load_for_hardware();
    if (auto extra = configured_modules(cmd); !extra.empty() && !modules.load(extra))
      con.line("warning: some configured modules could not be loaded");
    if (modules.available()) {
      std::string names;
      for (const auto& m : hw) names += " " + m;
      con.line("modules for the hardware:" + (names.empty() ? std::string(" none") : names) + " (" +
               fmt_seconds(con.elapsed() - tm) + ")");
    }
    // evdev has no modalias, and the button driver's may not match every firmware.
    if (modules.available()) modules.load({"button", "evdev"});
    watch_power_button(con);
    loopback_up(con);
    con.line("hostname " + set_hostname(con));
    prepare_resolv_conf();
    if (auto issue = lk::read_or_empty("/etc/issue"); !issue.empty()) {
      try {
        lk::write_all(STDERR_FILENO, issue, "console");
      } catch (...) {}
    }

    RunContext ctx{con, reaper, &modules, cmd.flag("lk.runc_debug") || cmd.flag("linuxkit.runc_debug")};
    ShutdownOptions sopts;
    sopts.service_timeout_ms = ms_option(cmd, "lk.stop_timeout", 5000);
    sopts.onshutdown_timeout_ms = ms_option(cmd, "lk.onshutdown_timeout", 30000);

    mount_volumes(con, &modules);
    int failed = 0;
    auto onboot = list_bundles(std::string(kContainers) + "/onboot");
    for (const auto& b : onboot) {
      if (run_to_completion(ctx, "onboot", b, -1, true) != 0) ++failed;
      if (reaper.pending_signal()) break;
    }
    if (!onboot.empty())
      con.line("onboot: " + std::to_string(onboot.size()) + " container(s), " + std::to_string(failed) + " failed");

    if (!reaper.pending_signal()) {
      for (const auto& b : list_bundles(std::string(kContainers) + "/services")) {
        if (auto pid = start_service(ctx, b)) services[b.name] = *pid;
        if (reaper.pending_signal()) break;
      }
      con.line(std::to_string(services.size()) + " service(s) running; init start to last service started: " +
               fmt_seconds(con.elapsed()) + " (uptime " + fmt_seconds(Console::uptime()) + ")");
      if (cmd.flag("lk.debug")) print_runc_list(ctx);
    }

    for (;;) {
      if (int sig = reaper.take_signal()) {
        con.line(std::string("received SIG") + (::sigabbrev_np(sig) ? ::sigabbrev_np(sig) : "?"));
        shutdown(ctx, action_for_signal(sig), services, sopts);
      }
      for (const auto& [pid, status] : reaper.take_exits()) {
        for (auto it = services.begin(); it != services.end(); ++it) {
          if (it->second != pid) continue;
          con.line("service " + it->first + " " + describe_status(status));
          services.erase(it);
          break;
        }
      }
      reaper.poll(-1);
    }
  } catch (const std::exception& e) {
    fatal(con, e.what());
  }
}

}  // namespace lkinit
