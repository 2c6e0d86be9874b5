// lk-parse: spec YAML files -> build plan JSON (spec/plan.h).
#include <unistd.h>

#include "base/error.h"
#include "base/fs.h"
#include "base/tool_main.h"
#include "pkg/tag.h"
#include "spec/plan_builder.h"
#include "spec/yaml_source.h"

namespace {

int run(const lk::ToolContext& ctx) {
  const auto& args = ctx.args;
  if (!args.count("specs"))
    throw lk::InputError("no spec given (usage: lk-parse [options] SPEC.yml...; - reads stdin)");
  std::vector<lk::spec::SpecInput> inputs;
  for (const auto& name : args["specs"].as<std::vector<std::string>>()) {
    if (name == "-")
      inputs.push_back({"<stdin>", lk::read_stream(STDIN_FILENO), "."});
    else
      inputs.push_back({name, lk::read_file(name), lk::dirname_of(name)});
  }
  lk::spec::PlanOptions opts;
  opts.arch = args["arch"].as<std::string>();
  const bool dry_run = args.count("dry-run") || args.count("print-yaml");
  opts.keep_spec = dry_run;
  const std::string bin_dir = lk::executable_dir();
  opts.resolve_pkg = [&bin_dir](const std::string& dir) { return lk::pkg::pkg_name(dir, bin_dir).reference(); };
  auto result = lk::spec::build_plan(inputs, opts);
  for (const auto& w : result.warnings) ctx.log.warn(w);
  std::string out = dry_run ? lk::spec::json_to_yaml(result.merged_spec) : lk::spec::document_text(result.plan);
  lk::write_output(args["output"].as<std::string>(), out);
  return lk::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  lk::ToolSpec spec{
      "lk-parse",
      "Check LinuxKit spec files strictly and write the build plan (JSON, schema lk.plan/v1).",
      "[options] SPEC.yml [SPEC.yml...]   (later files merge over earlier ones; - reads stdin)",
      "  lk-parse examples/nginx.yml > nginx.plan.json\n"
      "  lk-parse base.yml extra.yml -o plan.json\n"
      "  lk-parse --dry-run base.yml extra.yml      # the merged spec as YAML\n"
      "  lk-parse examples/nginx.yml | lk-pull > nginx.lock.json\n",
      [](cxxopts::Options& o) {
        o.add_options()("o,output", "write the plan to FILE (atomically) instead of stdout",
                        cxxopts::value<std::string>()->default_value("-"),
                        "FILE")("arch", "target architecture", cxxopts::value<std::string>()->default_value("amd64"),
                                "ARCH")("dry-run", "print the merged spec as YAML instead of the plan")(
            "print-yaml", "same as --dry-run")("specs", "spec files", cxxopts::value<std::vector<std::string>>());
        o.parse_positional({"specs"});
      },
      [](const lk::ToolContext& ctx) { return run(ctx); }};
  return lk::run_tool(spec, argc, argv);
}
