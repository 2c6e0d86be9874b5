#pragma once
// Building URLs and form bodies.
#include <string>
#include <string_view>

namespace lk::http {

// Percent-encodes everything but RFC 3986's unreserved characters: for query values,
// form fields and object names in paths.
std::string url_escape(std::string_view s);

}  // namespace lk::http
