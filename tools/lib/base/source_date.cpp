#include "base/source_date.h"

#include <cstdlib>
#include <string>

#include "base/error.h"

namespace lk {

int64_t source_date_epoch() {
  const char* s = std::getenv("SOURCE_DATE_EPOCH");
  if (!s || !*s) return 0;
  char* end = nullptr;
  long long v = std::strtoll(s, &end, 10);
  if (*end || v < 0)
    throw InputError("SOURCE_DATE_EPOCH must be a non-negative integer, got \"" + std::string(s) + "\"");
  return v;
}

}  // namespace lk
