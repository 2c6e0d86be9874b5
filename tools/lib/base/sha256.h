#pragma once
// Streaming SHA-256 (OpenSSL EVP) and the "sha256:<hex>" digests OCI uses.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace lk {

class Sha256 {
public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, size_t len);
  void update(std::string_view s) { update(s.data(), s.size()); }
  std::string hex();  // finishes the hash

private:
  struct Free {
    void operator()(evp_md_ctx_st* c) const;
  };
  std::unique_ptr<evp_md_ctx_st, Free> ctx_;
};

std::string sha256_hex(std::string_view data);

// The hex SHA-256 of a whole file, read with a fixed buffer (blobs can be large); SIZE,
// when given, gets the number of bytes read.
std::string sha256_file(const std::string& path, int64_t* size = nullptr);

}  // namespace lk
