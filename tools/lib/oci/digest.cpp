#include "oci/digest.h"

#include "base/error.h"

namespace lk::oci {

std::string digest_problem(const std::string& s) {
  auto colon = s.find(':');
  if (colon == std::string::npos || colon == 0) return "is not ALGORITHM:HEX";
  if (s.compare(0, colon, "sha256") != 0)
    return "uses algorithm \"" + s.substr(0, colon) + "\" (lk accepts only sha256)";
  std::string hex = s.substr(colon + 1);
  if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdef") != std::string::npos)
    return "is not sha256: and 64 lower-case hex digits";
  return "";
}

const std::string& check_digest(const std::string& s, const std::string& where) {
  if (auto why = digest_problem(s); !why.empty()) throw InputError(where + ": digest \"" + s + "\" " + why);
  return s;
}

}  // namespace lk::oci
