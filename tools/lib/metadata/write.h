#pragma once
// What a provider found, into the config folder, in LinuxKit's order: the provider's
// own files (hostname, ssh/authorized_keys, ...), "provider", then "userdata" and, when
// it is JSON, its tree of files (which may replace the provider's files, as in LinuxKit).
#include <string>
#include <string_view>
#include <vector>

#include "metadata/config_dir.h"
#include "metadata/provider.h"

namespace lk::metadata {

struct Written {
  std::vector<std::string> files;  // relative paths, in the order written
  std::vector<std::string> notes;  // entries left out or failed, one line each
};

Written write_found(const Found& found, const ConfigDir& dir);

// The name to give the machine from the hostname file: trimmed, and when longer than
// Linux allows (64 bytes, as a Compute Engine FQDN can be) its first label; "" when
// that is no host name at all.
std::string hostname_for(std::string_view file);

}  // namespace lk::metadata
