#include "pull_lock.h"

#include "error.h"

namespace lk {

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

void apply_lock(json& plan, const std::vector<json*>& images, const std::vector<PinnedImage>& pinned) {
  for (size_t i = 0; i < images.size(); ++i) {
    (*images[i])["reference"] = pinned[i].reference;
    (*images[i])["digest"] = pinned[i].digest;
    (*images[i])["platform"] = pinned[i].platform;
  }
  plan["schema"] = "lk.lock/v1";
}

}  // namespace lk
