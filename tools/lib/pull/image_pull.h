#pragma once
// Pulling: resolve each reference to the manifest for one platform (from the cache when
// it is complete there, else from the registry), fetch the missing blobs in parallel
// into the cache, and only then name the images in index.json. An image is named in
// the cache only once everything it references is there, verified.
#include <optional>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/progress.h"
#include "oci/layout.h"
#include "oci/manifest.h"
#include "oci/reference.h"
#include "pull/registry.h"

namespace lk::pull {

struct PullOptions {
  oci::Platform platform{"linux", "amd64", ""};
  int jobs = 4;
  bool offline = false;         // the cache only; a missing image is an error
  bool always_resolve = false;  // ask the registry for tags even when cached (--pull)
};

struct PullRequest {
  oci::Reference ref;
  oci::Platform platform;
};

struct PinnedImage {
  std::string reference;  // normalised (Reference::str())
  std::string digest;     // the platform-specific image manifest, never an index
  std::string platform;   // "linux/amd64"
  std::string top;        // what the name points to: an index, or the manifest itself
};

class Puller {
public:
  // REGISTRY may be null when OPTS.offline. CONNECT makes each worker thread's transport.
  Puller(oci::OciLayout& cache, Registry* registry, PullOptions opts, const Log& log, Progress& progress,
         http::Connector connect = http::curl_connector());
  // One result per request (or reference, for the options' platform), in order; every
  // failure is reported (one line each).
  std::vector<PinnedImage> pull(const std::vector<PullRequest>& requests);
  std::vector<PinnedImage> pull(const std::vector<oci::Reference>& refs);
  // The platforms REF's index offers (attestation entries left out); the options'
  // platform alone when REF is a single image.
  std::vector<oci::Platform> index_platforms(const oci::Reference& ref);

private:
  struct Resolved;
  std::string fetch_top(Resolved& r, http::Transport& client, std::string* content_type);
  // Whether REF is looked up in the cache before the registry (digests, or tags without --pull).
  bool cache_first(const oci::Reference& ref) const;
  // What REF names in the cache: its index.json entry (NAMED set), or the blob its digest pins.
  std::optional<oci::Descriptor> cached_top(const oci::Reference& ref, bool* named) const;
  bool resolve_from_cache(Resolved& r, std::string* missing) const;
  void resolve_remote(Resolved& r, http::Transport& client);
  void fetch_blob(const Resolved& r, const oci::Descriptor& blob, http::Transport& client);
  std::string fetch_manifest(const Resolved& r, const std::string& base, const std::string& id, http::Transport& client,
                             std::string* content_type);

  oci::OciLayout& cache_;
  Registry* registry_;
  PullOptions opts_;
  const Log& log_;
  Progress& progress_;
  http::Connector connect_;
};

}  // namespace lk::pull
