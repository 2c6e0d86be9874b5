#include "pull/push.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.h"
#include "base/fs.h"

namespace lk::pull {

namespace {

struct Pusher {
  oci::OciLayout& cache;
  Registry& reg;
  const oci::Reference& dest;
  const PushOptions& opts;
  const Log& log;
  Progress& progress;
  http::Client client;
  std::string base;

  std::string path(const std::string& rest) const { return "/v2/" + dest.path + rest; }

  http::Response send(http::Request req, const std::string& p, const std::string& what) {
    return reg.send_retrying(client, base, dest.domain, dest.path, "pull,push", req, p, what);
  }

  [[noreturn]] void fail(const std::string& what, const http::Response& r) {
    std::string body = r.body.substr(0, 300);
    throw RuntimeError(dest.str() + ": " + what + " failed with HTTP " + std::to_string(r.status) +
                       (body.empty() ? "" : ": " + body));
  }

  // Upload session URL from a Location header (relative or absolute).
  std::string location(const http::Response& r, const std::string& what) {
    std::string loc = r.header("location");
    if (loc.empty()) throw RuntimeError(dest.str() + ": " + what + ": the registry gave no upload location");
    if (loc.starts_with("/")) loc = base + loc;
    return loc;
  }

  static std::string with_query(const std::string& url, const std::string& q) {
    return url + (url.find('?') == std::string::npos ? "?" : "&") + q;
  }

  void blob(const oci::Descriptor& d) {
    http::Request head;
    head.method = "HEAD";
    auto r = send(head, path("/blobs/" + d.digest), "blob " + d.digest);
    if (r.status == 200) {
      log.verbose(dest.str() + ": blob " + d.digest + " already there");
      return;
    }
    if (r.status != 404) fail("checking blob " + d.digest, r);
    std::string file = cache.blob_path(d.digest);
    Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw RuntimeError(dest.str() + ": blob " + d.digest + " is not in the cache");
    http::Request start;
    start.method = "POST";
    r = send(start, path("/blobs/uploads/"), "upload of " + d.digest);
    if (r.status != 202) fail("starting the upload of " + d.digest, r);
    std::string url = location(r, "upload of " + d.digest);
    progress.start(d.digest, d.digest.substr(7, 12), d.size);
    int64_t off = 0;
    auto reader_for = [&](int64_t from, int64_t len) {
      auto pos = std::make_shared<int64_t>(from);
      int64_t end = from + len;
      int f = fd.get();
      return [pos, end, f, this, &d](char* buf, size_t n) -> size_t {
        size_t want = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(n), end - *pos));
        if (want == 0) return 0;
        ssize_t got = ::pread(f, buf, want, *pos);
        if (got <= 0) return 0;
        *pos += got;
        progress.advance(d.digest, got);
        return static_cast<size_t>(got);
      };
    };
    if (d.size > opts.chunk_size) {
      while (off < d.size) {
        int64_t len = std::min(opts.chunk_size, d.size - off);
        http::Request patch;
        patch.method = "PATCH";
        patch.headers = {"Content-Type: application/octet-stream",
                         "Content-Range: " + std::to_string(off) + "-" + std::to_string(off + len - 1)};
        patch.body_reader = reader_for(off, len);
        patch.body_size = len;
        // A chunk is not retried: the session's offset would be unknown.
        auto pr = reg.send(client, base, dest.domain, dest.path, "pull,push", patch, url);
        if (pr.status != 202) fail("uploading a chunk of " + d.digest, pr);
        url = location(pr, "upload of " + d.digest);
        off += len;
      }
      http::Request put;
      put.method = "PUT";
      put.headers = {"Content-Type: application/octet-stream"};
      r = reg.send(client, base, dest.domain, dest.path, "pull,push", put, with_query(url, "digest=" + d.digest));
    } else {
      http::Request put;
      put.method = "PUT";
      put.headers = {"Content-Type: application/octet-stream"};
      put.body_reader = reader_for(0, d.size);
      put.body_size = d.size;
      r = reg.send(client, base, dest.domain, dest.path, "pull,push", put, with_query(url, "digest=" + d.digest));
    }
    progress.finish(d.digest);
    if (r.status != 201) fail("finishing the upload of " + d.digest, r);
  }

  void manifest(const std::string& bytes, const std::string& media_type, const std::string& ref) {
    http::Request put;
    put.method = "PUT";
    put.headers = {"Content-Type: " + media_type};
    put.body = bytes;
    auto r = send(put, path("/manifests/" + ref), "manifest " + ref);
    if (r.status != 201 && r.status != 200) fail("putting manifest " + ref, r);
  }

  // Pushes one image manifest and what it references; TAG "" pushes it by digest.
  void image(const oci::Descriptor& d, const std::string& tag) {
    std::string bytes = cache.read_blob(d.digest);
    auto m = oci::parse_manifest(bytes, dest.str());
    blob(m.config);
    for (const auto& l : m.layers) blob(l);
    manifest(bytes, oci::detect_media_type(bytes, d.media_type, dest.str()), tag.empty() ? d.digest : tag);
  }
};

}  // namespace

std::string push_image(oci::OciLayout& cache, Registry& registry, const std::string& source, const oci::Reference& dest,
                       const PushOptions& opts, const Log& log, Progress& progress) {
  auto entry = cache.lookup(source);
  if (!entry) throw InputError("push: " + source + " is not in the cache " + cache.dir());
  Pusher p{cache, registry, dest, opts, log, progress, {}, ""};
  p.base = registry.endpoints(dest.domain, p.client).back();
  std::string tag = dest.digest.empty() ? dest.tag : dest.digest;
  std::string bytes = cache.read_blob(entry->digest);
  std::string type = oci::detect_media_type(bytes, entry->media_type, source);
  if (!oci::is_index_type(type)) {
    p.image(oci::Descriptor{type, entry->digest, entry->size}, tag);
    progress.clear();
    return entry->digest;
  }
  auto index = oci::parse_index(bytes, source);
  bool complete = true;
  for (const auto& c : index.manifests) complete = complete && cache.has_blob(c.digest);
  if (complete) {
    for (const auto& c : index.manifests) p.image(c, "");
    p.manifest(bytes, type, tag);
    progress.clear();
    return entry->digest;
  }
  // Only some platforms were pulled: the index cannot go up whole.
  const auto& c = oci::select_platform(index, opts.platform, source);
  log.warn("push: " + source + " holds only some platforms of its index; pushing the " + c.platform->str() +
           " image alone");
  p.image(c, tag);
  progress.clear();
  return c.digest;
}

}  // namespace lk::pull
