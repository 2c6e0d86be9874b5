#pragma once
// sysctl.conf files as pkg/sysctl applies them at boot: "key = value" lines, '#' and ';'
// comments, and keys written either with dots (net.ipv4.ip_forward) or slashes
// (net/ipv4/conf/eth0.100/rp_filter, where a dot is part of a name). Pure text
// processing, so it is tested on the host; writing /proc/sys is lk-sysctl's job.
#include <string>
#include <string_view>
#include <vector>

namespace lk::guest {

struct SysctlSetting {
  std::string key;    // as written, without a leading '-'
  std::string path;   // relative to /proc/sys: "net/ipv4/ip_forward"
  std::string value;  // trimmed
  int line = 0;
  bool ignore_failure = false;  // "-key = value": a key this kernel may lack
};

struct SysctlFile {
  std::vector<SysctlSetting> settings;
  std::vector<std::string> errors;  // "FILE:LINE: why", for lines that are not settings
};

// The /proc/sys path of KEY, "" when it names nothing there (empty, ".", ".." or a
// component with a NUL): no key reaches outside /proc/sys.
std::string sysctl_path(std::string_view key);

// Every setting of one file, in order; FILE only names it in errors.
SysctlFile parse_sysctl_conf(std::string_view text, const std::string& file);

// The names among ENTRIES that are sysctl.conf files: "*.conf", sorted, as procps reads
// a sysctl.d folder (hidden files and anything else are left alone).
std::vector<std::string> sysctl_conf_names(std::vector<std::string> entries);

}  // namespace lk::guest
