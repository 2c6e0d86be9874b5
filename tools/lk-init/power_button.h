#pragma once
// The ACPI power button: qemu's system_powerdown (what lk-run sends on SIGTERM) and a
// cloud's "stop" press it, and with no acpid in the system nobody would listen. A small
// child of the init watches the button's input device and asks the init to power off
// (SIGUSR2, as busybox's poweroff does), so onshutdown containers run.
#include <sys/types.h>

#include "console.h"

namespace lkinit {

// Starts the watcher; -1 (and a console line) when the machine has no power button
// device (a kernel without the button/evdev modules, or no ACPI).
pid_t watch_power_button(const Console& con);

}  // namespace lkinit
