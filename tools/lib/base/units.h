#pragma once
#include <cstdint>
#include <string>

namespace lk {

// "512M", "2G", "1048576" -> bytes (K, M, G, T are powers of 1024); throws InputError
// naming WHAT.
uint64_t parse_size(const std::string& text, const std::string& what = "size");

}  // namespace lk
