// lk-sysctl: pkg/sysctl's program (static, like lk-init): applies every
// /etc/sysctl.d/*.conf at boot, as LinuxKit's sysctl package does.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <iostream>

#include "base/error.h"
#include "base/fs.h"
#include "base/tool_main.h"
#include "guest/sysctl.h"

namespace {

struct Counts {
  int applied = 0, failed = 0, files = 0;
};

// One write of VALUE, as sysctl(8) does it: the file must already be there (a missing
// one is a key this kernel does not have; nothing is ever created under /proc/sys).
std::string write_setting(const std::string& file, const std::string& value) {
  lk::Fd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) return strerror(errno);
  ssize_t n = ::write(fd.get(), value.data(), value.size());
  if (n < 0) return strerror(errno);
  if (static_cast<size_t>(n) != value.size()) return "short write";
  return "";
}

int run(const lk::ToolContext& ctx) {
  if (ctx.args.count("args"))
    throw lk::InputError("unexpected argument \"" + ctx.args["args"].as<std::vector<std::string>>()[0] +
                         "\" (lk-sysctl takes options only)");
  const std::string dir = ctx.args["config-dir"].as<std::string>();
  const std::string proc = ctx.args["sysctl-dir"].as<std::string>();
  std::vector<std::string> names;
  for (auto& e : lk::list_dir(dir))
    if (e.type == DT_REG || e.type == DT_LNK || e.type == DT_UNKNOWN) names.push_back(e.name);
  Counts c;
  for (const auto& name : lk::guest::sysctl_conf_names(names)) {
    const std::string path = dir + "/" + name;
    lk::guest::SysctlFile f = lk::guest::parse_sysctl_conf(lk::read_file(path), path);
    ++c.files;
    for (const auto& e : f.errors) {
      ctx.log.warn(e);
      ++c.failed;
    }
    for (const auto& s : f.settings) {
      std::string why = write_setting(proc + "/" + s.path, s.value);
      if (why.empty()) {
        ctx.log.verbose(s.key + " = " + s.value);
        ++c.applied;
      } else if (s.ignore_failure) {
        ctx.log.verbose(path + ":" + std::to_string(s.line) + ": " + s.key + ": " + why + " (ignored: '-' key)");
      } else {
        ctx.log.warn(path + ":" + std::to_string(s.line) + ": " + s.key + ": " + why);
        ++c.failed;
      }
    }
  }
  ctx.log.info(std::to_string(c.applied) + " setting(s) applied from " + std::to_string(c.files) + " file(s) in " +
               dir + (c.failed ? ", " + std::to_string(c.failed) + " failed" : ""));
  // As LinuxKit's: a setting this kernel lacks is a warning, never a failed boot step.
  return lk::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  lk::ToolSpec spec{"lk-sysctl",
                    "Apply the kernel settings in DIR/*.conf (sysctl.conf format) by writing /proc/sys, in file order.",
                    "[options]",
                    "  lk-sysctl                                   # /etc/sysctl.d/*.conf into /proc/sys\n"
                    "  lk-sysctl --config-dir /run/config/sysctl.d -v\n"
                    "Lines are KEY = VALUE; '#' and ';' start comments; a key is dotted (net.ipv4.ip_forward) or\n"
                    "slashed (net/ipv4/conf/eth0.100/rp_filter); a leading '-' hides failures for keys this kernel\n"
                    "may lack. A failed setting is a warning and the others are still applied (exit 0); an\n"
                    "unreadable DIR exits 1.\n",
                    [](cxxopts::Options& o) {
                      o.add_options()("config-dir", "folder of *.conf files",
                                      cxxopts::value<std::string>()->default_value("/etc/sysctl.d"),
                                      "DIR")("sysctl-dir", "where the settings are written",
                                             cxxopts::value<std::string>()->default_value("/proc/sys"),
                                             "DIR")("args", "", cxxopts::value<std::vector<std::string>>());
                      o.parse_positional({"args"});
                    },
                    [](const lk::ToolContext& ctx) { return run(ctx); }};
  return lk::run_tool(spec, argc, argv);
}
