#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>

#include "base/base64.h"
#include "base/error.h"
#include "gcp/jwt.h"

namespace {

struct TestKey {
  std::string private_pem, public_pem;
};

// A fresh RSA key per run: no private key lives in the repository.
TestKey make_key() {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(2048), EVP_PKEY_free);
  REQUIRE(key);
  auto pem = [&](bool priv) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    if (priv)
      PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    else
      PEM_write_bio_PUBKEY(bio.get(), key.get());
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(len));
  };
  return {pem(true), pem(false)};
}

const TestKey& test_key() {
  static const TestKey key = make_key();
  return key;
}

}  // namespace

TEST_CASE("jwt: an RS256 token verifies with the public key and carries the claims") {
  nlohmann::json claims = {{"iss", "sa@p.iam.gserviceaccount.com"},
                           {"aud", "https://oauth2.googleapis.com/token"},
                           {"iat", 1700000000},
                           {"exp", 1700003600}};
  auto token = lk::gcp::jwt_sign_rs256(claims, test_key().private_pem);
  auto dot = token.find('.');
  CHECK(lk::base64_decode(token.substr(0, dot)) == R"({"alg":"RS256","typ":"JWT"})");
  CHECK(token.find('=') == std::string::npos);  // base64url without padding throughout
  CHECK(lk::gcp::jwt_verify_rs256(token, test_key().public_pem) == claims);
  // RSASSA-PKCS1-v1_5 is deterministic: the same claims give the same token.
  CHECK(lk::gcp::jwt_sign_rs256(claims, test_key().private_pem) == token);
}

TEST_CASE("jwt: a changed claim or a foreign key fails verification") {
  auto token = lk::gcp::jwt_sign_rs256({{"iss", "a"}}, test_key().private_pem);
  auto d1 = token.find('.'), d2 = token.rfind('.');
  std::string forged = token.substr(0, d1 + 1) + lk::base64url_encode(R"({"iss":"b"})") + token.substr(d2);
  CHECK_THROWS_AS(lk::gcp::jwt_verify_rs256(forged, test_key().public_pem), lk::InputError);
  auto other = make_key();
  CHECK_THROWS_AS(lk::gcp::jwt_verify_rs256(token, other.public_pem), lk::InputError);
  CHECK_THROWS_AS(lk::gcp::jwt_verify_rs256("not.a-token", test_key().public_pem), lk::InputError);
}

TEST_CASE("jwt: an unreadable private key is an input error") {
  CHECK_THROWS_AS(
      lk::gcp::jwt_sign_rs256({{"iss", "a"}}, "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n"),
      lk::InputError);
  CHECK_THROWS_AS(lk::gcp::jwt_sign_rs256({{"iss", "a"}}, ""), lk::InputError);
}
