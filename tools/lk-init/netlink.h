#pragma once
// The two rtnetlink requests runtime.json's "interfaces" need (create a link, move a link
// into a process's network namespace), spoken directly: busybox's `ip` cannot name a veth
// peer, and the guest may have no iproute2.
#include <sys/types.h>

#include <string>

namespace lkinit {

// ip link add NAME type KIND [peer name PEER]; throws lk::RuntimeError with the kernel's
// reason. KIND "veth" requires PEER.
void link_add(const std::string& name, const std::string& kind, const std::string& peer = "");

// ip link set NAME netns PID
void link_set_netns(const std::string& name, pid_t pid);

}  // namespace lkinit
