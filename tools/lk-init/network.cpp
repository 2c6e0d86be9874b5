#include "network.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "base/fs.h"
#include "guest/hostname.h"
#include "mounts.h"

namespace lkinit {
void loopback_up(const Console& con) {
  lk::Fd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!s) {
    con.line(std::string("warning: lo: socket: ") + strerror(errno));
    return;
  }
  ifreq ifr{};
  ::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (::ioctl(s.get(), SIOCGIFFLAGS, &ifr) != 0) {
    con.line(std::string("warning: lo: ") + strerror(errno));
    return;
  }
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  if (::ioctl(s.get(), SIOCSIFFLAGS, &ifr) != 0) con.line(std::string("warning: lo up: ") + strerror(errno));
}

std::string primary_mac() {
  std::string eth0 = lk::read_or_empty("/sys/class/net/eth0/address");
  if (!eth0.empty()) return eth0;
  for (const auto& [n, d_type] : lk::list_dir_or_empty("/sys/class/net")) {
    if (n == "lo") continue;
    // type 1 is ARPHRD_ETHER: skip tunnels and the like, which have no real MAC.
    std::string type = lk::read_or_empty("/sys/class/net/" + n + "/type");
    if (type.rfind("1\n", 0) != 0) continue;
    std::string mac = lk::read_or_empty("/sys/class/net/" + n + "/address");
    if (!mac.empty()) return mac;
  }
  return "";
}

std::string set_hostname(const Console& con) {
  std::string name = lk::guest::choose_hostname(lk::read_or_empty("/etc/hostname"), primary_mac());
  if (::sethostname(name.c_str(), name.size()) != 0) con.line("warning: sethostname " + name + ": " + strerror(errno));
  return name;
}

void prepare_resolv_conf() {
  struct stat st {};
  if (::lstat("/etc/resolv.conf", &st) != 0 || !S_ISLNK(st.st_mode)) return;
  char buf[4096];
  ssize_t n = ::readlink("/etc/resolv.conf", buf, sizeof buf - 1);
  if (n <= 0) return;
  std::string target(buf, static_cast<size_t>(n));
  if (target.front() != '/') target = "/etc/" + target;
  try {
    make_dirs(lk::dirname_of(target));
  } catch (...) {
    return;
  }
  lk::Fd f(::open(target.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
}

}  // namespace lkinit
