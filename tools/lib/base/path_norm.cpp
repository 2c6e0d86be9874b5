#include "base/path_norm.h"

#include <algorithm>

#include "base/error.h"

namespace lk {

std::string member_path_problem(std::string_view raw) {
  if (!raw.empty() && raw[0] == '/') return "has an absolute path";
  if (raw.find('\0') != std::string_view::npos) return "contains a NUL byte";
  for (size_t i = 0; i <= raw.size();) {
    size_t j = std::min(raw.find('/', i), raw.size());
    if (raw.substr(i, j - i) == "..") return "leaves the root (\"..\")";
    i = j + 1;
  }
  return "";
}

std::string clean_member_path(std::string_view raw, const std::string& where) {
  if (std::string why = member_path_problem(raw); !why.empty())
    throw RuntimeError(where + ": entry \"" + std::string(raw.substr(0, raw.find('\0'))) + "\" " + why);
  std::string out;
  for (size_t i = 0; i <= raw.size();) {
    size_t j = std::min(raw.find('/', i), raw.size());
    std::string_view part = raw.substr(i, j - i);
    if (!part.empty() && part != ".") {
      if (!out.empty()) out += '/';
      out.append(part);
    }
    i = j + 1;
  }
  return out;
}

std::string parent_path(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash));
}

std::string_view base_name(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string join_member(const std::string& prefix, const std::string& path) {
  if (path.empty()) return prefix.empty() ? "" : prefix.substr(0, prefix.size() - 1);
  return prefix + path;
}

}  // namespace lk
