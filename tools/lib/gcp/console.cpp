#include "gcp/console.h"

#include <signal.h>

#include <algorithm>
#include <csignal>
#include <thread>

#include "base/fs.h"

namespace lk::gcp {

namespace {

// A signal handler can reach nothing else: this flag is the one piece of process state.
volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void on_signal(int sig) {
  if (g_interrupted) {
    ::signal(sig, SIG_DFL);
    ::raise(sig);
  }
  g_interrupted = 1;
}

}  // namespace

InterruptWatch::InterruptWatch() {
  g_interrupted = 0;
  ::signal(SIGINT, on_signal);
  ::signal(SIGTERM, on_signal);
}

InterruptWatch::~InterruptWatch() {
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGTERM, SIG_DFL);
}

bool InterruptWatch::requested() const { return g_interrupted != 0; }

void InterruptWatch::sleep(std::chrono::milliseconds d) const {
  const auto slice = std::chrono::milliseconds(50);
  auto end = std::chrono::steady_clock::now() + d;
  while (!requested()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    std::this_thread::sleep_for(std::min(left, slice));
  }
}

bool instance_stopped(const std::string& status) {
  return status == "TERMINATED" || status == "STOPPED" || status == "STOPPING" || status == "SUSPENDED" ||
         status == "SUSPENDING";
}

ConsoleEnd follow_console(Compute& compute, const std::string& zone, const std::string& instance, int out_fd,
                          std::chrono::milliseconds interval, const InterruptWatch& interrupt, const Log& log) {
  long long offset = 0;
  auto drain = [&] {
    auto out = compute.serial_output(zone, instance, offset);
    if (!out) return;
    if (out->start > offset)
      log.warn("console: " + std::to_string(out->start - offset) + " bytes were lost before this point");
    if (!out->contents.empty()) write_all(out_fd, out->contents, "the console output");
    offset = std::max(offset, out->next);
  };
  for (;;) {
    if (interrupt.requested()) return ConsoleEnd::kInterrupted;
    auto inst = compute.get_instance(zone, instance);
    if (!inst) return ConsoleEnd::kGone;
    std::string status = inst->value("status", "");
    drain();  // after the status, so that the last words of a stopped guest are read
    if (instance_stopped(status)) {
      log.info("instance " + instance + " is " + status);
      return ConsoleEnd::kStopped;
    }
    interrupt.sleep(interval);
  }
}

}  // namespace lk::gcp
