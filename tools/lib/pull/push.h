#pragma once
// Copying an image from the cache to a registry (for lk-pkg and for sharing packages):
// each blob is checked with HEAD and uploaded only when missing, in one PUT when small
// and in PATCH chunks when large; then the manifests, children before their index.
#include <string>

#include "base/log.h"
#include "base/progress.h"
#include "oci/layout.h"
#include "oci/manifest.h"
#include "oci/reference.h"
#include "pull/registry.h"

namespace lk::pull {

struct PushOptions {
  int64_t chunk_size = 16 << 20;                 // blobs larger than this go up in chunks of this size
  oci::Platform platform{"linux", "amd64", ""};  // pushed alone when an index is incomplete
};

// Pushes the cache's image SOURCE (a normalised name in index.json) to DEST; returns
// the digest of the manifest (or index) now at DEST.
std::string push_image(oci::OciLayout& cache, Registry& registry, const std::string& source, const oci::Reference& dest,
                       const PushOptions& opts, const Log& log, Progress& progress);

}  // namespace lk::pull
