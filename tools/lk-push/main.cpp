// lk-push: publish a built image to a cloud. `lk-push TARGET [options] FILE`.
#include <algorithm>
#include <iostream>
#include <string>

#include "base/error.h"
#include "base/tool_main.h"

namespace lk::push {
int gcp_main(int argc, char** argv);  // gcp.cpp
}

namespace {

struct Subcommand {
  const char* name;
  const char* summary;
  int (*main)(int argc, char** argv);
};

constexpr Subcommand kSubcommands[] = {
    {"gcp", "upload a NAME.img.tar.gz to Cloud Storage and make a Compute Engine image of it", lk::push::gcp_main},
};

void usage(std::ostream& out) {
  out << "Publish a built lk image.\nUsage:\n  lk-push TARGET [options] FILE\n\nTargets:\n";
  for (const auto& s : kSubcommands) {
    std::string name = s.name;
    name.resize(std::max<size_t>(name.size() + 2, 10), ' ');  // a column for the summaries
    out << "  " << name << s.summary << "\n";
  }
  out << "\n`lk-push TARGET --help` describes each.\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::string sub = argc > 1 ? argv[1] : "";
  if (sub == "-h" || sub == "--help") {
    usage(std::cout);
    return lk::kExitOk;
  }
  if (sub == "--version") {
    std::cout << "lk-push " << lk::kVersion << "\n";
    return lk::kExitOk;
  }
  for (const auto& s : kSubcommands)
    if (sub == s.name) return s.main(argc - 1, argv + 1);
  std::cerr << "lk-push: " << (sub.empty() ? "no target given" : "unknown target \"" + sub + "\"") << "\n";
  usage(std::cerr);
  return lk::kExitInput;
}
