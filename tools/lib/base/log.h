#pragma once
// Diagnostics go to stderr; stdout is reserved for the tool's data stream.
#include <string>

namespace lk {

class Log {
public:
  enum Level { kQuiet = 0, kNormal = 1, kVerbose = 2, kDebug = 3 };
  Log(std::string tool, Level level) : tool_(std::move(tool)), level_(level) {}

  void info(const std::string& msg) const;
  void warn(const std::string& msg) const;
  void verbose(const std::string& msg) const;
  Level level() const { return level_; }
  const std::string& tool() const { return tool_; }

private:
  std::string tool_;
  Level level_;
};

}  // namespace lk
