#include "base/tool_main.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>

#include "base/error.h"
#include "base/go_flags.h"

namespace lk {

namespace {

// ARGV's arguments with LinuxKit's spellings rewritten for cxxopts (base/go_flags.h).
std::vector<std::string> cxxopts_args(const cxxopts::Options& opts, const std::vector<std::string>& linuxkit_flags,
                                      int argc, char** argv) {
  std::vector<OptionShape> shapes;
  for (const auto& group : opts.groups())
    for (const auto& o : opts.group_help(group).options) shapes.push_back({o.s, o.l, o.is_boolean, !o.has_implicit});
  std::vector<std::string> one_dash = linuxkit_flags;
  if (!one_dash.empty()) one_dash.push_back("help");  // every Go command has -help
  try {
    return go_style_args(std::vector<std::string>(argv + (argc > 0 ? 1 : 0), argv + argc), shapes, one_dash);
  } catch (const InputError& e) {
    throw cxxopts::exceptions::parsing(e.what());  // a usage error like cxxopts' own
  }
}

}  // namespace

int run_tool(const ToolSpec& spec, int argc, char** argv) {
  // A closed output pipe becomes an EPIPE error, so destructors still remove temp files
  // (children get default dispositions back, see process.cpp).
  ::signal(SIGPIPE, SIG_IGN);
  cxxopts::Options opts(spec.name, spec.summary);
  opts.custom_help(spec.usage.empty() ? "[options]" : spec.usage);
  opts.positional_help("");
  opts.add_options()("h,help", "show this help")("version", "print the version")("q,quiet", "only errors on stderr")(
      "v,verbose", "more detail on stderr (repeat for more)");
  if (spec.add_options) spec.add_options(opts);
  try {
    const std::vector<std::string> given = cxxopts_args(opts, spec.linuxkit_flags, argc, argv);
    std::vector<const char*> cargv = {argc > 0 ? argv[0] : spec.name.c_str()};
    for (const auto& a : given) cargv.push_back(a.c_str());
    auto args = opts.parse(static_cast<int>(cargv.size()), cargv.data());
    if (args.count("help") || args.count("version")) {
      if (args.count("help")) {
        std::cout << opts.help();
        if (!spec.linuxkit_flags.empty()) {
          std::cout << "\nLinuxKit's and moby's names take one dash too, as Go's flag package read them:\n ";
          for (const auto& f : spec.linuxkit_flags) std::cout << " -" << f;
          std::cout << "\n";
        }
        if (!spec.examples.empty()) std::cout << "\nExamples:\n" << spec.examples;
      } else {
        std::cout << spec.name << " " << kVersion << "\n";
      }
      // Like every other output: one that could not be written is a failure.
      if (!std::cout.flush()) throw RuntimeError("write stdout: " + std::string(std::strerror(errno)));
      return kExitOk;
    }
    Log::Level level = Log::kNormal;
    if (args.count("quiet")) level = Log::kQuiet;
    if (auto v = args.count("verbose")) level = static_cast<Log::Level>(Log::kNormal + (v > 2 ? 2 : v));
    Log log(spec.name, level);
    return spec.run(ToolContext{args, log});
  } catch (const cxxopts::exceptions::exception& e) {
    std::cerr << spec.name << ": " << e.what() << "\n(see " << spec.name << " --help)\n";
    return kExitInput;
  } catch (const Error& e) {
    // One line per problem, each with the tool's name, so grep and editors find them.
    std::string msg = e.what();
    for (size_t start = 0; start < msg.size();) {
      size_t nl = msg.find('\n', start);
      if (nl == std::string::npos) nl = msg.size();
      std::cerr << spec.name << ": " << msg.substr(start, nl - start) << "\n";
      start = nl + 1;
    }
    return e.code();
  } catch (const std::exception& e) {
    std::cerr << spec.name << ": " << e.what() << "\n";
    return kExitRuntime;
  }
}

namespace {

void subcommand_usage(const SubcommandTool& tool, std::ostream& out) {
  std::string noun_upper = tool.noun, heading = tool.noun + "s:";  // SUBCOMMAND, "Subcommands:"
  for (char& c : noun_upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  heading[0] = noun_upper[0];
  out << tool.summary << "\nUsage:\n  " << tool.name << " " << noun_upper << " " << tool.operands << "\n\n"
      << heading << "\n";
  for (const auto& s : tool.subcommands) {
    std::string name = s.name;
    name.resize(std::max<size_t>(name.size() + 2, 10), ' ');  // a column for the summaries
    out << "  " << name << s.summary << "\n";
  }
  out << "\n`" << tool.name << " " << noun_upper << " --help` describes each.\n";
}

}  // namespace

int run_subcommand(const SubcommandTool& tool, int argc, char** argv) {
  std::string sub = argc > 1 ? argv[1] : "";
  if (sub == "-h" || sub == "--help") {
    subcommand_usage(tool, std::cout);
    return kExitOk;
  }
  if (sub == "--version") {
    std::cout << tool.name << " " << kVersion << "\n";
    return kExitOk;
  }
  for (const auto& s : tool.subcommands)
    if (sub == s.name) return s.main(argc - 1, argv + 1);
  std::cerr << tool.name << ": "
            << (sub.empty() ? "no " + tool.noun + " given" : "unknown " + tool.noun + " \"" + sub + "\"") << "\n";
  subcommand_usage(tool, std::cerr);
  return kExitInput;
}

}  // namespace lk
