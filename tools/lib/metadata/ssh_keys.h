#pragma once
// SSH keys as the clouds hand them out, turned into one authorized_keys text for root
// (LinuxKit's simplification: every user's key logs in as root).
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace lk::metadata {

// Compute Engine's ssh-keys attribute: one "USER:KEY" per line. The keys, in order,
// without their user; lines without a ':' or without a key are skipped, and so is a key
// whose "google-ssh {... "expireOn": "2018-12-04T20:12:00+0000"}" comment says it
// expired before NOW (as Google's own guest agent drops them).
std::vector<std::string> gce_ssh_keys(std::string_view attribute, std::time_t now);

// "2018-12-04T20:12:00+0000" (also with Z, +00:00 or fractional seconds) as seconds
// since the epoch; -1 when it is not such a time.
std::time_t parse_rfc3339(std::string_view text);

// An EC2 public-keys listing ("0=my-key\n1=other") -> the indexes, {"0", "1"}.
std::vector<std::string> ec2_key_indexes(std::string_view listing);

// One key per line, each ending in a newline; "" for none.
std::string authorized_keys(const std::vector<std::string>& keys);

}  // namespace lk::metadata
