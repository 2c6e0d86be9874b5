#pragma once
// Reading YAML the way a strict spec parser needs it: UTF-8 checked, errors with
// positions, plain scalars resolved to null/bool/int/string as YAML 1.2's core
// schema does (quoted scalars always stay strings).
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <string>

#include "diagnostics.h"

namespace lk {

// Parses TEXT (named FILE in messages). Records problems in DIAG and returns a
// null node on failure.
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

}  // namespace lk
