#pragma once
// Base64 (RFC 4648): the standard alphabet with padding, and the URL-safe one without
// padding that JWTs use.
#include <string>
#include <string_view>

namespace lk {

std::string base64_encode(std::string_view data);
std::string base64url_encode(std::string_view data);  // '-' '_' and no '=' padding

// Accepts either alphabet, with or without padding; throws InputError on anything else.
std::string base64_decode(std::string_view text);

}  // namespace lk
