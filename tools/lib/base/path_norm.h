#pragma once
// Member names from untrusted archives, made safe to join under a prefix: no
// absolute paths, no "..", no "." or empty components, no trailing slash.
#include <string>
#include <string_view>

namespace lk {

// The one policy for a member name: a name that would leave the root (absolute, "..",
// a NUL byte) is refused, never rewritten. Returns why RAW is refused ("has an absolute
// path"...), or "" when it is a member name.
std::string member_path_problem(std::string_view raw);

// The clean relative form of RAW ("" for the archive's root, "./" or "."). Throws
// RuntimeError naming WHERE (image and layer) when member_path_problem(RAW) says why.
std::string clean_member_path(std::string_view raw, const std::string& where);

// "a/b/c" -> "a/b"; "a" -> "".
std::string parent_path(std::string_view path);
std::string_view base_name(std::string_view path);

// PREFIX + PATH where PREFIX is "" or ends in '/'; "" for PATH gives PREFIX without its slash.
std::string join_member(const std::string& prefix, const std::string& path);

}  // namespace lk
