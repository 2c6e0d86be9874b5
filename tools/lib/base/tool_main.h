#pragma once
// The one place each tool catches errors: run_tool() parses the common flags
// (--help, --version, -q, -v), calls the tool's body, and maps exceptions to
// exit statuses (InputError and usage errors 2, everything else 1).
#include <functional>
#include <span>
#include <string>
#include <vector>
#include "base/cxxopts_config.h"

#include "base/log.h"

namespace lk {

inline constexpr const char* kVersion = "0.1.0";

struct ToolContext {
  const cxxopts::ParseResult& args;
  const Log& log;
};

struct ToolSpec {
  std::string name;
  std::string summary;
  std::string usage;     // e.g. "[options] SPEC.yml..."
  std::string examples;  // shown after the options in --help
  std::function<void(cxxopts::Options&)> add_options;
  std::function<int(const ToolContext&)> run;
  // The long options LinuxKit or the 2017 moby tool had for this command (by their
  // names, which add_options gives as aliases where lk's differ): Go's flag package took
  // them after one dash, so they are accepted that way too (base/go_flags.h), and so
  // is -help.
  std::vector<std::string> linuxkit_flags = {};
};

int run_tool(const ToolSpec& spec, int argc, char** argv);

// A tool made of subcommands (`lk-run qemu`, `lk-push gcp`), each a whole tool with its
// own run_tool() and --help.
struct Subcommand {
  const char* name;
  const char* summary;
  int (*main)(int argc, char** argv);  // ARGV[0] is the subcommand's name
};

struct SubcommandTool {
  std::string name;      // "lk-run"
  std::string summary;   // the first line of --help
  std::string noun;      // what its help and errors call a subcommand: "subcommand", "target"
  std::string operands;  // what follows NAME NOUN in the usage line: "[options] ARTIFACT"
  std::span<const Subcommand> subcommands;
};

// Runs the subcommand ARGV[1] names; --help and --version here, exit 2 for a missing or
// unknown one.
int run_subcommand(const SubcommandTool& tool, int argc, char** argv);

}  // namespace lk
