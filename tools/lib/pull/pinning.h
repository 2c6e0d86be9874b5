#pragma once
// lk.plan/v1 in, lk.lock/v1 out: the plan's image objects (kernel, init, onboot,
// onshutdown, services, and volumes that have an image) gain "reference", "digest"
// and "platform" (or "manifests"); nothing else changes but the schema.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pull/image_pull.h"

namespace lk::pull {

// The image objects of PLAN in plan order (pointers into PLAN). InputError when
// PLAN is not an lk.plan/v1 document.
std::vector<nlohmann::json*> plan_images(nlohmann::json& plan);

// What to pull for each image of PLATFORM: one request, or for a `format: oci` volume
// one per platform it keeps (its `platforms`, else every one its index offers, which
// ALL_PLATFORMS tells). OWNER[i] is the image of request i.
std::vector<PullRequest> pull_requests(const std::vector<nlohmann::json*>& images, const oci::Platform& platform,
                                       const std::function<std::vector<oci::Platform>(const oci::Reference&)>& all_platforms,
                                       std::vector<size_t>* owner);

// Writes the pinned results into their images and sets the lock schema. An image
// with several (an oci volume) gets "digest" = what its name points to, and
// "manifests": [{digest, platform}] in request order.
void apply_lock(nlohmann::json& plan, const std::vector<nlohmann::json*>& images, const std::vector<size_t>& owner,
                const std::vector<PinnedImage>& pinned);

}  // namespace lk::pull
