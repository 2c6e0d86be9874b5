#include "pull/pinning.h"

#include "base/error.h"

namespace lk::pull {

std::vector<PullRequest> pull_requests(
    const std::vector<spec::ImageSlot>& images, const oci::Platform& platform,
    const std::function<std::vector<oci::Platform>(const oci::Reference&)>& all_platforms, std::vector<size_t>* owner) {
  std::vector<PullRequest> out;
  std::string bad;
  for (size_t i = 0; i < images.size(); ++i) {
    const spec::ImageSlot& img = images[i];
    try {
      oci::Reference ref = oci::parse_reference(img.image->image);
      std::vector<oci::Platform> platforms{platform};
      if (img.volume && img.volume->is_oci()) {
        if (img.volume->platforms && !img.volume->platforms->empty()) {
          platforms.clear();
          for (const auto& p : *img.volume->platforms) platforms.push_back(oci::parse_platform(p));
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

void apply_lock(spec::Plan& plan, const std::vector<spec::ImageSlot>& images, const std::vector<size_t>& owner,
                const std::vector<PinnedImage>& pinned) {
  for (size_t i = 0; i < pinned.size(); ++i) {
    const spec::ImageSlot& slot = images[owner[i]];
    spec::ImageEntry& img = *slot.image;
    img.reference = pinned[i].reference;
    if (slot.volume && slot.volume->is_oci()) {
      img.digest = pinned[i].top;
      if (!img.manifests) img.manifests.emplace();
      img.manifests->push_back({pinned[i].digest, pinned[i].platform});
    } else {
      img.digest = pinned[i].digest;
      img.platform = pinned[i].platform;
    }
  }
  plan.stage = spec::Stage::kLock;
}

}  // namespace lk::pull
