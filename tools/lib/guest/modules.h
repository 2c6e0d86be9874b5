#pragma once
// Kernel module bookkeeping for the guest init: which modules a device's modalias asks
// for (modules.alias), and in what order to load them (modules.dep), as modprobe would.
// Pure text processing; loading itself is the init's job.
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace lk::guest {

// Module names compare with '-' and '_' the same (the kernel's rule): "virtio-rng" is
// "virtio_rng".
std::string module_name(std::string_view name_or_path);

class ModuleIndex {
public:
  // modules.dep: "kernel/x/a.ko: kernel/y/b.ko kernel/z/c.ko" (c is loaded before b).
  void add_dep(std::string_view text);
  // modules.alias: "alias PATTERN MODULE" with shell glob patterns.
  void add_alias(std::string_view text);
  // modules.builtin: paths of modules compiled in (never loaded, always "there").
  void add_builtin(std::string_view text);

  bool known(std::string_view name) const;
  bool builtin(std::string_view name) const;
  // The .ko path relative to lib/modules/VER, "" when unknown.
  std::string path_of(std::string_view name) const;

  // Module names whose alias patterns match MODALIAS (sorted, unique). A module that is
  // built in is left out: there is nothing to load.
  std::vector<std::string> match(std::string_view modalias) const;
  // Names, or aliases such as "fs-overlay", resolved to module names.
  std::vector<std::string> resolve(std::string_view name_or_alias) const;

  // The .ko paths to load for NAMES, dependencies first, each once; names already in
  // LOADED (module names) are skipped with their dependencies still checked. Unknown
  // names are reported in MISSING.
  std::vector<std::string> load_order(const std::vector<std::string>& names, const std::set<std::string>& loaded,
                                      std::vector<std::string>* missing = nullptr) const;

  size_t size() const { return path_.size(); }

private:
  std::map<std::string, std::string> path_;                   // name -> path
  std::map<std::string, std::vector<std::string>> deps_;      // name -> dep names, as listed
  std::vector<std::pair<std::string, std::string>> aliases_;  // pattern -> name
  std::set<std::string> builtin_;
};

// Names of loaded modules from /proc/modules text.
std::set<std::string> parse_proc_modules(std::string_view text);

}  // namespace lk::guest
