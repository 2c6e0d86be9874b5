#include "qemu/qmp.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

namespace lk::qemu {

QmpSession::QmpSession(const std::string& socket_path) {
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (!fd || socket_path.size() >= sizeof addr.sun_path) return;
  std::strcpy(addr.sun_path, socket_path.c_str());
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return;
  fd_ = std::move(fd);
  if (!execute("qmp_capabilities")) fd_.reset();
}

// Reads lines until the answer to the last command: events ("event") may come first.
bool QmpSession::await_return() {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  for (;;) {
    size_t nl;
    while ((nl = pending_.find('\n')) != std::string::npos) {
      std::string line = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      if (line.find("\"return\"") != std::string::npos) return true;
      if (line.find("\"error\"") != std::string::npos) return false;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_.get(), POLLIN, 0};
    char buf[4096];
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    ssize_t n = ::read(fd_.get(), buf, sizeof buf);
    if (n <= 0) return false;
    pending_.append(buf, static_cast<size_t>(n));
  }
}

bool QmpSession::execute(const std::string& command) {
  if (!fd_) return false;
  try {
    write_all(fd_.get(), "{\"execute\":\"" + command + "\"}\n", "qmp");
  } catch (const std::exception&) {
    return false;
  }
  return await_return();
}

}  // namespace lk::qemu
