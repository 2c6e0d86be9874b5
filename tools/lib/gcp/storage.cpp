#include "gcp/storage.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"
#include "base/fs.h"
#include "gcp/http.h"

namespace lk::gcp {

namespace {

const std::string kWhat = "storage upload";

// One resumable session: its URI, and the offset the server has confirmed.
class UploadSession {
public:
  UploadSession(Api& api, std::string url, int fd, int64_t size)
      : api_(api), url_(std::move(url)), fd_(fd), size_(size) {}

  // Sends [offset, offset+len); the server's answer, or nothing when the connection failed.
  std::optional<http::Response> put_chunk(int64_t offset, int64_t len) {
    http::Request req;
    req.method = "PUT";
    req.url = url_;
    // "Expect:" stops curl from waiting for a 100-continue the server may never send.
    req.headers = {"Content-Range: bytes " + std::to_string(offset) + "-" + std::to_string(offset + len - 1) + "/" +
                       std::to_string(size_),
                   "Expect:"};
    int64_t pos = offset, end = offset + len;
    int read_errno = 0;
    req.body_size = len;
    req.body_reader = [&](char* buf, size_t n) -> size_t {
      size_t want = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(n), end - pos));
      if (want == 0) return 0;
      for (;;) {
        ssize_t got = ::pread(fd_, buf, want, pos);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
          read_errno = got < 0 ? errno : EIO;  // the file shrank under us
          return CURL_READFUNC_ABORT;
        }
        pos += got;
        return static_cast<size_t>(got);
      }
    };
    try {
      return api_.send_once(std::move(req));
    } catch (const RuntimeError& e) {
      if (read_errno) throw RuntimeError(kWhat + ": reading the image: " + std::strerror(read_errno));
      api_.log().verbose(kWhat + ": chunk at " + std::to_string(offset) + ": " + e.what());
      return std::nullopt;
    }
  }

  // Asks how much the server holds (after a failure).
  std::optional<http::Response> query() {
    http::Request req;
    req.method = "PUT";
    req.url = url_;
    req.headers = {"Content-Range: bytes */" + std::to_string(size_)};
    try {
      return api_.send_once(std::move(req));
    } catch (const RuntimeError& e) {
      api_.log().verbose(kWhat + ": status query: " + e.what());
      return std::nullopt;
    }
  }

private:
  Api& api_;
  std::string url_;
  int fd_;
  int64_t size_;
};

std::string start_session(Api& api, const std::string& storage_url, const std::string& bucket,
                          const std::string& object, int64_t size, const UploadOptions& opts) {
  http::Request req;
  req.method = "POST";
  req.url = storage_url + "/upload/storage/v1/b/" + http::url_escape(bucket) +
            "/o?uploadType=resumable&name=" + http::url_escape(object) +
            (opts.public_read ? "&predefinedAcl=publicRead" : "");
  req.headers = {"Content-Type: application/json; charset=UTF-8", "X-Upload-Content-Type: " + opts.content_type,
                 "X-Upload-Content-Length: " + std::to_string(size)};
  req.body = nlohmann::json{{"name", object}, {"contentType", opts.content_type}}.dump();
  auto resp = api.send("storage.objects.insert (resumable)", req);
  if (resp.status != 200 && resp.status != 201) throw http_error("storage.objects.insert (resumable)", resp);
  std::string location = resp.header("location");
  if (location.empty()) throw RuntimeError("storage.objects.insert (resumable): no session URI in the response");
  return location;
}

}  // namespace

void check_bucket(Api& api, const std::string& storage_url, const std::string& bucket) {
  http::Request req;
  req.url = storage_url + "/storage/v1/b/" + http::url_escape(bucket);
  auto resp = api.send("storage.buckets.get", req);
  if (resp.status == 404)
    throw InputError("bucket \"" + bucket + "\" does not exist (HTTP 404: " + error_message(resp) +
                     "); create it with `gcloud storage buckets create gs://" + bucket + "` or set --bucket");
  if (resp.status == 403)
    throw InputError("these credentials may not use bucket \"" + bucket + "\" (HTTP 403: " + error_message(resp) + ")");
  if (resp.status != 200) throw http_error("storage.buckets.get", resp);
}

std::string object_url(const std::string& storage_url, const std::string& bucket, const std::string& object) {
  std::string escaped = http::url_escape(object);
  for (size_t p; (p = escaped.find("%2F")) != std::string::npos;) escaped.replace(p, 3, "/");
  return storage_url + "/" + bucket + "/" + escaped;
}

int64_t parse_range_end(const std::string& range) {
  auto dash = range.rfind('-');
  if (range.rfind("bytes=", 0) != 0 || dash == std::string::npos) return 0;
  try {
    size_t used = 0;
    long long last = std::stoll(range.substr(dash + 1), &used);
    return used == range.size() - dash - 1 && last >= 0 ? last + 1 : 0;
  } catch (const std::exception&) {
    return 0;
  }
}

int64_t aligned_chunk_size(int64_t chunk) {
  return std::max<int64_t>(kChunkQuantum, chunk / kChunkQuantum * kChunkQuantum);
}

nlohmann::json upload_resumable(Api& api, const std::string& storage_url, const std::string& bucket,
                                const std::string& object, const std::string& path, const UploadOptions& opts) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw InputError(path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw_errno(path);
  const int64_t size = st.st_size;
  if (size == 0) throw InputError(path + ": empty file");
  const int64_t chunk = aligned_chunk_size(opts.chunk_size);

  for (int restarts = 0;; ++restarts) {
    UploadSession session(api, start_session(api, storage_url, bucket, object, size, opts), fd.get(), size);
    int64_t offset = 0;
    http::Backoff backoff(api.retry_policy());  // counts failures in a row; progress resets it
    bool expired = false;
    std::optional<http::Response> resp = session.put_chunk(0, std::min(chunk, size));
    for (;;) {
      if (resp && (resp->status == 200 || resp->status == 201)) {
        if (opts.progress) opts.progress(size, size);
        return parse_json_body(kWhat, *resp);
      }
      if (resp && resp->status == 308) {
        int64_t confirmed = parse_range_end(resp->header("range"));
        if (confirmed > offset)
          backoff = http::Backoff(api.retry_policy());
        else if (!backoff.next())
          throw RuntimeError(kWhat + ": no progress: the server keeps holding " + std::to_string(confirmed) + " of " +
                             std::to_string(size) + " bytes");
        offset = confirmed;
        if (opts.progress) opts.progress(offset, size);
        if (offset >= size) {  // all there, yet not finalised: ask again
          if (!backoff.next()) throw RuntimeError(kWhat + ": the server holds every byte but does not finish");
          resp = session.query();
          continue;
        }
        resp = session.put_chunk(offset, std::min(chunk, size - offset));
        continue;
      }
      if (resp && (resp->status == 404 || resp->status == 410)) {
        expired = true;
        break;
      }
      if (resp && !http::is_retryable_status(resp->status)) throw http_error(kWhat, *resp);
      // A dropped connection or a 5xx: wait, then ask the server what it kept.
      if (!backoff.next())
        throw resp ? http_error(kWhat, *resp)
                   : RuntimeError(kWhat + ": the connection keeps failing (at byte " + std::to_string(offset) + " of " +
                                  std::to_string(size) + ")");
      api.log().info("upload interrupted at byte " + std::to_string(offset) + "; resuming");
      resp = session.query();
    }
    if (expired && restarts >= opts.max_session_restarts)
      throw RuntimeError(kWhat + ": the upload session keeps expiring (HTTP 404/410)");
    api.log().info("upload session expired; starting over");
  }
}

}  // namespace lk::gcp
