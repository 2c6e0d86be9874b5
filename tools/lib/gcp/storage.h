#pragma once
// Cloud Storage: check a bucket, and upload a file with the resumable protocol
// (session URI, chunks in multiples of 256 KiB, ask the server where to resume after
// any failure instead of starting over).
#include <cstdint>
#include <functional>
#include <string>

#include "gcp/api.h"

namespace lk::gcp {

inline constexpr const char* kDefaultStorageUrl = "https://storage.googleapis.com";
inline constexpr int64_t kChunkQuantum = 256 * 1024;  // chunks must be multiples of this

void check_bucket(Api& api, const std::string& storage_url, const std::string& bucket);

// https://storage.googleapis.com/BUCKET/OBJECT: how images.insert names the tarball.
std::string object_url(const std::string& storage_url, const std::string& bucket, const std::string& object);

// "bytes=0-1048575" -> 1048576 (the next byte to send); 0 when absent or unparsable.
int64_t parse_range_end(const std::string& range_header);

// CHUNK rounded down to a multiple of 256 KiB (at least one quantum).
int64_t aligned_chunk_size(int64_t chunk);

struct UploadOptions {
  int64_t chunk_size = 16 * 1024 * 1024;
  bool public_read = false;  // predefinedAcl=publicRead
  std::string content_type = "application/gzip";
  int max_session_restarts = 2;  // a session the server forgot (404/410) starts over
  std::function<void(int64_t done, int64_t total)> progress;
};

// Uploads PATH to gs://BUCKET/OBJECT; returns the object's metadata from the server.
nlohmann::json upload_resumable(Api& api, const std::string& storage_url, const std::string& bucket,
                                const std::string& object, const std::string& path, const UploadOptions& opts);

}  // namespace lk::gcp
