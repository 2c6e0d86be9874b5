#pragma once
// JSON Web Tokens signed with RS256 (RSASSA-PKCS1-v1_5 over SHA-256), as Google's
// OAuth server expects for a service account's token request.
#include <nlohmann/json.hpp>
#include <string>

namespace lk::gcp {

// header.claims.signature, each part base64url; PRIVATE_KEY_PEM is an RSA key in PEM
// (PKCS#8 "PRIVATE KEY" as in service-account files, or PKCS#1 "RSA PRIVATE KEY").
// Throws InputError when the key cannot be read.
std::string jwt_sign_rs256(const nlohmann::json& claims, const std::string& private_key_pem);

// Checks an RS256 token's signature against PUBLIC_KEY_PEM and returns its claims;
// throws InputError when malformed or the signature does not match. (Used by tests and
// for checking keys; lk itself never receives JWTs.)
nlohmann::json jwt_verify_rs256(const std::string& token, const std::string& public_key_pem);

}  // namespace lk::gcp
