#pragma once
// Mounts the spec's volumes (/containers/volumes/NAME) before the first container
// starts; guest/volumes.h says what each one becomes.
#include "console.h"

namespace lkinit {

class ModuleLoader;

// Mounts every volume, each reported on the console. One that cannot be mounted is
// reported and left out: the containers binding it fail, and say so. MODULES loads
// overlay when the kernel has it as a module; it may be null.
void mount_volumes(const Console& con, ModuleLoader* modules);

}  // namespace lkinit
