#include "base/diagnostics.h"

#include "base/error.h"

namespace lk {

std::string SourcePos::str() const {
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

void Diagnostics::error(const SourcePos& pos, const std::string& path, const std::string& msg) {
  ++total_;
  if (errors_.size() >= kMaxErrors) return;
  errors_.push_back(pos.str() + ": " + (path.empty() ? "" : path + ": ") + msg);
}

void Diagnostics::throw_if_any() const {
  if (errors_.empty()) return;
  std::string all;
  for (size_t i = 0; i < errors_.size(); ++i) {
    if (i) all += "\n";
    all += errors_[i];
  }
  if (total_ > errors_.size()) all += "\n... and " + std::to_string(total_ - errors_.size()) + " more errors";
  throw InputError(all);
}

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

}  // namespace lk
