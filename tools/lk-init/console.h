#pragma once
// The init's voice: one line per event on the console (the serial port on a VM, where
// LinuxKit users look) and in /var/log/lk-init.log once /var exists.
#include <string>

#include "base/fs.h"

namespace lkinit {

class Console {
public:
  explicit Console(std::string tool);

  // Points stdout and stderr (inherited by every child that is not redirected) at
  // /dev/console; stdin becomes /dev/null so no child can steal console input.
  void attach();
  void open_log(const std::string& path);

  void line(const std::string& msg) const;
  // Copies a container's log to the console, each line prefixed with "NAME| ", up to a cap
  // so a chatty container cannot flood a slow serial line.
  void dump(const std::string& name, const std::string& path) const;

  // Seconds since this process started (monotonic) and since the kernel booted.
  double elapsed() const;
  static double uptime();

private:
  std::string tool_;
  double start_;
  lk::Fd log_;
};

std::string fmt_seconds(double s);

}  // namespace lkinit
