#pragma once
// The LinuxKit spec schema (and the 2017 moby form), as checkers over YAML.
#include "spec/check.h"

namespace lk::spec {

// A whole spec file: kernel, init, onboot, onshutdown, services, files, volumes,
// trust, and the 2017 outputs section.
check::Checker spec_checker();
// One onboot/onshutdown/service entry; also the org.mobyproject.config label
// (with name and image forbidden) when LABEL is true.
check::Checker image_spec_checker(bool label);

}  // namespace lk::spec
