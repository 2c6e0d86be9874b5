#pragma once
// runtime.json beside each container bundle (LinuxKit's "runtime" section, written at
// build time): what the init must do on the host side before and after `runc create`.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lk::guest {

struct RuntimeMount {
  std::string source, destination, type;
  std::vector<std::string> options;
};

struct RuntimeInterface {
  std::string name, add, peer;
  bool create_in_root = false;
};

struct RuntimeConfig {
  std::vector<std::string> cgroups;
  std::vector<RuntimeMount> mounts;
  std::vector<std::string> mkdir;
  std::vector<RuntimeInterface> interfaces;
  // (namespace, path) for each non-empty bindNS entry, in LinuxKit's order:
  // cgroup, ipc, mnt, net, pid, user, uts.
  std::vector<std::pair<std::string, std::string>> bind_ns;
  std::string ns;  // "namespace": containerd's namespace in LinuxKit, kept for listing

  bool needs_process_setup() const { return !interfaces.empty() || !bind_ns.empty(); }
};

// Parses runtime.json text; WHAT names the file in errors (InputError). Every key may be
// missing or null; unknown keys are ignored, as LinuxKit's Go decoder does.
RuntimeConfig parse_runtime(std::string_view json, const std::string& what);

// mount(2) arguments from fstab-style option words.
struct MountArgs {
  unsigned long flags = 0;        // for the mount itself
  unsigned long propagation = 0;  // MS_SHARED/MS_PRIVATE/... (+MS_REC), a separate call
  std::string data;               // options the file system itself parses
};
MountArgs parse_mount_options(const std::vector<std::string>& options);

// PATH when absolute, else BUNDLE/PATH: lets a build write bundle-relative runtime.json.
std::string bundle_path(const std::string& bundle, const std::string& path);

// Overlay data with relative lowerdir (each ':' element), upperdir and workdir made
// absolute under BUNDLE; other options kept as they are.
std::string overlay_data_in_bundle(const std::string& bundle, const std::string& data);

// The upperdir and workdir named in overlay mount data (to create before mounting).
std::vector<std::string> overlay_dirs_to_create(const std::string& data);

}  // namespace lk::guest
