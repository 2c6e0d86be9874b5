// lk: the front end. `lk CMD ARGS...` runs the stage tool lk-CMD (found beside this
// binary first, then on PATH), so `lk run qemu`, `lk push gcp` and `lk pkg build` are the
// same programs a pipeline or Makefile calls directly.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/fs.h"
#include "base/tool_main.h"
#include "build.h"

namespace {

std::vector<std::string> commands(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& [name, type] : lk::list_dir_or_empty(dir))
    if (name.rfind("lk-", 0) == 0 && name != "lk-init") out.push_back(name.substr(3));
  return out;
}

int usage(const std::string& dir, std::ostream& os, int status) {
  os << "usage: lk COMMAND [ARGS...]   (build, help, version, or runs lk-COMMAND)\n\ncommands: build";
  for (const auto& c : commands(dir)) os << " " << c;
  os << "\n\nexamples:\n  lk build examples/nginx.yml\n  lk run qemu --publish 8080:80 nginx\n  lk pkg build "
        "pkg/init\n\n"
        "`lk help COMMAND [SUBCOMMAND]` (or `lk COMMAND --help`) shows each command's options.\n";
  // Help that could not be written (a full disk, a closed pipe) is a failure like any other.
  if (!os.flush()) {
    std::cerr << "lk: write: " << std::strerror(errno) << "\n";
    return lk::kExitRuntime;
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = lk::executable_dir();
  if (argc < 2) return usage(dir, std::cerr, lk::kExitInput);
  std::string cmd = argv[1];
  std::vector<std::string> rest(argv + 2, argv + argc);
  if (cmd == "-h" || cmd == "--help" || (cmd == "help" && rest.empty())) return usage(dir, std::cout, lk::kExitOk);
  // `moby help CMD`, `linuxkit help run qemu`: the command's own --help.
  if (cmd == "help") {
    cmd = rest.front();
    rest.erase(rest.begin());
    rest.push_back("--help");
    if (cmd == "help") return usage(dir, std::cout, lk::kExitOk);
  }
  // `lk version`, as `moby version` and `linuxkit version` have it.
  if (cmd == "--version" || cmd == "version") {
    if (cmd == "version" && !rest.empty()) {
      bool help = rest.size() == 1 && (rest[0] == "--help" || rest[0] == "-h");
      (help ? std::cout : std::cerr) << "usage: lk version   (prints lk's version, as lk --version does)\n";
      return help ? lk::kExitOk : lk::kExitInput;
    }
    if (!(std::cout << "lk " << lk::kVersion << "\n" << std::flush)) {
      std::cerr << "lk: write stdout: " << std::strerror(errno) << "\n";
      return lk::kExitRuntime;
    }
    return lk::kExitOk;
  }
  std::string tool = cmd == "build" ? "lk build" : "lk-" + cmd;
  std::vector<char*> args;
  args.push_back(tool.data());
  for (auto& a : rest) args.push_back(a.data());
  args.push_back(nullptr);
  if (cmd == "build") return lk::front::build_main(static_cast<int>(args.size()) - 1, args.data());
  if (cmd.find('/') != std::string::npos || cmd == "init") return usage(dir, std::cerr, lk::kExitInput);
  std::string beside = dir + "/" + tool;
  if (!dir.empty() && ::access(beside.c_str(), X_OK) == 0) ::execv(beside.c_str(), args.data());
  ::execvp(tool.c_str(), args.data());
  if (errno == ENOENT) {
    std::cerr << "lk: unknown command \"" << cmd << "\"\n";
    return usage(dir, std::cerr, lk::kExitInput);
  }
  std::cerr << "lk: cannot run " << tool << ": " << std::strerror(errno) << "\n";
  return lk::kExitRuntime;
}
