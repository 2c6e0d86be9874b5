#include "pull/image_pull.h"

#include <sys/statvfs.h>

#include <exception>
#include <map>
#include <set>

#include "base/error.h"
#include "base/sha256.h"
#include "http/retry.h"
#include "oci/digest.h"
#include "pull/jobs.h"

namespace lk::pull {

struct Puller::Resolved {
  oci::Reference ref;
  oci::Platform want;
  std::string base;             // endpoint that served the manifest
  oci::Descriptor top;          // what the name points to: an index or a manifest
  std::string manifest_digest;  // the platform manifest
  oci::Manifest manifest;
  oci::Platform platform;
  bool platform_known = false;  // from the index; else read from the config
  bool from_cache = false;
  bool named = false;  // index.json already names it so
};

Puller::Puller(oci::OciLayout& cache, Registry* registry, PullOptions opts, const Log& log, Progress& progress,
               http::Connector connect)
    : cache_(cache),
      registry_(registry),
      opts_(std::move(opts)),
      log_(log),
      progress_(progress),
      connect_(std::move(connect)) {}

namespace {
std::string short_digest(const std::string& d) { return d.substr(7, 12); }

// Writing a blob into the cache failed, the disk full most likely. The partial file is
// dropped, not kept for resuming: kept, it would hold the space and make every later
// pull fail the same way. The message says what the blob needs and what is free.
[[noreturn]] void write_failed(oci::BlobIngest& in, const std::exception_ptr& error, const std::string& dir,
                               int64_t size, const std::string& what) {
  in.restart();
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    std::string space;
    struct statvfs fs {};
    if (::statvfs(dir.c_str(), &fs) == 0 &&
        static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize < static_cast<uint64_t>(size))
      space = "; the blob needs " + std::to_string(size) + " bytes, " +
              std::to_string(static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize) + " are free in " + dir;
    throw RuntimeError(what + ": " + e.what() + space + " (its partial download was dropped)");
  }
}
}  // namespace

bool Puller::cache_first(const oci::Reference& ref) const {
  return opts_.offline || !ref.digest.empty() || !opts_.always_resolve;
}

std::optional<oci::Descriptor> Puller::cached_top(const oci::Reference& ref, bool* named) const {
  std::string name = ref.str();
  if (auto entry = cache_.lookup(name)) {
    *named = true;
    return entry;
  }
  if (ref.digest.empty() || !cache_.has_blob(ref.digest)) return std::nullopt;
  // Pinned by digest and the blob is here (pulled under another name).
  std::string bytes = cache_.read_blob(ref.digest);
  return oci::Descriptor{oci::detect_media_type(bytes, "", name), ref.digest, static_cast<int64_t>(bytes.size())};
}

bool Puller::resolve_from_cache(Resolved& r, std::string* missing) const {
  std::string name = r.ref.str();
  auto entry = cached_top(r.ref, &r.named);
  if (!entry) {
    *missing = "not in the cache";
    return false;
  }
  r.top = *entry;
  r.top.annotations.clear();
  std::string bytes = cache_.read_blob(r.top.digest);
  std::string type = oci::detect_media_type(bytes, r.top.media_type, name);
  r.manifest_digest = r.top.digest;
  if (oci::is_index_type(type)) {
    auto index = oci::parse_index(bytes, name);
    const auto& d = oci::select_platform(index, r.want, name);
    if (!cache_.has_blob(d.digest)) {
      *missing = "its " + r.want.str() + " manifest " + d.digest + " is not in the cache";
      return false;
    }
    r.manifest_digest = d.digest;
    r.platform = *d.platform;
    r.platform_known = true;
    bytes = cache_.read_blob(d.digest);
  }
  r.manifest = oci::parse_manifest(bytes, name);
  if (!cache_.has_blob(r.manifest.config.digest)) {
    *missing = "its config " + r.manifest.config.digest + " is not in the cache";
    return false;
  }
  for (const auto& l : r.manifest.layers)
    if (!cache_.has_blob(l.digest)) {
      *missing = "its layer " + l.digest + " is not in the cache";
      return false;
    }
  r.from_cache = true;
  return true;
}

std::string Puller::fetch_manifest(const Resolved& r, const std::string& base, const std::string& id,
                                   http::Transport& client, std::string* content_type) {
  std::string name = r.ref.str();
  http::Request req;
  req.headers.push_back(oci::accept_header());
  req.max_body = http::kMaxManifestBody;
  auto resp = registry_->send_retrying(client, base, r.ref.domain, r.ref.path, "pull", req,
                                       "/v2/" + r.ref.path + "/manifests/" + id, name + ": manifest");
  if (resp.status == 404) throw RuntimeError(name + ": not found at " + base + " (manifest unknown)");
  if (resp.status == 401 || resp.status == 403)
    throw RuntimeError(name + ": access denied by " + base + " (HTTP " + std::to_string(resp.status) +
                       "; log in with docker login or check the name)");
  if (resp.status != 200)
    throw RuntimeError(name + ": manifest request to " + base + " failed with HTTP " + std::to_string(resp.status));
  std::string digest = "sha256:" + sha256_hex(resp.body);
  if (oci::is_sha256_digest(id) && digest != id)
    throw RuntimeError(name + ": the registry sent a manifest hashing to " + digest + ", not the requested " + id);
  std::string said = resp.header("docker-content-digest");
  if (!said.empty() && said.starts_with("sha256:") && said != digest)
    throw RuntimeError(name + ": the registry says the manifest is " + said + " but its bytes hash to " + digest);
  *content_type = resp.header("content-type");
  return resp.body;
}

// The manifest or index the reference names, from the first endpoint that has it.
std::string Puller::fetch_top(Resolved& r, http::Transport& client, std::string* content_type) {
  auto bases = registry_->endpoints(r.ref.domain, client);
  for (size_t i = 0;; ++i) {
    try {
      std::string bytes = fetch_manifest(r, bases[i], r.ref.manifest_ref(), client, content_type);
      r.base = bases[i];
      return bytes;
    } catch (const RuntimeError& e) {
      if (i + 1 == bases.size()) throw;
      log_.verbose(std::string("mirror failed, trying the next endpoint: ") + e.what());
    }
  }
}

std::vector<oci::Platform> Puller::index_platforms(const oci::Reference& ref) {
  std::string name = ref.str();
  Resolved r;
  r.ref = ref;
  std::string bytes, ctype;
  bool named = false;
  std::optional<oci::Descriptor> entry;
  if (cache_first(ref)) entry = cached_top(ref, &named);
  if (entry) {
    bytes = cache_.read_blob(entry->digest);
    ctype = entry->media_type;
  } else if (opts_.offline) {
    throw RuntimeError("offline: " + name + " is missing from the cache " + cache_.dir());
  } else {
    auto client = connect_();
    bytes = fetch_top(r, *client, &ctype);
  }
  if (!oci::is_index_type(oci::detect_media_type(bytes, ctype, name))) return {opts_.platform};
  std::vector<oci::Platform> out;
  for (const auto& d : oci::parse_index(bytes, name).manifests)
    if (d.platform && d.platform->os != "unknown" && d.platform->architecture != "unknown") out.push_back(*d.platform);
  if (out.empty()) throw RuntimeError(name + ": its index lists no platform");
  return out;
}

void Puller::resolve_remote(Resolved& r, http::Transport& client) {
  std::string name = r.ref.str();
  std::string ctype;
  std::string bytes = fetch_top(r, client, &ctype);
  std::string type = oci::detect_media_type(bytes, ctype, name);
  std::string digest = "sha256:" + sha256_hex(bytes);
  cache_.put_blob(digest, bytes, name);
  r.top = oci::Descriptor{type, digest, static_cast<int64_t>(bytes.size())};
  r.manifest_digest = digest;
  if (oci::is_index_type(type)) {
    auto index = oci::parse_index(bytes, name);
    const auto& d = oci::select_platform(index, r.want, name);
    r.platform = *d.platform;
    r.platform_known = true;
    r.manifest_digest = d.digest;
    if (cache_.has_blob(d.digest)) {
      bytes = cache_.read_blob(d.digest);
    } else {
      bytes = fetch_manifest(r, r.base, d.digest, client, &ctype);
      cache_.put_blob(d.digest, bytes, name);
    }
    if (!oci::is_manifest_type(oci::detect_media_type(bytes, d.media_type, name)))
      throw RuntimeError(name + ": the " + r.platform.str() + " entry of its index is not an image manifest");
  }
  r.manifest = oci::parse_manifest(bytes, name);
  // The config is read whole (for its platform): held to a manifest's limit.
  if (r.manifest.config.size > http::kMaxManifestBody)
    throw RuntimeError(name + ": its config " + r.manifest.config.digest + " is said to be " +
                       std::to_string(r.manifest.config.size) + " bytes; more than the " +
                       std::to_string(http::kMaxManifestBody >> 20) + " MiB lk accepts for an image config");
}

void Puller::fetch_blob(const Resolved& r, const oci::Descriptor& blob, http::Transport& client) {
  std::string what = r.ref.str() + ": blob " + blob.digest;
  oci::BlobIngest in(cache_, blob.digest, blob.size);
  if (in.present()) return;
  progress_.start(blob.digest, short_digest(blob.digest), blob.size, in.offset());
  struct Done {
    Progress& p;
    const std::string& id;
    ~Done() { p.finish(id); }
  } done{progress_, blob.digest};
  if (in.offset() > 0) log_.verbose(what + ": resuming at byte " + std::to_string(in.offset()));
  const bool resumed = in.offset() > 0;
  bool restarted = false;
  for (int attempt = 1;; ++attempt) {
    std::exception_ptr write_error;
    std::string problem;
    int64_t from = in.offset();
    if (from < blob.size) {
      http::Request req;
      if (from > 0) req.headers.push_back("Range: bytes=" + std::to_string(from) + "-");
      req.on_body_start = [&](long status) {
        if (status == 200 && in.offset() > 0) in.restart();  // the server ignored the Range
        progress_.set(blob.digest, in.offset());
        return true;
      };
      req.on_body = [&](const char* data, size_t len) {
        try {
          in.write(data, len);
          progress_.advance(blob.digest, static_cast<int64_t>(len));
          return true;
        } catch (...) {
          write_error = std::current_exception();
          return false;
        }
      };
      std::optional<http::Response> resp;
      try {
        resp = registry_->send(client, r.base, r.ref.domain, r.ref.path, "pull", req,
                               "/v2/" + r.ref.path + "/blobs/" + blob.digest);
      } catch (const RuntimeError& e) {
        if (write_error) write_failed(in, write_error, cache_.ingest_dir(), blob.size, what);
        if (!http::is_retryable(e)) throw RuntimeError(what + ": " + e.what());
        problem = e.what();
      }
      if (write_error) write_failed(in, write_error, cache_.ingest_dir(), blob.size, what);
      if (!resp) {  // the transport failed: PROBLEM says how
      } else if (resp->status == 416) {
        in.restart();  // our partial file does not fit what the server has
        problem = "HTTP 416";
      } else if (http::is_retryable_status(resp->status)) {
        problem = "HTTP " + std::to_string(resp->status);
      } else if (resp->status != 200 && resp->status != 206) {
        throw RuntimeError(what + ": HTTP " + std::to_string(resp->status) + " from " + r.base);
      } else if (in.offset() < blob.size) {
        problem =
            "connection closed after " + std::to_string(in.offset()) + " of " + std::to_string(blob.size) + " bytes";
      }
    }
    if (problem.empty()) {
      try {
        in.commit(what);
        return;
      } catch (const RuntimeError&) {
        // A resumed download may have started from a bad partial file: one fresh try.
        if (!resumed || restarted) throw;
        restarted = true;
        problem = "digest mismatch after resuming an earlier download";
      }
    }
    if (attempt >= registry_->options().attempts)
      throw RuntimeError(what + ": " + problem + " (gave up after " + std::to_string(attempt) + " attempts)");
    log_.verbose(what + ": " + problem + ", retrying");
    registry_->sleep_backoff(attempt);
  }
}

std::vector<PinnedImage> Puller::pull(const std::vector<oci::Reference>& refs) {
  std::vector<PullRequest> requests;
  for (const auto& r : refs) requests.push_back({r, opts_.platform});
  return pull(requests);
}

std::vector<PinnedImage> Puller::pull(const std::vector<PullRequest>& requests) {
  std::vector<Resolved> res(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    res[i].ref = requests[i].ref;
    res[i].want = requests[i].platform;
  }

  // 1. Manifests: from the cache when complete there, else from the registry.
  parallel_jobs(res.size(), opts_.jobs, connect_, [&](size_t i, http::Transport& client) {
    Resolved& r = res[i];
    std::string missing;
    if (cache_first(r.ref) && resolve_from_cache(r, &missing)) return;
    if (opts_.offline)
      throw RuntimeError("offline: " + r.ref.str() + " (" + r.want.str() + ") is missing from the cache " +
                         cache_.dir() + ": " + missing);
    resolve_remote(r, client);
  }).rethrow();

  // 2. Blobs: each missing one once, however many images share it.
  struct Job {
    const Resolved* image;
    oci::Descriptor blob;
  };
  std::vector<Job> jobs;
  std::set<std::string> seen;
  for (const auto& r : res) {
    if (r.from_cache) continue;
    std::vector<const oci::Descriptor*> blobs{&r.manifest.config};
    for (const auto& l : r.manifest.layers) blobs.push_back(&l);
    for (const auto* b : blobs)
      if (!cache_.has_blob(b->digest) && seen.insert(b->digest).second) jobs.push_back({&r, *b});
  }
  parallel_jobs(jobs.size(), opts_.jobs, connect_, [&](size_t i, http::Transport& client) {
    fetch_blob(*jobs[i].image, jobs[i].blob, client);
  }).rethrow();
  progress_.clear();

  // 3. Platforms of single-platform images, then the names, all at once.
  std::vector<std::pair<std::string, oci::Descriptor>> names;
  std::vector<PinnedImage> out;
  JobErrors errors;
  for (auto& r : res) {
    std::string name = r.ref.str();
    if (!r.platform_known) {
      r.platform = oci::config_platform(cache_.read_blob(r.manifest.config.digest), name);
      if (!oci::platform_matches(r.want, r.platform)) {
        errors.messages.push_back(name + ": the image is for " + r.platform.str() + ", not " + r.want.str() +
                                  " (it is not a multi-platform image)");
        errors.input = true;
        continue;
      }
    }
    if (!r.named) names.emplace_back(name, r.top);
    out.push_back({name, r.manifest_digest, r.platform.str(), r.top.digest});
    log_.verbose(name + " " + r.manifest_digest + (r.from_cache ? " (cached)" : ""));
  }
  errors.rethrow();
  if (!names.empty()) cache_.set_refs(names);
  return out;
}

}  // namespace lk::pull
