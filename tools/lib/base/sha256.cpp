#include "base/sha256.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "base/error.h"
#include "base/fs.h"

namespace lk {

void Sha256::Free::operator()(evp_md_ctx_st* c) const { EVP_MD_CTX_free(c); }

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) throw RuntimeError("sha256: init failed");
}

Sha256::~Sha256() = default;

void Sha256::update(const void* data, size_t len) {
  if (EVP_DigestUpdate(ctx_.get(), data, len) != 1) throw RuntimeError("sha256: update failed");
}

std::string Sha256::hex() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_DigestFinal_ex(ctx_.get(), md, &n) != 1) throw RuntimeError("sha256: final failed");
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (unsigned i = 0; i < n; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.hex();
}

std::string sha256_file(const std::string& path, int64_t* size) {
  Sha256 h;
  int64_t total = 0;
  read_chunks(path, [&](const char* data, size_t n) {
    h.update(data, n);
    total += static_cast<int64_t>(n);
  });
  if (size) *size = total;
  return h.hex();
}

}  // namespace lk
