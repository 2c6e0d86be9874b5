#pragma once
#include <string>
#include <string_view>

namespace lk::spec {

// The one rule for a name that becomes a folder and an id: onboot, onshutdown and
// service names (containers/SECTION/[NNN-]NAME/, and runc's container id) and volume
// names (containers/volumes/NAME/). It is runc's own id rule: ASCII letters, digits,
// '_', '+', '-' and '.', never "." or "..", so the name is one path component
// that cannot climb out of containers/ and runc accepts it; plus a length bound so
// the folder fits NAME_MAX. LinuxKit's schema has no rule here.
bool is_container_id(std::string_view name);
// "" when NAME is a container id, else why not, naming WHAT ("service name") and
// saying why the rule exists. The message every refusal uses.
std::string container_id_problem(std::string_view name, std::string_view what);
// For tools handed a plan or lock (lk-rootfs): throws InputError "WHERE: message"
// when NAME is not a container id.
void require_container_id(std::string_view name, std::string_view what, const std::string& where);

}  // namespace lk::spec
