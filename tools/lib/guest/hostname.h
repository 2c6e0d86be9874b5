#pragma once
// How the guest names itself: /etc/hostname when it says something, else lk-<MAC>
// (LinuxKit's rule, with lk- for linuxkit-), else plain "lk".
#include <string>
#include <string_view>

namespace lk::guest {

// "52:54:00:12:34:56" -> "lk-525400123456"; "" for an empty or all-zero address.
std::string hostname_from_mac(std::string_view mac);

// The first non-empty, non-comment line of an /etc/hostname file, trimmed; "" if none.
std::string hostname_from_file(std::string_view contents);

// /etc/hostname's name if any, else one from the MAC, else "lk".
std::string choose_hostname(std::string_view hostname_file, std::string_view mac);

}  // namespace lk::guest
