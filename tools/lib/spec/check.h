#pragma once
// Small combinators for strict, position-aware checking of YAML against a schema.
// A Checker looks at one node, reports every problem it finds with the node's
// position and key path, and returns the value as normalised JSON (discarded
// when the node was wrong).
#include <yaml-cpp/yaml.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/diagnostics.h"

namespace lk::spec::check {

using json = nlohmann::json;

struct Walk {
  const std::string& file;
  Diagnostics& diag;
  void error(const YAML::Node& at, const std::string& path, const std::string& msg) const;
};

using Checker = std::function<json(const YAML::Node&, const std::string& path, const Walk&)>;

struct Field {
  std::string key;
  Checker check;
  bool required = false;
};

inline json bad() { return json(json::value_t::discarded); }
inline bool is_bad(const json& j) { return j.is_discarded(); }
std::string describe(const YAML::Node& n);  // "a list", "a string", ... for messages

Checker object(std::vector<Field> fields);
Checker list(Checker item);
Checker string();
Checker nonempty_string();
Checker one_of(std::vector<std::string> allowed);
Checker boolean();
Checker integer(long long min, long long max);
Checker octal_mode(long long max = 07777);
Checker string_list();
Checker string_map();
Checker int_or_name();
// Runs BASE, then PRED on its (non-bad) result; PRED returns "" or a message.
Checker refine(Checker base, std::function<std::string(const json&)> pred);

}  // namespace lk::spec::check
