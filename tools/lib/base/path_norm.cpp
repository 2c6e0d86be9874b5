#include "base/path_norm.h"

#include "base/error.h"

namespace lk {

std::string clean_member_path(std::string_view raw, const std::string& where) {
  if (!raw.empty() && raw[0] == '/')
    throw RuntimeError(where + ": entry \"" + std::string(raw) + "\" has an absolute path");
  std::string out;
  size_t i = 0;
  while (i <= raw.size()) {
    size_t j = raw.find('/', i);
    if (j == std::string_view::npos) j = raw.size();
    std::string_view part = raw.substr(i, j - i);
    if (part == "..") throw RuntimeError(where + ": entry \"" + std::string(raw) + "\" leaves the root (\"..\")");
    if (!part.empty() && part != ".") {
      if (!out.empty()) out += '/';
      out.append(part);
    }
    i = j + 1;
  }
  if (out.find('\0') != std::string::npos) throw RuntimeError(where + ": entry name contains a NUL byte");
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
