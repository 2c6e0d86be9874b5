#pragma once
// Member names from untrusted archives, made safe to join under a prefix: no
// absolute paths, no "..", no "." or empty components, no trailing slash.
#include <string>
#include <string_view>

namespace lk {

// The clean relative form of RAW ("" for the archive's root, "./" or "."). Throws
// RuntimeError naming WHERE (image and layer) for absolute paths and "..".
std::string clean_member_path(std::string_view raw, const std::string& where);

// "a/b/c" -> "a/b"; "a" -> "".
std::string parent_path(std::string_view path);
std::string_view base_name(std::string_view path);

// PREFIX + PATH where PREFIX is "" or ends in '/'; "" for PATH gives PREFIX without its slash.
std::string join_member(const std::string& prefix, const std::string& path);

}  // namespace lk
