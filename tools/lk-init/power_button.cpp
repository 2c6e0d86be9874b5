#include "power_button.h"

#include <fcntl.h>
#include <linux/input.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "spawn.h"

namespace lkinit {

namespace {

// The evdev nodes whose device calls itself a power button (ACPI's fixed button is
// "Power Button"; its PNP0C0C sibling is named the same).
std::vector<int> open_power_buttons() {
  std::vector<int> fds;
  for (int i = 0; i < 32; ++i) {
    std::string path = "/dev/input/event" + std::to_string(i);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    char name[64] = {};
    if (::ioctl(fd, EVIOCGNAME(sizeof name - 1), name) >= 0 && std::string(name) == "Power Button")
      fds.push_back(fd);
    else
      ::close(fd);
  }
  return fds;
}

[[noreturn]] void watch(const std::vector<int>& fds) {
  std::vector<pollfd> p;
  for (int fd : fds) p.push_back({fd, POLLIN, 0});
  for (;;) {
    if (::poll(p.data(), p.size(), -1) < 0) continue;
    for (const auto& pf : p) {
      if (!(pf.revents & POLLIN)) continue;
      input_event ev[16];
      ssize_t n = ::read(pf.fd, ev, sizeof ev);
      for (ssize_t i = 0; n > 0 && i < n / static_cast<ssize_t>(sizeof(input_event)); ++i) {
        if (ev[i].type == EV_KEY && ev[i].code == KEY_POWER && ev[i].value == 1) {
          ::kill(1, SIGUSR2);
          ::_exit(0);
        }
      }
    }
  }
}

}  // namespace

pid_t watch_power_button(const Console& con) {
  // The event nodes appear in devtmpfs shortly after the modules load.
  std::vector<int> fds;
  for (int tries = 0; tries < 20 && fds.empty(); ++tries) {
    fds = open_power_buttons();
    if (fds.empty()) ::usleep(50 * 1000);
  }
  if (fds.empty()) {
    con.line("no ACPI power button: only poweroff inside the system shuts it down cleanly");
    return -1;
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    watch(fds);
  }
  for (int fd : fds) ::close(fd);
  if (pid < 0) con.line("warning: cannot watch the power button (fork failed)");
  return pid;
}

}  // namespace lkinit
