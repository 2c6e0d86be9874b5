#pragma once
// String helpers every area shares.
#include <string>
#include <string_view>
#include <vector>

namespace lk {

// S cut at every SEP, empty parts kept: "a::b" -> {"a", "", "b"}; "" -> {""}.
std::vector<std::string> split(std::string_view s, char sep);

// S without the whitespace (space, tab, CR, LF, VT, FF) at either end.
std::string_view trim(std::string_view s);

}  // namespace lk
