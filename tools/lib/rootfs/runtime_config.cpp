#include "rootfs/runtime_config.h"

#include <algorithm>
#include <map>
#include <set>

#include "base/diagnostics.h"
#include "base/error.h"
#include "base/strings.h"
#include "oci/capabilities.h"
#include "spec/schema.h"
#include "spec/yaml_source.h"

namespace lk::rootfs {

using nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace {

// The runtime-spec version whose field names and order config.json follows.
constexpr const char* kOciVersion = "1.2.0";

using spec::ContainerConfig;

// YAML > label, per field; empty when neither set it. A key set to an empty list
// still wins: that is how a spec removes what a label gives.
template <class T>
const std::optional<T>& pick(const OciInputs& in, std::optional<T> ContainerConfig::*field) {
  return in.yaml.*field ? in.yaml.*field : in.label.*field;
}

template <class T>
T pick_or(const OciInputs& in, std::optional<T> ContainerConfig::*field, T dflt) {
  return pick(in, field).value_or(std::move(dflt));
}

// Appends ADD to LIST, skipping what is already there (LinuxKit concatenates blindly).
void merge_unique(std::vector<std::string>& list, const std::vector<std::string>& add) {
  for (const auto& s : add)
    if (std::find(list.begin(), list.end(), s) == list.end()) list.push_back(s);
}

// "REPLACE" wins outright; otherwise label's list plus both *.add lists.
spec::Strings with_adds(const OciInputs& in, std::optional<spec::Strings> ContainerConfig::*key,
                        std::optional<spec::Strings> ContainerConfig::*add_key) {
  if (in.yaml.*key) return *(in.yaml.*key);
  spec::Strings out;
  merge_unique(out, (in.label.*key).value_or(spec::Strings{}));
  merge_unique(out, (in.label.*add_key).value_or(spec::Strings{}));
  merge_unique(out, (in.yaml.*add_key).value_or(spec::Strings{}));
  return out;
}

// "all" means every capability, "none" (or nothing) the empty set.
std::vector<std::string> expand_caps(const std::vector<std::string>& caps) {
  if (std::find(caps.begin(), caps.end(), "all") != caps.end()) {
    auto all = oci::all_capabilities();
    std::sort(all.begin(), all.end());
    return all;
  }
  std::vector<std::string> out;
  for (const auto& c : caps)
    if (c != "none") out.push_back(c);
  return out;
}

template <class T>
ojson oci_list(const std::vector<T>& items) {
  ojson out = ojson::array();
  for (const auto& x : items) out.push_back(spec::to_oci_json(x));
  return out;
}

ojson string_list(const spec::Strings& list) { return ojson(list); }

ojson string_map(const spec::StringMap& map) {
  ojson out = ojson::object();
  for (const auto& [k, v] : map) out[k] = v;
  return out;
}

ojson mount_json(const spec::Mount& m) {
  ojson out = ojson::object();
  out["destination"] = m.destination.value_or("");
  if (!m.type.value_or("").empty()) out["type"] = *m.type;
  if (!m.source.value_or("").empty()) out["source"] = *m.source;
  if (m.options && !m.options->empty()) out["options"] = string_list(*m.options);
  if (m.uid_mappings && !m.uid_mappings->empty()) out["uidMappings"] = oci_list(*m.uid_mappings);
  if (m.gid_mappings && !m.gid_mappings->empty()) out["gidMappings"] = oci_list(*m.gid_mappings);
  return out;
}

spec::Mount mount(const std::string& dest, const std::string& type, const std::string& source, spec::Strings options) {
  spec::Mount m;
  m.destination = dest;
  m.type = type;
  m.source = source;
  m.options = std::move(options);
  return m;
}

std::string default_mountpoint(const std::string& type) {
  static const std::map<std::string, std::string> d = {{"proc", "/proc"},
                                                       {"devpts", "/dev/pts"},
                                                       {"sysfs", "/sys"},
                                                       {"cgroup", "/sys/fs/cgroup"},
                                                       {"mqueue", "/dev/mqueue"}};
  auto it = d.find(type);
  return it == d.end() ? "" : it->second;
}

ojson build_mounts(const OciInputs& in, bool readonly) {
  // Keyed by destination: a later mount on the same place replaces an earlier one,
  // and the list comes out sorted by destination, as runc wants parents first.
  std::map<std::string, spec::Mount> mounts;
  spec::Strings dev_opts = {"nosuid", "strictatime", "mode=755", "size=65536k"};
  spec::Strings sys_opts = {"nosuid", "noexec", "nodev"};
  if (readonly) {
    dev_opts.push_back("ro");
    sys_opts.push_back("ro");
  }
  mounts["/proc"] = mount("/proc", "proc", "proc", {"nosuid", "nodev", "noexec", "relatime"});
  mounts["/dev"] = mount("/dev", "tmpfs", "tmpfs", dev_opts);
  mounts["/dev/pts"] =
      mount("/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"});
  mounts["/sys"] = mount("/sys", "sysfs", "sysfs", sys_opts);
  mounts["/sys/fs/cgroup"] =
      mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"});

  for (const auto& t : pick_or(in, &ContainerConfig::tmpfs, {})) {
    auto parts = split(t, ':');
    spec::Strings opts;
    if (parts.size() == 2) opts = split(parts[1], ',');
    mounts[parts[0]] = mount(parts[0], "tmpfs", "tmpfs", opts);
  }
  for (const auto& b : with_adds(in, &ContainerConfig::binds, &ContainerConfig::binds_add)) {
    auto parts = split(b, ':');
    if (parts.size() < 2 || parts.size() > 3)
      throw InputError("bind \"" + b + "\" must be SOURCE:DESTINATION[:OPTIONS]");
    spec::Strings opts = {"rw", "rbind", "rshared"};
    if (parts.size() == 3) {
      opts = split(parts[2], ',');
      opts.push_back("rbind");
    }
    mounts[parts[1]] = mount(parts[1], "bind", parts[0], opts);
  }
  for (spec::Mount m : pick_or(in, &ContainerConfig::mounts, {})) {
    std::string type = m.type.value_or(""), src = m.source.value_or(""), dest = m.destination.value_or("");
    if (type.empty() && (src == "mqueue" || src == "devpts" || src == "proc" || src == "sysfs" || src == "cgroup"))
      type = src;
    if (type.empty() && dest == "/dev") type = "tmpfs";
    if (type.empty()) throw InputError("mount on \"" + dest + "\" has no type");
    if (src.empty()) src = type;
    if (dest.empty()) dest = default_mountpoint(type);
    if (dest.empty()) throw InputError("mount of type \"" + type + "\" has no destination");
    m.type = type;
    m.source = src;
    m.destination = dest;
    mounts[dest] = m;
  }
  ojson out = ojson::array();
  for (const auto& [dest, m] : mounts) out.push_back(mount_json(m));
  return out;
}

// One namespace entry unless VALUE means "share the host's". PATH_FREE values
// ask for a fresh namespace; anything else is the path of one to join.
void add_namespace(ojson& list, const char* type, const std::string& value, std::initializer_list<const char*> fresh) {
  if (value == "host" || value == "root") return;
  ojson ns = {{"type", type}};
  bool is_fresh = value.empty();
  for (const char* f : fresh) is_fresh = is_fresh || value == f;
  if (!is_fresh) ns["path"] = value;
  list.push_back(ns);
}

std::string pick_string(const OciInputs& in, std::optional<std::string> ContainerConfig::*field,
                        const std::string& dflt) {
  return pick_or(in, field, dflt);
}

ojson build_resources(const OciInputs& in, const std::vector<spec::DeviceRule>& device_rules) {
  spec::Resources r = pick_or(in, &ContainerConfig::resources, {});
  const auto& disable_oom = pick(in, &ContainerConfig::disable_oom_killer);
  if (disable_oom && !(r.memory && r.memory->disable_oom_killer)) {
    if (!r.memory) r.memory.emplace();
    r.memory->disable_oom_killer = disable_oom;
  }
  ojson out = ojson::object();
  ojson devices = ojson::array();
  for (const auto& d : r.devices.value_or(std::vector<spec::DeviceRule>{})) devices.push_back(spec::to_oci_json(d));
  for (const auto& d : device_rules) devices.push_back(spec::to_oci_json(d));
  if (!devices.empty()) out["devices"] = devices;
  if (r.memory) out["memory"] = spec::to_oci_json(*r.memory);
  if (r.cpu) out["cpu"] = spec::to_oci_json(*r.cpu);
  if (r.pids) out["pids"] = spec::to_oci_json(*r.pids);
  if (r.blockio) out["blockIO"] = spec::to_oci_json(*r.blockio);
  if (r.hugepage_limits) out["hugepageLimits"] = oci_list(*r.hugepage_limits);
  if (r.network) out["network"] = spec::to_oci_json(*r.network);
  if (r.rdma) out["rdma"] = string_map(*r.rdma);
  return out;
}

ojson build_runtime(const OciInputs& in) {
  const spec::Runtime y = in.yaml.runtime.value_or(spec::Runtime{});
  const spec::Runtime l = in.label.runtime.value_or(spec::Runtime{});
  // YAML > label per field of runtime, as for the container's own fields.
  auto field = [&](auto member, auto dflt) { return (y.*member).value_or((l.*member).value_or(dflt)); };
  ojson out = ojson::object();
  out["cgroups"] = string_list(field(&spec::Runtime::cgroups, spec::Strings{}));
  ojson mounts = ojson::array();
  for (const auto& m : field(&spec::Runtime::mounts, std::vector<spec::Mount>{})) mounts.push_back(mount_json(m));
  out["mounts"] = mounts;
  out["mkdir"] = string_list(field(&spec::Runtime::mkdir, spec::Strings{}));
  ojson ifs = ojson::array();
  for (const auto& i : field(&spec::Runtime::interfaces, std::vector<spec::Interface>{})) {
    ojson o = {{"name", i.name}};
    if (i.add) o["add"] = *i.add;
    if (i.peer) o["peer"] = *i.peer;
    o["createInRoot"] = i.create_in_root.value_or(false);
    ifs.push_back(o);
  }
  out["interfaces"] = ifs;
  const spec::BindNs yb = y.bind_ns.value_or(spec::BindNs{}), lb = l.bind_ns.value_or(spec::BindNs{});
  ojson bind = ojson::object();
  for (auto [key, member] : std::initializer_list<std::pair<const char*, std::optional<std::string> spec::BindNs::*>>{
           {"cgroup", &spec::BindNs::cgroup},
           {"ipc", &spec::BindNs::ipc},
           {"mnt", &spec::BindNs::mnt},
           {"net", &spec::BindNs::net},
           {"pid", &spec::BindNs::pid},
           {"user", &spec::BindNs::user},
           {"uts", &spec::BindNs::uts}})
    bind[key] = (yb.*member).value_or((lb.*member).value_or(""));
  out["bindNS"] = bind;
  out["namespace"] = field(&spec::Runtime::name_space, std::string());
  return out;
}

json resolve_id(const json& v, const std::map<std::string, int64_t>& ids, const std::string& where) {
  if (v.is_number()) return v;
  std::string name = v.get<std::string>();
  if (name.empty() || name == "root") return 0;
  auto it = ids.find(name);
  if (it != ids.end()) return it->second;
  throw InputError(where + ": label org.mobyproject.config: unknown user or group \"" + name +
                   "\" (names refer to containers in this spec)");
}

}  // namespace

std::string moby_label_text(const json& image_config) {
  if (!image_config.is_object() || !image_config.contains("Labels") || !image_config["Labels"].is_object()) return "";
  const json& labels = image_config["Labels"];
  auto it = labels.find("org.mobyproject.config");
  return it != labels.end() && it->is_string() ? it->get<std::string>() : "";
}

spec::ContainerConfig parse_moby_label(const std::string& text, const std::map<std::string, int64_t>& ids,
                                       const std::string& where) {
  Diagnostics diag;
  std::string name = where + " label org.mobyproject.config";
  YAML::Node node = spec::load_yaml(name, text, diag);
  diag.throw_if_any();
  if (!node || node.IsNull()) return {};
  spec::check::Walk walk{name, diag};
  json label = spec::image_spec_checker(true)(node, "", walk);
  diag.throw_if_any();
  for (const char* k : {"uid", "gid"})
    if (label.contains(k)) label[k] = resolve_id(label[k], ids, where);
  if (label.contains("additionalGids"))
    for (auto& g : label["additionalGids"]) g = resolve_id(g, ids, where);
  return spec::config_from_json(label, name);
}

OciSpec make_oci_spec(const OciInputs& in) {
  using CC = ContainerConfig;
  OciSpec spec;
  const json image = in.image.is_object() ? in.image : json::object();
  spec.readonly = pick_or(in, &CC::readonly, false);

  auto caps = expand_caps(with_adds(in, &CC::capabilities, &CC::capabilities_add));
  auto ambient = expand_caps(pick_or(in, &CC::ambient, {}));
  std::set<std::string> bounding_set(caps.begin(), caps.end());
  bounding_set.insert(ambient.begin(), ambient.end());
  std::vector<std::string> bounding(bounding_set.begin(), bounding_set.end());

  ojson& c = spec.config;
  c["ociVersion"] = kOciVersion;

  ojson process = ojson::object();
  ojson user = ojson::object();
  user["uid"] = pick_or<int64_t>(in, &CC::uid, 0);
  user["gid"] = pick_or<int64_t>(in, &CC::gid, 0);
  auto groups = pick_or(in, &CC::additional_gids, {});
  if (!groups.empty()) user["additionalGids"] = groups;
  process["user"] = user;

  // The image config's fields are the image's, not the plan's: JSON as the image has it.
  json args = json::array();
  if (const auto& command = pick(in, &CC::command)) {
    args = *command;
  } else {
    for (const char* k : {"Entrypoint", "Cmd"})
      if (image.contains(k) && image[k].is_array())
        for (const auto& a : image[k]) args.push_back(a);
  }
  if (!args.empty()) process["args"] = ojson::parse(args.dump());
  json env = nullptr;
  if (const auto& e = pick(in, &CC::env))
    env = *e;
  else if (image.contains("Env"))
    env = image["Env"];
  if (env.is_array() && !env.empty()) process["env"] = ojson::parse(env.dump());
  std::string cwd =
      pick_string(in, &CC::cwd, image.value("WorkingDir", json("")).is_string() ? image.value("WorkingDir", "") : "");
  process["cwd"] = cwd.empty() ? "/" : cwd;

  ojson capabilities = ojson::object();
  if (!bounding.empty()) capabilities["bounding"] = bounding;
  if (!caps.empty()) capabilities["effective"] = caps;
  if (!bounding.empty()) {
    capabilities["inheritable"] = bounding;
    capabilities["permitted"] = bounding;
  }
  if (!ambient.empty()) capabilities["ambient"] = ambient;
  process["capabilities"] = capabilities;

  auto rlimits = pick_or(in, &CC::rlimits, {});
  if (!rlimits.empty()) process["rlimits"] = oci_list(rlimits);
  if (pick_or(in, &CC::no_new_privileges, false)) process["noNewPrivileges"] = true;
  if (const auto& oom = pick(in, &CC::oom_score_adj)) process["oomScoreAdj"] = *oom;
  c["process"] = process;

  ojson root = {{"path", "rootfs"}};
  if (spec.readonly) root["readonly"] = true;
  c["root"] = root;
  std::string hostname = pick_string(in, &CC::hostname, "");
  if (!hostname.empty()) c["hostname"] = hostname;
  c["mounts"] = build_mounts(in, spec.readonly);
  auto annotations = pick_or(in, &CC::annotations, {});
  if (!annotations.empty()) c["annotations"] = string_map(annotations);

  // Devices: a node in linux.devices plus a cgroup rule letting the container use it;
  // "path: all" only opens the cgroup for the whole type.
  ojson devices = ojson::array();
  std::vector<spec::DeviceRule> device_rules;
  for (const auto& d : pick_or(in, &CC::devices, {})) {
    spec::DeviceRule rule{true, d.type, std::nullopt, std::nullopt, "rwm"};
    if (d.path == "all") {
      device_rules.push_back(rule);
      continue;
    }
    ojson dev = {{"path", d.path}, {"type", d.type}, {"major", d.major.value_or(0)}, {"minor", d.minor.value_or(0)}};
    if (d.mode) dev["fileMode"] = *d.mode;
    devices.push_back(dev);
    rule.major = d.major.value_or(0);
    rule.minor = d.minor.value_or(0);
    device_rules.push_back(rule);
  }

  ojson linux = ojson::object();
  auto uid_maps = pick_or(in, &CC::uid_mappings, {});
  if (!uid_maps.empty()) linux["uidMappings"] = oci_list(uid_maps);
  auto gid_maps = pick_or(in, &CC::gid_mappings, {});
  if (!gid_maps.empty()) linux["gidMappings"] = oci_list(gid_maps);
  auto sysctl = pick_or(in, &CC::sysctl, {});
  if (!sysctl.empty()) linux["sysctl"] = string_map(sysctl);
  linux["resources"] = build_resources(in, device_rules);
  std::string cgroups_path = pick_string(in, &CC::cgroups_path, "");
  if (!cgroups_path.empty()) linux["cgroupsPath"] = cgroups_path;

  ojson namespaces = ojson::array();
  add_namespace(namespaces, "network", pick_string(in, &CC::net, "root"), {"new", "none"});
  add_namespace(namespaces, "ipc", pick_string(in, &CC::ipc, "root"), {"new"});
  add_namespace(namespaces, "uts", pick_string(in, &CC::uts, "root"), {"new"});
  add_namespace(namespaces, "pid", pick_string(in, &CC::pid, ""), {"new"});
  add_namespace(namespaces, "user", pick_string(in, &CC::userns, "root"), {"new"});
  namespaces.push_back({{"type", "mount"}});
  linux["namespaces"] = namespaces;
  if (!devices.empty()) linux["devices"] = devices;
  std::string prop = pick_string(in, &CC::rootfs_propagation, "");
  if (!prop.empty()) linux["rootfsPropagation"] = prop;
  auto masked = pick_or(in, &CC::masked_paths, {});
  if (!masked.empty()) linux["maskedPaths"] = string_list(masked);
  auto readonly_paths = pick_or(in, &CC::readonly_paths, {});
  if (!readonly_paths.empty()) linux["readonlyPaths"] = string_list(readonly_paths);
  c["linux"] = linux;

  spec.runtime = build_runtime(in);
  return spec;
}

std::string oci_json_text(const ojson& j) { return j.dump(4) + "\n"; }

}  // namespace lk::rootfs
