#pragma once
// The little networking the init itself does: loopback up, and the host name. Everything
// else (DHCP, addresses) is a container's job, as in LinuxKit.
#include <string>

#include "console.h"

namespace lkinit {

// Brings `lo` up; the kernel then gives it 127.0.0.1/8 and ::1 by itself.
void loopback_up(const Console& con);

// The MAC of eth0, else of the first other non-loopback interface (sorted), else "".
std::string primary_mac();

// Sets the host name from /etc/hostname, else lk-<MAC>, else "lk"; returns it.
std::string set_hostname(const Console& con);

// LinuxKit's resolv.conf convention: when /etc/resolv.conf is a symlink (to
// /run/resolvconf/resolv.conf), create its directory and an empty file there, so a DHCP
// container can fill it in through a bind mount.
void prepare_resolv_conf();

}  // namespace lkinit
