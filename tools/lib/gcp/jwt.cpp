#include "gcp/jwt.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>

#include "base/base64.h"
#include "base/error.h"

namespace lk::gcp {

namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

std::unique_ptr<BIO, BioFree> memory_bio(const std::string& pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) throw RuntimeError("jwt: out of memory");
  return bio;
}

Pkey load_private(const std::string& pem) {
  auto bio = memory_bio(pem);
  // A null password callback with no password: an encrypted key fails instead of prompting.
  Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, const_cast<char*>("")));
  if (!key) throw InputError("jwt: the private key is not a readable PEM key");
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) throw InputError("jwt: the private key is not an RSA key");
  return key;
}

Pkey load_public(const std::string& pem) {
  auto bio = memory_bio(pem);
  Pkey key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key) throw InputError("jwt: the public key is not a readable PEM key");
  return key;
}

MdCtx new_ctx() {
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx) throw RuntimeError("jwt: out of memory");
  return ctx;
}

}  // namespace

std::string jwt_sign_rs256(const nlohmann::json& claims, const std::string& private_key_pem) {
  auto key = load_private(private_key_pem);
  std::string input = base64url_encode(R"({"alg":"RS256","typ":"JWT"})") + "." + base64url_encode(claims.dump());
  auto ctx = new_ctx();
  size_t len = 0;
  if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
    throw RuntimeError("jwt: signing failed");
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
    throw RuntimeError("jwt: signing failed");
  sig.resize(len);
  return input + "." + base64url_encode(sig);
}

nlohmann::json jwt_verify_rs256(const std::string& token, const std::string& public_key_pem) {
  auto d1 = token.find('.');
  auto d2 = d1 == std::string::npos ? d1 : token.find('.', d1 + 1);
  if (d2 == std::string::npos) throw InputError("jwt: not three dot-separated parts");
  auto header = nlohmann::json::parse(base64_decode(token.substr(0, d1)), nullptr, false);
  if (header.is_discarded() || header.value("alg", "") != "RS256") throw InputError("jwt: header is not RS256");
  std::string input = token.substr(0, d2);
  std::string sig = base64_decode(token.substr(d2 + 1));
  auto key = load_public(public_key_pem);
  auto ctx = new_ctx();
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
    throw InputError("jwt: signature does not verify");
  auto claims = nlohmann::json::parse(base64_decode(token.substr(d1 + 1, d2 - d1 - 1)), nullptr, false);
  if (claims.is_discarded() || !claims.is_object()) throw InputError("jwt: claims are not a JSON object");
  return claims;
}

}  // namespace lk::gcp
