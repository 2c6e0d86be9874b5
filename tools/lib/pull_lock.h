#pragma once
// lk.plan/v1 in, lk.lock/v1 out: the plan's image objects (kernel, init, onboot,
// onshutdown, services, and volumes that have an image) gain "reference", "digest"
// and "platform"; nothing else changes but the schema.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pull_image.h"

namespace lk {

// The image objects of PLAN in plan order (pointers into PLAN). InputError when
// PLAN is not an lk.plan/v1 document.
std::vector<nlohmann::json*> plan_images(nlohmann::json& plan);

// Writes PINNED[i] into IMAGES[i] and sets the lock schema.
void apply_lock(nlohmann::json& plan, const std::vector<nlohmann::json*>& images, const std::vector<PinnedImage>& pinned);

}  // namespace lk
