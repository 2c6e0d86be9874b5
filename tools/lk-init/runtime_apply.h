#pragma once
// The host-side work runtime.json asks for around `runc create`: before it, directories,
// cgroups and the mounts that make the bundle's rootfs (a bind for read-only bundles; tmpfs
// + overlay over lower/ for writable ones); after it, moving network interfaces into the
// container and binding its namespaces to paths.
#include <sys/types.h>

#include <string>

#include "console.h"
#include "guest/runtime.h"

namespace lkinit {

class ModuleLoader;

// BUNDLE/runtime.json, or an empty config when the file does not exist.
lk::guest::RuntimeConfig load_runtime(const std::string& bundle);

// Throws lk::Error when something cannot be set up. When runtime.json does not make
// BUNDLE/rootfs a mount point, does what LinuxKit's init does for its own bundles: an
// overlay when BUNDLE/lower exists, else a bind of rootfs onto itself (runc wants a mount).
void prepare_filesystem(const std::string& bundle, const lk::guest::RuntimeConfig& rc, ModuleLoader* modules);

// Interfaces (rtnetlink) and bindNS for the created container PID, as LinuxKit does:
// a new link (veth pair or other "add" type) is created in the root namespace, then the
// named link is moved into the container's. NAME labels the console lines; the link type's
// module is loaded first (MODULES may be null).
void prepare_process(const std::string& name, pid_t pid, const lk::guest::RuntimeConfig& rc, ModuleLoader* modules,
                     const Console& con);

// Best-effort undo of prepare_filesystem (the rootfs and tmp mounts and runtime.json's
// mounts inside the bundle), so a restarted service starts from a clean overlay.
void cleanup_filesystem(const std::string& bundle, const lk::guest::RuntimeConfig& rc);

}  // namespace lkinit
