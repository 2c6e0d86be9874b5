#pragma once
// Copying an image from the cache to a registry (for lk-pkg and for sharing packages):
// each blob is checked with HEAD and uploaded only when missing, in one PUT when small
// and in PATCH chunks when large; then the manifests, children before their index.
#include <string>

#include "log.h"
#include "oci.h"
#include "oci_layout.h"
#include "progress.h"
#include "reference.h"
#include "registry.h"

namespace lk {

struct PushOptions {
  int64_t chunk_size = 16 << 20;  // blobs larger than this go up in chunks of this size
  oci::Platform platform{"linux", "amd64", ""};  // pushed alone when an index is incomplete
};

// Pushes the cache's image SOURCE (a normalised name in index.json) to DEST; returns
// the digest of the manifest (or index) now at DEST.
std::string push_image(OciLayout& cache, registry::Registry& registry, const std::string& source, const Reference& dest,
                       const PushOptions& opts, const Log& log, Progress& progress);

}  // namespace lk
