#pragma once
// The kernel command line as the guest's init reads it: words separated by blanks,
// double quotes group a value with spaces (console="ttyS0 x"), key=value or bare flags.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lk::guest {

class Cmdline {
public:
  struct Param {
    std::string key;
    std::optional<std::string> value;  // unset for a bare flag such as "quiet"
  };

  static Cmdline parse(std::string_view text);

  // The value of the last KEY=... (the kernel's rule: later words win); nullopt when absent.
  std::optional<std::string> value(std::string_view key) const;
  // KEY or KEY=VALUE present, and VALUE not one of 0, false, no, off.
  bool flag(std::string_view key) const;
  const std::vector<Param>& params() const { return params_; }

private:
  std::vector<Param> params_;
};

}  // namespace lk::guest
