#pragma once
// Collects every problem found in the input so the user sees them all at once,
// each as FILE:LINE:COLUMN: KEY.PATH: message.
#include <string>
#include <string_view>
#include <vector>

namespace lk {

// TEXT in double quotes as a message can show it: a NUL or a control character would
// otherwise vanish or garble the terminal (\xNN), and quotes are escaped.
std::string quoted(std::string_view text);

struct SourcePos {
  std::string file;
  int line = 0;             // 1-based; 0 when unknown
  int column = 0;           // 1-based
  std::string str() const;  // "file:line:col" (or "file" alone when the position is unknown)
};

class Diagnostics {
public:
  static constexpr size_t kMaxErrors = 50;

  void error(const SourcePos& pos, const std::string& path, const std::string& msg);
  // WHERE is an already formatted "file:line:col".
  void error_at(const std::string& where, const std::string& path, const std::string& msg) {
    error(SourcePos{where, 0, 0}, path, msg);
  }
  bool empty() const { return errors_.empty(); }
  size_t count() const { return total_; }
  // Throws InputError listing every error (up to kMaxErrors) when there is any.
  void throw_if_any() const;

private:
  std::vector<std::string> errors_;
  size_t total_ = 0;
};

}  // namespace lk
