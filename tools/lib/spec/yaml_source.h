#pragma once
// Reading YAML the way a strict spec parser needs it: UTF-8 checked, errors with
// positions, plain scalars resolved to null/bool/int/string as YAML 1.2's core
// schema does (quoted scalars always stay strings).
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <string>

#include "base/diagnostics.h"

namespace lk::spec {

// What one YAML text may ask of the walks over its tree. The bounds are on work, not
// on time, so a big valid spec is never cut off on a loaded machine: nodes as written
// cost what their bytes cost, and these bound what aliases add and how deep the
// recursive walks go (and yaml-cpp's own parser, which recurses per level too).
inline constexpr size_t kMaxAliasNodes = 1'000'000;  // nodes all aliases copy, together
inline constexpr size_t kMaxYamlDepth = 400;         // nesting levels, aliases expanded (yaml-cpp stops near 500)

// Parses TEXT (named FILE in messages). Records problems in DIAG and returns a
// null node on failure. The tree it returns has no cycles and stays within the
// bounds above, aliases expanded.
YAML::Node load_yaml(const std::string& file, const std::string& text, Diagnostics& diag);

// Byte offset of the first invalid UTF-8 sequence, or npos when TEXT is valid.
size_t find_invalid_utf8(const std::string& text);

SourcePos pos_of(const std::string& file, const YAML::Node& node);

enum class ScalarKind { kNull, kBool, kInt, kFloat, kString };
ScalarKind scalar_kind(const YAML::Node& scalar);

// A YAML tree as JSON, scalars resolved by scalar_kind().
nlohmann::json yaml_to_json(const YAML::Node& node);
// JSON back to block-style YAML text (for --dry-run and metadata files).
std::string json_to_yaml(const nlohmann::json& value);

}  // namespace lk::spec
