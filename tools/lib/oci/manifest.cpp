#include "oci/manifest.h"

#include "base/error.h"
#include "oci/digest.h"

namespace lk::oci {

using nlohmann::json;

std::string accept_header() {
  return std::string("Accept: ") + kOciIndex + ", " + kOciManifest + ", " + kDockerList + ", " + kDockerManifest +
         ", " + kDockerSchema1Signed + ";q=0.1, " + kDockerSchema1 + ";q=0.1";
}

bool is_index_type(const std::string& t) { return t == kOciIndex || t == kDockerList; }
bool is_manifest_type(const std::string& t) { return t == kOciManifest || t == kDockerManifest; }

Platform parse_platform(const std::string& text) {
  Platform p;
  auto a = text.find('/');
  if (a == std::string::npos)
    throw InputError("invalid platform \"" + text + "\" (expected OS/ARCH[/VARIANT], e.g. linux/amd64)");
  p.os = text.substr(0, a);
  auto b = text.find('/', a + 1);
  p.architecture = text.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
  if (b != std::string::npos) p.variant = text.substr(b + 1);
  if (p.os.empty() || p.architecture.empty() || (b != std::string::npos && p.variant.empty()) ||
      p.variant.find('/') != std::string::npos)
    throw InputError("invalid platform \"" + text + "\" (expected OS/ARCH[/VARIANT], e.g. linux/amd64)");
  return p;
}

bool platform_matches(const Platform& wanted, const Platform& offered) {
  if (wanted.os != offered.os || wanted.architecture != offered.architecture) return false;
  if (wanted.variant.empty() || wanted.variant == offered.variant) return true;
  // An arm64 image without a variant is v8.
  return wanted.architecture == "arm64" && wanted.variant == "v8" && offered.variant.empty();
}

json to_json(const Descriptor& d) {
  json j = {{"mediaType", d.media_type}, {"digest", d.digest}, {"size", d.size}};
  if (d.platform) {
    j["platform"] = {{"os", d.platform->os}, {"architecture", d.platform->architecture}};
    if (!d.platform->variant.empty()) j["platform"]["variant"] = d.platform->variant;
  }
  if (!d.annotations.empty()) j["annotations"] = d.annotations;
  if (!d.urls.empty()) j["urls"] = d.urls;
  return j;
}

Descriptor descriptor_from_json(const json& j, const std::string& where) {
  auto bad = [&](const std::string& why) { return RuntimeError(where + ": invalid descriptor: " + why); };
  if (!j.is_object()) throw bad("not an object");
  Descriptor d;
  if (j.contains("mediaType") && j["mediaType"].is_string()) d.media_type = j["mediaType"];
  if (!j.contains("digest") || !j["digest"].is_string()) throw bad("no digest");
  d.digest = j["digest"];
  if (auto why = digest_problem(d.digest); !why.empty()) throw bad("digest \"" + d.digest + "\" " + why);
  if (!j.contains("size") || !j["size"].is_number_integer() || j["size"].get<int64_t>() < 0) throw bad("no size");
  d.size = j["size"];
  if (j.contains("platform") && j["platform"].is_object()) {
    const auto& p = j["platform"];
    Platform pl;
    pl.os = p.value("os", "");
    pl.architecture = p.value("architecture", "");
    pl.variant = p.value("variant", "");
    d.platform = pl;
  }
  if (j.contains("annotations") && j["annotations"].is_object())
    for (auto& [k, v] : j["annotations"].items())
      if (v.is_string()) d.annotations[k] = v;
  if (j.contains("urls") && j["urls"].is_array())
    for (const auto& u : j["urls"])
      if (u.is_string()) d.urls.push_back(u);
  return d;
}

namespace {
json parse_json(const std::string& bytes, const std::string& where) {
  try {
    auto j = json::parse(bytes);
    if (!j.is_object()) throw RuntimeError(where + ": manifest is not a JSON object");
    return j;
  } catch (const json::exception& e) {
    throw RuntimeError(where + ": manifest is not valid JSON: " + e.what());
  }
}
}  // namespace

std::string detect_media_type(const std::string& bytes, const std::string& content_type, const std::string& where) {
  std::string ct = content_type.substr(0, content_type.find(';'));
  json j = parse_json(bytes, where);
  std::string t = j.contains("mediaType") && j["mediaType"].is_string() ? j["mediaType"].get<std::string>() : "";
  if (j.value("schemaVersion", 0) == 1 || ct == kDockerSchema1 || ct == kDockerSchema1Signed)
    throw InputError(where +
                     ": Docker image manifest schema 1 is unsupported (deprecated since 2017; re-push the image with a "
                     "current client)");
  if (t.empty()) t = ct;
  // OCI documents may omit mediaType: tell an index from a manifest by its fields.
  if (t.empty() || (!is_index_type(t) && !is_manifest_type(t))) {
    if (j.contains("manifests"))
      t = kOciIndex;
    else if (j.contains("config") && j.contains("layers"))
      t = kOciManifest;
  }
  if (!is_index_type(t) && !is_manifest_type(t))
    throw RuntimeError(where + ": unsupported manifest media type \"" + t + "\"");
  return t;
}

Manifest parse_manifest(const std::string& bytes, const std::string& where) {
  json j = parse_json(bytes, where);
  Manifest m;
  m.media_type = j.value("mediaType", std::string(kOciManifest));
  if (!j.contains("config")) throw RuntimeError(where + ": manifest has no config");
  m.config = descriptor_from_json(j["config"], where + " config");
  if (!j.contains("layers") || !j["layers"].is_array()) throw RuntimeError(where + ": manifest has no layers list");
  for (const auto& l : j["layers"]) m.layers.push_back(descriptor_from_json(l, where + " layer"));
  return m;
}

Index parse_index(const std::string& bytes, const std::string& where) {
  json j = parse_json(bytes, where);
  Index ix;
  ix.media_type = j.value("mediaType", std::string(kOciIndex));
  if (!j.contains("manifests") || !j["manifests"].is_array())
    throw RuntimeError(where + ": index has no manifests list");
  for (const auto& m : j["manifests"]) ix.manifests.push_back(descriptor_from_json(m, where + " index entry"));
  return ix;
}

const Descriptor& select_platform(const Index& index, const Platform& wanted, const std::string& where) {
  std::string offered;
  for (const auto& d : index.manifests) {
    if (!d.platform || d.platform->os == "unknown") continue;
    if (platform_matches(wanted, *d.platform)) return d;
    offered += (offered.empty() ? "" : ", ") + d.platform->str();
  }
  throw InputError(where + ": no image for platform " + wanted.str() +
                   " (the index offers: " + (offered.empty() ? "none" : offered) + ")");
}

Platform config_platform(const std::string& config_bytes, const std::string& where) {
  try {
    auto j = json::parse(config_bytes);
    Platform p;
    p.os = j.value("os", "");
    p.architecture = j.value("architecture", "");
    p.variant = j.value("variant", "");
    return p;
  } catch (const json::exception& e) {
    throw RuntimeError(where + ": image config is not valid JSON: " + e.what());
  }
}

}  // namespace lk::oci
