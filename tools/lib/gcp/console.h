#pragma once
// Follows an instance's serial console (getSerialPortOutput with start= offsets) until
// the instance stops or the user presses Ctrl-C.
#include <chrono>
#include <string>

#include "base/log.h"
#include "gcp/compute.h"

namespace lk::gcp {

// While alive, SIGINT and SIGTERM only set a flag, so the caller can clean up (delete
// the instance) before exiting; a second signal exits at once.
class InterruptWatch {
public:
  InterruptWatch();
  ~InterruptWatch();
  InterruptWatch(const InterruptWatch&) = delete;
  InterruptWatch& operator=(const InterruptWatch&) = delete;
  bool requested() const;
  // Sleeps for D, waking early on a signal.
  void sleep(std::chrono::milliseconds d) const;
};

enum class ConsoleEnd { kStopped, kGone, kInterrupted };

// Writes the console to OUT_FD as it grows; notes on stderr when output was lost
// between polls (the server keeps only the last 1 MiB).
ConsoleEnd follow_console(Compute& compute, const std::string& zone, const std::string& instance, int out_fd,
                          std::chrono::milliseconds interval, const InterruptWatch& interrupt, const Log& log);

// TERMINATED, STOPPED, STOPPING, SUSPENDED...: the guest is no longer running.
bool instance_stopped(const std::string& status);

}  // namespace lk::gcp
