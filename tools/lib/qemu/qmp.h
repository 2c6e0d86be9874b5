#pragma once
// A QMP (qemu machine protocol) client over the VM's unix socket, for asking a
// running VM to power down or quit. qemu serves one QMP client at a time, so one
// session is kept for the whole conversation.
#include <string>

#include "base/fs.h"

namespace lk::qemu {

class QmpSession {
public:
  // Connects and negotiates capabilities; connected() is false when qemu is not
  // reachable.
  explicit QmpSession(const std::string& socket);
  bool connected() const { return static_cast<bool>(fd_); }
  // Runs COMMAND (e.g. "system_powerdown", "quit"); true when qemu accepted it.
  bool execute(const std::string& command);

private:
  bool await_return();
  Fd fd_;
  std::string pending_;
};

}  // namespace lk::qemu
