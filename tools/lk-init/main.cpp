// lk-init: the guest's PID 1 (static). Also `lk-service` when called by that name.
#include <string.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "base/error.h"
#include "base/tool_main.h"
#include "init.h"
#include "service_cmd.h"

namespace {

constexpr const char* kHelp =
    "lk-init: the init (PID 1) of an lk system, and its service command.\n"
    "\n"
    "usage: /init                    (started by the kernel as PID 1)\n"
    "       lk-init service list|start|stop|restart [NAME]\n"
    "       lk-service [-t SECONDS] list|start|stop|restart [NAME]\n"
    "       lk-init --help | --version\n"
    "\n"
    "As PID 1 it moves the initramfs root to a tmpfs, mounts proc, sys, devtmpfs, devpts,\n"
    "shm, mqueue, cgroup2 and tmpfs on /run, /tmp and /var (/ is remounted read-only unless\n"
    "the command line has lk.rw), loads the modules the hardware needs (/sys modaliases\n"
    "matched against modules.alias, dependencies from modules.dep) plus those in\n"
    "/etc/modules and lk.modules=a,b, brings up lo, sets the host name (/etc/hostname, else\n"
    "lk-<MAC>), then runs LinuxKit's container bundles with runc (--root /run/runc):\n"
    "  /containers/onboot/NNN-NAME/      in order, each to completion;\n"
    "                                    log /var/log/onboot.NNN-NAME.log (also shown on the console)\n"
    "  /containers/services/NAME/        started detached, visible in `runc list`; log /var/log/NAME.log\n"
    "  /containers/onshutdown/NNN-NAME/  at shutdown, before services are stopped\n"
    "Each bundle has config.json (OCI) and runtime.json (mounts, mkdir, cgroups, interfaces,\n"
    "bindNS). A failing onboot container is reported and boot goes on. Orphans are reaped.\n"
    "Its own log is /var/log/lk-init.log.\n"
    "\n"
    "Shutdown: busybox's halt (SIGUSR1), poweroff (SIGUSR2), reboot (SIGTERM), or\n"
    "ctrl-alt-del (SIGINT): onshutdown containers, services get SIGTERM then SIGKILL after\n"
    "lk.stop_timeout seconds (default 5), sync, unmount, reboot(2).\n"
    "\n"
    "Command line: lk.debug (print `runc list` once services are up), lk.runc_debug\n"
    "(runc --debug), lk.rw, lk.modules=, lk.stop_timeout=S, lk.onshutdown_timeout=S.\n"
    "\n"
    "lk-service list                  every service with its runc status and pid\n"
    "lk-service stop NAME             SIGTERM, SIGKILL after -t seconds (default 10), runc delete\n"
    "lk-service start NAME            prepare the bundle and runc run --detach, as at boot\n"
    "lk-service restart NAME          stop, then start\n"
    "Plain runc works too: runc --root /run/runc list | state NAME | kill NAME | exec NAME sh\n";

}  // namespace

int main(int argc, char** argv) {
  std::string self = argc > 0 ? argv[0] : "lk-init";
  if (auto slash = self.rfind('/'); slash != std::string::npos) self = self.substr(slash + 1);
  if (self == "lk-service" || self == "service") return lkinit::service_main(argc - 1, argv + 1);
  // As PID 1, argv holds whatever the kernel passed on; it never selects a mode.
  if (::getpid() == 1) lkinit::run_init();
  std::string first = argc > 1 ? argv[1] : "";
  if (first == "service") return lkinit::service_main(argc - 2, argv + 2);
  if (first == "-h" || first == "--help") {
    std::fputs(kHelp, stdout);
    return lk::kExitOk;
  }
  if (first == "--version") {
    std::printf("lk-init %s\n", lk::kVersion);
    return lk::kExitOk;
  }
  std::fprintf(stderr, "lk-init: not PID 1: this is the guest's init (see lk-init --help)\n");
  return lk::kExitInput;
}
