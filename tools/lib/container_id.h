#pragma once
// A container's name (onboot, onshutdown, services, volumes) becomes the name of its
// folder under containers/ and the id runc knows it by, so it must be one safe path
// component and an id runc accepts.
#include <string_view>

namespace lk {

// runc's rule: one or more of letters, digits, '_', '+', '-', '.', and never "." or "..".
bool is_container_id(std::string_view name);

}  // namespace lk
