#include "base/units.h"

#include <cerrno>
#include <cstdlib>

#include "base/error.h"

namespace lk {

uint64_t parse_size(const std::string& text, const std::string& what) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  std::string unit = end ? end : "";
  // "G", "GB" and "GiB" all mean 2^30: disk sizes are never decimal here.
  if (unit.size() >= 2 && (unit.back() == 'B' || unit.back() == 'b')) unit.pop_back();
  if (unit.size() == 2 && unit.back() == 'i') unit.pop_back();
  int shift = unit.empty()                 ? 0
              : unit == "K" || unit == "k" ? 10
              : unit == "M" || unit == "m" ? 20
              : unit == "G" || unit == "g" ? 30
              : unit == "T" || unit == "t" ? 40
                                           : -1;
  if (end == text.c_str() || text[0] == '-' || errno == ERANGE || shift < 0 || (shift && v > (~0ull >> shift)))
    throw InputError(what + " \"" + text + "\" must be a number with an optional K, M, G or T");
  return static_cast<uint64_t>(v) << shift;
}

}  // namespace lk
