#pragma once
// Bringing images in without a registry (air-gapped hosts): a `docker save` archive or
// an OCI-layout tarball (skopeo's oci-archive, or docker save from Docker 25 on) is read
// as a stream into numbered temp files in the cache's ingest/ folder (never recreated as
// a tree: its names and links only index a table), every blob checked against its
// digest, moved into blobs/, and the images named under their normalised references.
#include <string>
#include <vector>

#include "base/log.h"
#include "oci/layout.h"
#include "pull/image_pull.h"

namespace lk::pull {

// Returns one entry per named image: reference and the digest of what the name points
// to (the archive's manifest or index). InputError for a malformed or hostile archive
// (links out of it, members under links, absolute or ".." names, oversized JSON);
// RuntimeError for a blob whose bytes do not match its name.
std::vector<PinnedImage> import_archive(oci::OciLayout& cache, const std::string& path, const Log& log);

}  // namespace lk::pull
