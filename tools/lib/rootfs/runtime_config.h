#pragma once
// config.json and runtime.json for one container, as LinuxKit's ConfigToOCI makes
// them: three inputs (the image's own config, its org.mobyproject.config label, the
// spec entry) merged per field with the precedence spec > label > image.
#include <nlohmann/json.hpp>
#include <string>

#include "spec/plan.h"

namespace lk::rootfs {

struct OciInputs {
  nlohmann::json image;         // the image config's "config" object (Entrypoint, Cmd, Env, WorkingDir); may be null
  spec::ContainerConfig label;  // the image's label (see parse_moby_label); empty when it has none
  spec::ContainerConfig yaml;   // the plan entry's config: only the keys the spec set
};

struct OciSpec {
  nlohmann::ordered_json config;   // config.json, fields in the runtime-spec's order
  nlohmann::ordered_json runtime;  // runtime.json before the bundle's own rootfs mounts are put first
  bool readonly = false;
};

// Checks the label text (JSON or YAML) with the same schema as a spec entry
// (name and image forbidden) and resolves uid/gid names through IDS (the plan's
// name -> id map). WHERE names the image in errors; a bad label is an InputError.
spec::ContainerConfig parse_moby_label(const std::string& text, const std::map<std::string, int64_t>& ids,
                                       const std::string& where);

// The label's text from an image config's Labels, or "" when there is none.
std::string moby_label_text(const nlohmann::json& image_config);

// Throws InputError for what only shows up after merging (a mount without a type).
OciSpec make_oci_spec(const OciInputs& in);

// The bytes lk writes for a spec JSON: 4-space indent (as LinuxKit's MarshalIndent), newline-terminated.
std::string oci_json_text(const nlohmann::ordered_json& j);

}  // namespace lk::rootfs
