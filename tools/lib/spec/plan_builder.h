#pragma once
// lk-parse's job as a library call: read one or more specs, check them strictly,
// merge them as LinuxKit merges them, and produce the canonical build plan
// (spec/plan.h).
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "spec/plan.h"

namespace lk::spec {

struct SpecInput {
  std::string name;  // as given ("-" shows as "<stdin>"); used in every message
  std::string text;
  std::string dir;  // base for @pkg: and files[].source; "." for stdin
};

struct PlanOptions {
  std::string arch = "amd64";
  bool keep_spec = false;  // fill PlanResult::merged_spec even without metadata files
  // Maps a package folder to its image reference; throws InputError when it cannot.
  std::function<std::string(const std::string& dir)> resolve_pkg;
};

struct PlanResult {
  Plan plan;
  nlohmann::json merged_spec;  // the merged spec with @pkg: resolved (--dry-run, metadata files)
  std::vector<std::string> warnings;
};

// Throws InputError listing every problem found (file:line:column: path: message).
PlanResult build_plan(const std::vector<SpecInput>& specs, const PlanOptions& opts);

}  // namespace lk::spec
