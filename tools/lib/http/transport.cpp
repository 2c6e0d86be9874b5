#include "http/transport.h"

namespace lk::http {

std::string Response::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

}  // namespace lk::http
