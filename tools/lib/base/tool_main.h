#pragma once
// The one place each tool catches errors: run_tool() parses the common flags
// (--help, --version, -q, -v), calls the tool's body, and maps exceptions to
// exit statuses (InputError and usage errors 2, everything else 1).
#include <functional>
#include <string>
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
};

int run_tool(const ToolSpec& spec, int argc, char** argv);

}  // namespace lk
