#pragma once
// The boot sequence of lk-init as PID 1.

namespace lkinit {

// Never returns: ends in shutdown() (a signal, or a fatal error).
[[noreturn]] void run_init();

}  // namespace lkinit
