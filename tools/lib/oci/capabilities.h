#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace lk::oci {

// Every capability Linux 6.1 knows, CAP_CHOWN (0) to CAP_CHECKPOINT_RESTORE (40), in number order.
const std::vector<std::string>& all_capabilities();
bool is_capability(std::string_view name);

}  // namespace lk::oci
