// lk-run: run a built system. `lk-run BACKEND [options] ARTIFACT`; each backend is a
// subcommand in subcommands.h.
#include <algorithm>
#include <iostream>
#include <string>

#include "base/error.h"
#include "base/tool_main.h"
#include "subcommands.h"

namespace {

void usage(std::ostream& out) {
  out << "Run a built lk system.\nUsage:\n  lk-run SUBCOMMAND [options] ARTIFACT\n\nSubcommands:\n";
  for (const auto& s : lk::run::kSubcommands) {
    std::string name = s.name;
    name.resize(std::max<size_t>(name.size() + 2, 10), ' ');  // a column for the summaries
    out << "  " << name << s.summary << "\n";
  }
  out << "\n`lk-run SUBCOMMAND --help` describes each.\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::string sub = argc > 1 ? argv[1] : "";
  if (sub == "-h" || sub == "--help") {
    usage(std::cout);
    return lk::kExitOk;
  }
  if (sub == "--version") {
    std::cout << "lk-run " << lk::kVersion << "\n";
    return lk::kExitOk;
  }
  for (const auto& s : lk::run::kSubcommands)
    if (sub == s.name) return s.main(argc - 1, argv + 1);
  std::cerr << "lk-run: " << (sub.empty() ? "no subcommand given" : "unknown subcommand \"" + sub + "\"") << "\n";
  usage(std::cerr);
  return lk::kExitInput;
}
