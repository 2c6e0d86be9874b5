#pragma once
// Metadata on the machine itself: a CD-ROM, or a file.
//  - cdrom: every /dev/sr* plus any block device whose ISO 9660 label is cidata, CIDATA,
//    config-2 or CONFIG-2 (the labelled ones first). On each, in order: "user-data", then
//    "config" (what `linuxkit run --data` and `lk run qemu --data` write), then an
//    OpenStack config drive's "openstack/latest/user_data"; a config drive's
//    openstack/latest/meta_data.json also gives the hostname and the public keys.
//  - file=PATH: the whole file is the user-data.
#include <memory>
#include <string>
#include <vector>

#include "metadata/iso9660.h"
#include "metadata/provider.h"

namespace lk::metadata {

// The candidate devices under DEV (/dev), found through SYS_BLOCK (/sys/class/block).
std::vector<std::string> cdrom_candidates(const std::string& dev, const std::string& sys_block);

// What one disc holds, with PROVIDER as its name; kAbsent when it has no user-data (an
// empty one counts as none, as in LinuxKit) and no config drive metadata.
Outcome read_disc(const IsoImage& disc, const std::string& provider);

// DEVICES when given ("cdrom=PATH": that device or image file only), else the
// candidates of the moment, looked up afresh on every look (a drive may show up late).
std::unique_ptr<Provider> cdrom_provider(std::vector<std::string> devices, std::string dev = "/dev",
                                         std::string sys_block = "/sys/class/block");

std::unique_ptr<Provider> file_provider(std::string path);

}  // namespace lk::metadata
