#include <doctest/doctest.h>

#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/tool_main.h"

namespace {

// What the last subcommand saw: its argv.
std::vector<std::string> seen;
int record(int argc, char** argv) {
  seen.assign(argv, argv + argc);
  return 7;
}

constexpr lk::Subcommand kSubs[] = {{"one", "the first", record}, {"two", "the second", record}};
const lk::SubcommandTool kTool{"lk-x", "Does x.", "target", "[options] FILE", kSubs};

struct Captured {
  int status;
  std::string out, err;
};

// MAIN's exit status and what it wrote, called with ARGS as its argv.
Captured capture(const std::function<int(int, char**)>& main, std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  std::ostringstream out, err;
  auto* old_out = std::cout.rdbuf(out.rdbuf());
  auto* old_err = std::cerr.rdbuf(err.rdbuf());
  int status = main(static_cast<int>(argv.size()), argv.data());
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  return {status, out.str(), err.str()};
}

Captured dispatch(std::vector<std::string> args) {
  return capture([](int argc, char** argv) { return lk::run_subcommand(kTool, argc, argv); }, std::move(args));
}

}  // namespace

TEST_CASE("run_subcommand hands the subcommand its own argv") {
  auto r = dispatch({"lk-x", "two", "--flag", "file"});
  CHECK(r.status == 7);
  CHECK(seen == std::vector<std::string>{"two", "--flag", "file"});
}

TEST_CASE("run_subcommand: help, version, and what it refuses") {
  auto help = dispatch({"lk-x", "--help"});
  CHECK(help.status == lk::kExitOk);
  CHECK(help.out ==
        "Does x.\nUsage:\n  lk-x TARGET [options] FILE\n\nTargets:\n  one       the first\n  two       the second\n"
        "\n`lk-x TARGET --help` describes each.\n");
  CHECK(dispatch({"lk-x", "--version"}).out == std::string("lk-x ") + lk::kVersion + "\n");
  auto none = dispatch({"lk-x"});
  CHECK(none.status == lk::kExitInput);
  CHECK(none.err.rfind("lk-x: no target given\nDoes x.", 0) == 0);
  auto unknown = dispatch({"lk-x", "three"});
  CHECK(unknown.status == lk::kExitInput);
  CHECK(unknown.err.rfind("lk-x: unknown target \"three\"\n", 0) == 0);
}

namespace {

// A tool with one LinuxKit name (-mem) and one of lk's own (--grace): what its body saw.
Captured run_mem_tool(std::vector<std::string> args, std::string* mem = nullptr) {
  lk::ToolSpec spec{"lk-m",
                    "Test.",
                    "",
                    "",
                    [](cxxopts::Options& o) {
                      o.add_options()("mem", "", cxxopts::value<std::string>())("grace", "",
                                                                                cxxopts::value<std::string>());
                    },
                    [mem](const lk::ToolContext& ctx) {
                      if (mem) *mem = ctx.args["mem"].as<std::string>();
                      return 0;
                    },
                    {"mem"}};
  args.insert(args.begin(), "lk-m");
  return capture([&](int argc, char** argv) { return lk::run_tool(spec, argc, argv); }, std::move(args));
}

}  // namespace

TEST_CASE("run_tool reads LinuxKit's one-dash names, and says which they are") {
  std::string mem;
  CHECK(run_mem_tool({"-mem", "512"}, &mem).status == 0);
  CHECK(mem == "512");
  auto bad = run_mem_tool({"-grace", "5"});
  CHECK(bad.status == lk::kExitInput);
  CHECK(bad.err == "lk-m: -grace: lk's own long options take two dashes: --grace\n(see lk-m --help)\n");
  auto help = run_mem_tool({"-help"});
  CHECK(help.status == 0);
  CHECK(help.out.find("LinuxKit's and moby's names take one dash too, as Go's flag package read them:\n  -mem\n") !=
        std::string::npos);
}
