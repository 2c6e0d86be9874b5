#pragma once
// Loads kernel modules the way udev + modprobe would on a bigger system: every device in
// /sys with a modalias gets the modules whose modules.alias patterns match it, with their
// modules.dep dependencies first. Loading a bus driver makes new devices appear (virtio_pci
// creates the virtio devices that virtio_net then matches), so it scans again until a pass
// loads nothing new.
#include <set>
#include <string>
#include <vector>

#include "console.h"
#include "guest/modules.h"

namespace lkinit {

class ModuleLoader {
public:
  // Reads lib/modules/<uname -r>/modules.{dep,alias,builtin} under ROOT. With no index
  // (a kernel with everything built in) every request is a quiet no-op.
  ModuleLoader(const Console& con, const std::string& root = "/");

  bool available() const { return index_.size() > 0; }
  // Loads modules for every device modalias under /sys/devices; returns the names loaded.
  std::vector<std::string> load_for_hardware();
  // Loads the named modules (or aliases such as "fs-overlay") with dependencies. Returns
  // false if any could not be loaded.
  bool load(const std::vector<std::string>& names);
  // For mount's ENODEV retry: loads the module for file system TYPE.
  bool load_fs(const std::string& type);

private:
  bool insert(const std::string& path);
  std::set<std::string> scan_modaliases() const;

  const Console& con_;
  std::string dir_;
  lk::guest::ModuleIndex index_;
  std::set<std::string> loaded_;
  std::set<std::string> failed_;
};

}  // namespace lkinit
