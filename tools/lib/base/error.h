#pragma once
// Errors carry their exit status: 2 for bad input or usage, 1 for a runtime failure.
// They are thrown where the problem is found and caught once, in run_tool().
#include <stdexcept>
#include <string>

namespace lk {

enum ExitCode { kExitOk = 0, kExitRuntime = 1, kExitInput = 2 };

class Error : public std::runtime_error {
public:
  Error(ExitCode code, const std::string& what) : std::runtime_error(what), code_(code) {}
  ExitCode code() const { return code_; }

private:
  ExitCode code_;
};

// Bad input: a malformed spec, a bad flag, an invalid reference.
struct InputError : Error {
  explicit InputError(const std::string& what) : Error(kExitInput, what) {}
};

// Something failed while doing the work: I/O, network, a child process.
struct RuntimeError : Error {
  explicit RuntimeError(const std::string& what) : Error(kExitRuntime, what) {}
};

// Throws RuntimeError with strerror(errno) appended.
[[noreturn]] void throw_errno(const std::string& what);

}  // namespace lk
