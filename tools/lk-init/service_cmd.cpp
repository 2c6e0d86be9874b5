#include "service_cmd.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/error.h"
#include "containers.h"
#include "modules.h"
#include "reaper.h"
#include "spawn.h"

namespace lkinit {
namespace {

constexpr const char* kUsage =
    "usage: lk-service list\n"
    "       lk-service [-t SECONDS] stop|start|restart NAME\n";

Bundle find_service(const std::string& name) {
  for (const auto& b : list_bundles(std::string(kContainers) + "/services"))
    if (b.name == name) return b;
  throw lk::InputError("no service " + name + " (see lk-service list)");
}

int list(const RunContext& ctx) {
  int status = 0;
  std::string out = capture(runc_cmd({"list", "--format", "json"}), ctx.reaper, status);
  std::map<std::string, std::pair<std::string, long>> state;  // id -> (status, pid)
  try {
    auto j = nlohmann::json::parse(out.empty() ? "null" : out);
    if (j.is_array())
      for (const auto& c : j) state[c.value("id", "")] = {c.value("status", ""), c.value("pid", 0L)};
  } catch (const nlohmann::json::exception&) {
    throw lk::RuntimeError("cannot read `runc list` output");
  }
  std::printf("%-24s %-10s %s\n", "NAME", "STATUS", "PID");
  for (const auto& b : list_bundles(std::string(kContainers) + "/services")) {
    auto it = state.find(b.name);
    std::string st = it == state.end() ? "stopped" : it->second.first;
    std::string pid = it == state.end() || it->second.second == 0 ? "-" : std::to_string(it->second.second);
    std::printf("%-24s %-10s %s\n", b.name.c_str(), st.c_str(), pid.c_str());
  }
  return 0;
}

}  // namespace

int service_main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  int timeout_ms = 10000;
  if (args.size() >= 2 && (args[0] == "-t" || args[0] == "--timeout")) {
    char* end = nullptr;
    double secs = std::strtod(args[1].c_str(), &end);
    if (end == args[1].c_str() || *end || secs < 0 || secs > 86400) {
      std::fprintf(stderr, "lk-service: -t wants seconds, not \"%s\"\n%s", args[1].c_str(), kUsage);
      return lk::kExitInput;
    }
    timeout_ms = static_cast<int>(secs * 1000);
    args.erase(args.begin(), args.begin() + 2);
  }
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? lk::kExitInput : lk::kExitOk;
  }
  Console con("lk-service");
  Reaper reaper(false);
  ModuleLoader modules(con);
  RunContext ctx{con, reaper, &modules, false};
  try {
    const std::string& verb = args[0];
    if (verb == "list" && args.size() == 1) return list(ctx);
    if (args.size() != 2 || (verb != "stop" && verb != "start" && verb != "restart"))
      throw lk::InputError(std::string("bad arguments\n") + kUsage);
    Bundle b = find_service(args[1]);
    if (verb == "stop" || verb == "restart") {
      bool was = stop_service(ctx, b, timeout_ms);
      con.line(b.name + (was ? " stopped" : " was not running"));
    }
    if (verb == "start" || verb == "restart") {
      if (auto pid = service_pid(b.name); pid && ::kill(*pid, 0) == 0)
        throw lk::InputError(b.name + " is already running (pid " + std::to_string(*pid) + ")");
      if (!start_service(ctx, b)) return lk::kExitRuntime;
    }
    return lk::kExitOk;
  } catch (const lk::Error& e) {
    con.line(e.what());
    return e.code();
  } catch (const std::exception& e) {
    con.line(e.what());
    return lk::kExitRuntime;
  }
}

}  // namespace lkinit
