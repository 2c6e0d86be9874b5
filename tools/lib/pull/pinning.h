#pragma once
// lk.plan/v1 in, lk.lock/v1 out: the plan's image objects (spec::images_of) gain
// reference, digest and platform (or manifests); nothing else changes but the stage.
#include <functional>
#include <string>
#include <vector>

#include "pull/image_pull.h"
#include "spec/plan.h"

namespace lk::pull {

// What to pull for each image of PLATFORM: one request, or for a `format: oci` volume
// one per platform it keeps (its `platforms`, else every one its index offers, which
// ALL_PLATFORMS tells). OWNER[i] is the image of request i.
std::vector<PullRequest> pull_requests(
    const std::vector<spec::ImageSlot>& images, const oci::Platform& platform,
    const std::function<std::vector<oci::Platform>(const oci::Reference&)>& all_platforms, std::vector<size_t>* owner);

// Writes the pinned results into their images and makes PLAN a lock. An image with
// several (an oci volume) gets digest = what its name points to, and manifests:
// [{digest, platform}] in request order.
void apply_lock(spec::Plan& plan, const std::vector<spec::ImageSlot>& images, const std::vector<size_t>& owner,
                const std::vector<PinnedImage>& pinned);

}  // namespace lk::pull
