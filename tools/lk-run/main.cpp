// lk-run: run a built system. `lk-run BACKEND [options] ARTIFACT`; each backend is a
// subcommand in subcommands.h.
#include "base/tool_main.h"
#include "subcommands.h"

int main(int argc, char** argv) {
  return lk::run_subcommand(
      {"lk-run", "Run a built lk system.", "subcommand", "[options] ARTIFACT", lk::run::kSubcommands}, argc, argv);
}
