#include "container_id.h"

namespace lk {

bool is_container_id(std::string_view name) {
  if (name.empty() || name == "." || name == "..") return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '+' ||
              c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace lk
