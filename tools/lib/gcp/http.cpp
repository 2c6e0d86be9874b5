#include "gcp/http.h"

#include <openssl/rand.h>

#include <nlohmann/json.hpp>

namespace lk::gcp {

std::string error_message(const http::Response& resp) {
  auto j = nlohmann::json::parse(resp.body, nullptr, false);
  if (j.is_object() && j.contains("error")) {
    const auto& e = j["error"];
    if (e.is_object()) {
      std::string msg = e.value("message", "");
      std::string reason;
      if (e.contains("errors") && e["errors"].is_array() && !e["errors"].empty() && e["errors"][0].is_object())
        reason = e["errors"][0].value("reason", "");
      if (reason.empty()) reason = e.value("status", "");
      if (!reason.empty()) msg += (msg.empty() ? "" : " ") + std::string("(") + reason + ")";
      if (!msg.empty()) return msg;
    } else if (e.is_string()) {
      std::string desc = j.value("error_description", "");
      return e.get<std::string>() + (desc.empty() ? "" : ": " + desc);
    }
  }
  std::string line = resp.body.substr(0, resp.body.find('\n'));
  if (line.size() > 200) line = line.substr(0, 200) + "...";
  return line.empty() ? "(empty response)" : line;
}

RuntimeError http_error(const std::string& what, const http::Response& resp) {
  return RuntimeError(what + ": HTTP " + std::to_string(resp.status) + ": " + error_message(resp));
}

std::string random_uuid() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) throw RuntimeError("random_uuid: no randomness available");
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 15]);
  }
  return out;
}

}  // namespace lk::gcp
