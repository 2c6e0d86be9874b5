#pragma once
// lk-service: list, stop, start and restart the services lk-init started, from a shell in
// the guest (LinuxKit's `service` command, on runc instead of containerd).

namespace lkinit {

// ARGS after the command name; returns the exit status.
int service_main(int argc, char** argv);

}  // namespace lkinit
