#include "pull/pinning.h"

#include "base/error.h"

namespace lk::pull {

using nlohmann::json;

std::vector<json*> plan_images(json& plan) {
  if (!plan.is_object() || plan.value("schema", "") != "lk.plan/v1")
    throw InputError("input is not an lk-parse plan (expected \"schema\": \"lk.plan/v1\")");
  std::vector<json*> out;
  auto take = [&](json& obj, const std::string& where) {
    if (!obj.is_object() || !obj.contains("image") || !obj["image"].is_string())
      throw InputError("plan: " + where + " has no \"image\" string");
    out.push_back(&obj);
  };
  if (plan.contains("kernel") && !plan["kernel"].is_null()) take(plan["kernel"], "kernel");
  for (const char* section : {"init", "onboot", "onshutdown", "services"}) {
    if (!plan.contains(section)) continue;
    if (!plan[section].is_array()) throw InputError(std::string("plan: ") + section + " is not a list");
    for (size_t i = 0; i < plan[section].size(); ++i) take(plan[section][i], std::string(section) + "[" + std::to_string(i) + "]");
  }
  if (plan.contains("volumes") && plan["volumes"].is_array())
    for (size_t i = 0; i < plan["volumes"].size(); ++i)
      if (plan["volumes"][i].is_object() && plan["volumes"][i].contains("image"))
        take(plan["volumes"][i], "volumes[" + std::to_string(i) + "]");
  return out;
}

std::vector<PullRequest> pull_requests(const std::vector<json*>& images, const oci::Platform& platform,
                                       const std::function<std::vector<oci::Platform>(const oci::Reference&)>& all_platforms,
                                       std::vector<size_t>* owner) {
  std::vector<PullRequest> out;
  std::string bad;
  for (size_t i = 0; i < images.size(); ++i) {
    const json& img = *images[i];
    try {
      oci::Reference ref = oci::parse_reference(img["image"]);
      std::vector<oci::Platform> platforms{platform};
      if (img.value("format", "") == "oci") {
        if (img.contains("platforms") && img["platforms"].is_array() && !img["platforms"].empty()) {
          platforms.clear();
          for (const auto& p : img["platforms"]) platforms.push_back(oci::parse_platform(p.get<std::string>()));
        } else {
          platforms = all_platforms(ref);
        }
      }
      for (const auto& p : platforms) {
        out.push_back({ref, p});
        owner->push_back(i);
      }
    } catch (const InputError& e) {
      bad += (bad.empty() ? "" : "\n") + std::string(e.what());
    }
  }
  if (!bad.empty()) throw InputError(bad);
  return out;
}

void apply_lock(json& plan, const std::vector<json*>& images, const std::vector<size_t>& owner,
                const std::vector<PinnedImage>& pinned) {
  for (size_t i = 0; i < pinned.size(); ++i) {
    json& img = *images[owner[i]];
    img["reference"] = pinned[i].reference;
    if (img.value("format", "") == "oci") {
      img["digest"] = pinned[i].top;
      if (!img.contains("manifests")) img["manifests"] = json::array();
      img["manifests"].push_back({{"digest", pinned[i].digest}, {"platform", pinned[i].platform}});
    } else {
      img["digest"] = pinned[i].digest;
      img["platform"] = pinned[i].platform;
    }
  }
  plan["schema"] = "lk.lock/v1";
}

}  // namespace lk::pull
