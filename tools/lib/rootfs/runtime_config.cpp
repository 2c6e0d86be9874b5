#include "rootfs/runtime_config.h"

#include <algorithm>
#include <map>
#include <set>

#include "oci/capabilities.h"
#include "base/diagnostics.h"
#include "base/error.h"
#include "spec/schema.h"
#include "spec/yaml_source.h"

namespace lk::rootfs {

using nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace {

// The runtime-spec version whose field names and order config.json follows.
constexpr const char* kOciVersion = "1.2.0";

// YAML > label, per field; null when neither set it. A key set to an empty list
// still wins: that is how a spec removes what a label gives.
json pick(const OciInputs& in, const char* key) {
  if (in.yaml.is_object() && in.yaml.contains(key)) return in.yaml[key];
  if (in.label.is_object() && in.label.contains(key)) return in.label[key];
  return nullptr;
}

std::vector<std::string> strings_of(const json& j) {
  std::vector<std::string> out;
  if (j.is_array())
    for (const auto& s : j) out.push_back(s.get<std::string>());
  return out;
}

// Appends ADD to LIST, skipping what is already there (LinuxKit concatenates blindly).
void merge_unique(std::vector<std::string>& list, const std::vector<std::string>& add) {
  for (const auto& s : add)
    if (std::find(list.begin(), list.end(), s) == list.end()) list.push_back(s);
}

// "REPLACE" wins outright; otherwise label's list plus both *.add lists.
std::vector<std::string> with_adds(const OciInputs& in, const char* key, const std::string& add_key) {
  if (in.yaml.is_object() && in.yaml.contains(key)) return strings_of(in.yaml[key]);
  std::vector<std::string> out;
  if (in.label.is_object()) {
    merge_unique(out, strings_of(in.label.value(key, json::array())));
    merge_unique(out, strings_of(in.label.value(add_key, json::array())));
  }
  if (in.yaml.is_object()) merge_unique(out, strings_of(in.yaml.value(add_key, json::array())));
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

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t p = s.find(sep, start);
    parts.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
    if (p == std::string::npos) return parts;
    start = p + 1;
  }
}

// Copies the keys of SRC that appear in ORDER, in that order (the Go struct's order).
ojson ordered(const json& src, std::initializer_list<const char*> order) {
  ojson out = ojson::object();
  for (const char* k : order)
    if (src.contains(k)) out[k] = ojson::parse(src[k].dump());
  return out;
}

ojson to_ojson(const json& j) { return ojson::parse(j.dump()); }

ojson mount_json(const json& m) {
  ojson out = ojson::object();
  out["destination"] = m.value("destination", "");
  for (const char* k : {"type", "source"})
    if (!m.value(k, "").empty()) out[k] = m[k];
  if (m.contains("options") && !m["options"].empty()) out["options"] = to_ojson(m["options"]);
  for (const char* k : {"uidMappings", "gidMappings"})
    if (m.contains(k) && !m[k].empty()) {
      ojson maps = ojson::array();
      for (const auto& x : m[k]) maps.push_back(ordered(x, {"containerID", "hostID", "size"}));
      out[k] = maps;
    }
  return out;
}

std::string default_mountpoint(const std::string& type) {
  static const std::map<std::string, std::string> d = {{"proc", "/proc"},     {"devpts", "/dev/pts"},
                                                       {"sysfs", "/sys"},     {"cgroup", "/sys/fs/cgroup"},
                                                       {"mqueue", "/dev/mqueue"}};
  auto it = d.find(type);
  return it == d.end() ? "" : it->second;
}

ojson build_mounts(const OciInputs& in, bool readonly) {
  // Keyed by destination: a later mount on the same place replaces an earlier one,
  // and the list comes out sorted by destination, as runc wants parents first.
  std::map<std::string, json> mounts;
  json dev_opts = {"nosuid", "strictatime", "mode=755", "size=65536k"};
  json sys_opts = {"nosuid", "noexec", "nodev"};
  if (readonly) {
    dev_opts.push_back("ro");
    sys_opts.push_back("ro");
  }
  mounts["/proc"] = {{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"},
                     {"options", {"nosuid", "nodev", "noexec", "relatime"}}};
  mounts["/dev"] = {{"destination", "/dev"}, {"type", "tmpfs"}, {"source", "tmpfs"}, {"options", dev_opts}};
  mounts["/dev/pts"] = {{"destination", "/dev/pts"}, {"type", "devpts"}, {"source", "devpts"},
                        {"options", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}}};
  mounts["/sys"] = {{"destination", "/sys"}, {"type", "sysfs"}, {"source", "sysfs"}, {"options", sys_opts}};
  mounts["/sys/fs/cgroup"] = {{"destination", "/sys/fs/cgroup"}, {"type", "cgroup"}, {"source", "cgroup"},
                              {"options", {"nosuid", "noexec", "nodev", "relatime", "ro"}}};

  for (const auto& t : strings_of(pick(in, "tmpfs"))) {
    auto parts = split(t, ':');
    json opts = json::array();
    if (parts.size() == 2)
      for (const auto& o : split(parts[1], ',')) opts.push_back(o);
    mounts[parts[0]] = {{"destination", parts[0]}, {"type", "tmpfs"}, {"source", "tmpfs"}, {"options", opts}};
  }
  for (const auto& b : with_adds(in, "binds", "binds.add")) {
    auto parts = split(b, ':');
    if (parts.size() < 2 || parts.size() > 3) throw InputError("bind \"" + b + "\" must be SOURCE:DESTINATION[:OPTIONS]");
    json opts = json::array({"rw", "rbind", "rshared"});
    if (parts.size() == 3) {
      opts = json::array();
      for (const auto& o : split(parts[2], ',')) opts.push_back(o);
      opts.push_back("rbind");
    }
    mounts[parts[1]] = {{"destination", parts[1]}, {"type", "bind"}, {"source", parts[0]}, {"options", opts}};
  }
  json explicit_mounts = pick(in, "mounts");
  if (explicit_mounts.is_array()) {
    for (json m : explicit_mounts) {
      std::string type = m.value("type", ""), src = m.value("source", ""), dest = m.value("destination", "");
      if (type.empty() && (src == "mqueue" || src == "devpts" || src == "proc" || src == "sysfs" || src == "cgroup"))
        type = src;
      if (type.empty() && dest == "/dev") type = "tmpfs";
      if (type.empty()) throw InputError("mount on \"" + dest + "\" has no type");
      if (src.empty()) src = type;
      if (dest.empty()) dest = default_mountpoint(type);
      if (dest.empty()) throw InputError("mount of type \"" + type + "\" has no destination");
      m["type"] = type;
      m["source"] = src;
      m["destination"] = dest;
      mounts[dest] = m;
    }
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

std::string pick_string(const OciInputs& in, const char* key, const std::string& dflt) {
  json v = pick(in, key);
  return v.is_string() ? v.get<std::string>() : dflt;
}

ojson build_resources(const OciInputs& in, const json& device_rules) {
  json r = pick(in, "resources");
  if (!r.is_object()) r = json::object();
  json disable_oom = pick(in, "disableOOMKiller");
  if (disable_oom.is_boolean() && !(r.contains("memory") && r["memory"].contains("disableOOMKiller")))
    r["memory"]["disableOOMKiller"] = disable_oom;
  ojson out = ojson::object();
  ojson devices = ojson::array();
  for (const auto& d : r.value("devices", json::array())) devices.push_back(ordered(d, {"allow", "type", "major", "minor", "access"}));
  for (const auto& d : device_rules) devices.push_back(ordered(d, {"allow", "type", "major", "minor", "access"}));
  if (!devices.empty()) out["devices"] = devices;
  if (r.contains("memory"))
    out["memory"] = ordered(r["memory"], {"limit", "reservation", "swap", "kernel", "kernelTCP", "swappiness",
                                          "disableOOMKiller", "useHierarchy"});
  if (r.contains("cpu"))
    out["cpu"] = ordered(r["cpu"], {"shares", "quota", "period", "realtimeRuntime", "realtimePeriod", "cpus", "mems", "idle"});
  if (r.contains("pids")) out["pids"] = ordered(r["pids"], {"limit"});
  if (r.contains("blockio")) {
    const json& b = r["blockio"];
    ojson bo = ordered(b, {"weight", "leafWeight"});
    if (b.contains("weightDevice")) {
      ojson l = ojson::array();
      for (const auto& w : b["weightDevice"]) l.push_back(ordered(w, {"major", "minor", "weight", "leafWeight"}));
      bo["weightDevice"] = l;
    }
    for (const char* k : {"throttleReadBpsDevice", "throttleWriteBpsDevice", "throttleReadIOPSDevice", "throttleWriteIOPSDevice"})
      if (b.contains(k)) {
        ojson l = ojson::array();
        for (const auto& t : b[k]) l.push_back(ordered(t, {"major", "minor", "rate"}));
        bo[k] = l;
      }
    out["blockIO"] = bo;
  }
  if (r.contains("hugepageLimits")) {
    ojson l = ojson::array();
    for (const auto& h : r["hugepageLimits"]) l.push_back(ordered(h, {"pageSize", "limit"}));
    out["hugepageLimits"] = l;
  }
  if (r.contains("network")) {
    ojson n = ordered(r["network"], {"classID"});
    if (r["network"].contains("priorities")) {
      ojson l = ojson::array();
      for (const auto& p : r["network"]["priorities"]) l.push_back(ordered(p, {"name", "priority"}));
      n["priorities"] = l;
    }
    out["network"] = n;
  }
  if (r.contains("rdma")) out["rdma"] = to_ojson(r["rdma"]);
  return out;
}

ojson build_runtime(const OciInputs& in) {
  json y = in.yaml.is_object() ? in.yaml.value("runtime", json::object()) : json::object();
  json l = in.label.is_object() ? in.label.value("runtime", json::object()) : json::object();
  auto field = [&](const char* k, json dflt) { return y.contains(k) ? y[k] : l.contains(k) ? l[k] : dflt; };
  ojson out = ojson::object();
  out["cgroups"] = to_ojson(field("cgroups", json::array()));
  ojson mounts = ojson::array();
  for (const auto& m : field("mounts", json::array())) mounts.push_back(mount_json(m));
  out["mounts"] = mounts;
  out["mkdir"] = to_ojson(field("mkdir", json::array()));
  ojson ifs = ojson::array();
  for (const auto& i : field("interfaces", json::array())) {
    ojson o = ordered(i, {"name", "add", "peer"});
    o["createInRoot"] = i.value("createInRoot", false);
    ifs.push_back(o);
  }
  out["interfaces"] = ifs;
  json yb = y.value("bindNS", json::object()), lb = l.value("bindNS", json::object());
  ojson bind = ojson::object();
  for (const char* k : {"cgroup", "ipc", "mnt", "net", "pid", "user", "uts"})
    bind[k] = yb.contains(k) ? yb[k] : lb.contains(k) ? lb[k] : json("");
  out["bindNS"] = bind;
  out["namespace"] = field("namespace", "");
  return out;
}

json resolve_id(const json& v, const json& ids, const std::string& where) {
  if (v.is_number()) return v;
  std::string name = v.get<std::string>();
  if (name.empty() || name == "root") return 0;
  if (ids.is_object() && ids.contains(name)) return ids[name];
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

spec::shape::Check container_config_shape() {
  using namespace spec::shape;
  Check id_maps = list(object({{"containerID", number()}, {"hostID", number()}, {"size", number()}}));
  Check mount = object({{"destination", string()}, {"type", string()}, {"source", string()}, {"options", strings()},
                        {"uidMappings", id_maps}, {"gidMappings", id_maps}});
  Check objects = list(map(any()));
  return object({
      {"readonly", boolean()},
      {"capabilities", strings()},
      {"capabilities.add", strings()},
      {"ambient", strings()},
      {"uid", number()},
      {"gid", number()},
      {"additionalGids", list(number())},
      {"command", strings()},
      {"env", strings()},
      {"cwd", string()},
      {"hostname", string()},
      {"cgroupsPath", string()},
      {"rootfsPropagation", string()},
      {"net", string()},
      {"ipc", string()},
      {"uts", string()},
      {"pid", string()},
      {"userns", string()},
      {"rlimits", list(object({{"type", string()}, {"soft", number()}, {"hard", number()}}))},
      {"noNewPrivileges", boolean()},
      {"oomScoreAdj", number()},
      {"disableOOMKiller", boolean()},
      {"tmpfs", strings()},
      {"binds", strings()},
      {"binds.add", strings()},
      {"mounts", list(mount)},
      {"annotations", map(string())},
      {"devices", list(object({{"path", string(), true}, {"type", string(), true}, {"major", number()},
                               {"minor", number()}, {"mode", number()}}))},
      {"uidMappings", id_maps},
      {"gidMappings", id_maps},
      {"sysctl", map(string())},
      {"maskedPaths", strings()},
      {"readonlyPaths", strings()},
      {"resources", object({{"devices", objects},
                            {"memory", map(any())},
                            {"cpu", map(any())},
                            {"pids", map(any())},
                            {"blockio", object({{"weightDevice", objects},
                                                {"throttleReadBpsDevice", objects},
                                                {"throttleWriteBpsDevice", objects},
                                                {"throttleReadIOPSDevice", objects},
                                                {"throttleWriteIOPSDevice", objects}})},
                            {"hugepageLimits", objects},
                            {"network", object({{"priorities", objects}})},
                            {"rdma", map(any())}})},
      {"runtime", object({{"cgroups", strings()},
                          {"mounts", list(mount)},
                          {"mkdir", strings()},
                          {"interfaces", list(object({{"name", string()}, {"add", string()}, {"peer", string()},
                                                      {"createInRoot", boolean()}}))},
                          {"bindNS", map(string())},
                          {"namespace", string()}})},
  });
}

json parse_moby_label(const std::string& text, const json& ids, const std::string& where) {
  Diagnostics diag;
  std::string name = where + " label org.mobyproject.config";
  YAML::Node node = spec::load_yaml(name, text, diag);
  diag.throw_if_any();
  if (!node || node.IsNull()) return nullptr;
  spec::check::Walk walk{name, diag};
  json label = spec::image_spec_checker(true)(node, "", walk);
  diag.throw_if_any();
  for (const char* k : {"uid", "gid"})
    if (label.contains(k)) label[k] = resolve_id(label[k], ids, where);
  if (label.contains("additionalGids"))
    for (auto& g : label["additionalGids"]) g = resolve_id(g, ids, where);
  return label;
}

OciSpec make_oci_spec(const OciInputs& in) {
  OciSpec spec;
  const json image = in.image.is_object() ? in.image : json::object();
  json ro = pick(in, "readonly");
  spec.readonly = ro.is_boolean() && ro.get<bool>();

  auto caps = expand_caps(with_adds(in, "capabilities", "capabilities.add"));
  auto ambient = expand_caps(strings_of(pick(in, "ambient")));
  std::set<std::string> bounding_set(caps.begin(), caps.end());
  bounding_set.insert(ambient.begin(), ambient.end());
  std::vector<std::string> bounding(bounding_set.begin(), bounding_set.end());

  ojson& c = spec.config;
  c["ociVersion"] = kOciVersion;

  ojson process = ojson::object();
  ojson user = ojson::object();
  json uid = pick(in, "uid"), gid = pick(in, "gid"), groups = pick(in, "additionalGids");
  user["uid"] = uid.is_number() ? uid : json(0);
  user["gid"] = gid.is_number() ? gid : json(0);
  if (groups.is_array() && !groups.empty()) user["additionalGids"] = to_ojson(groups);
  process["user"] = user;

  json args = pick(in, "command");
  if (args.is_null()) {
    args = json::array();
    for (const char* k : {"Entrypoint", "Cmd"})
      if (image.contains(k) && image[k].is_array())
        for (const auto& a : image[k]) args.push_back(a);
  }
  if (!args.empty()) process["args"] = to_ojson(args);
  json env = pick(in, "env");
  if (env.is_null() && image.contains("Env")) env = image["Env"];
  if (env.is_array() && !env.empty()) process["env"] = to_ojson(env);
  std::string cwd = pick_string(in, "cwd", image.value("WorkingDir", json("")).is_string() ? image.value("WorkingDir", "") : "");
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

  json rlimits = pick(in, "rlimits");
  if (rlimits.is_array() && !rlimits.empty()) {
    ojson l = ojson::array();
    for (const auto& r : rlimits) l.push_back(ordered(r, {"type", "hard", "soft"}));
    process["rlimits"] = l;
  }
  json nnp = pick(in, "noNewPrivileges");
  if (nnp.is_boolean() && nnp.get<bool>()) process["noNewPrivileges"] = true;
  json oom = pick(in, "oomScoreAdj");
  if (oom.is_number()) process["oomScoreAdj"] = oom;
  c["process"] = process;

  ojson root = {{"path", "rootfs"}};
  if (spec.readonly) root["readonly"] = true;
  c["root"] = root;
  std::string hostname = pick_string(in, "hostname", "");
  if (!hostname.empty()) c["hostname"] = hostname;
  c["mounts"] = build_mounts(in, spec.readonly);
  json annotations = pick(in, "annotations");
  if (annotations.is_object() && !annotations.empty()) c["annotations"] = to_ojson(annotations);

  // Devices: a node in linux.devices plus a cgroup rule letting the container use it;
  // "path: all" only opens the cgroup for the whole type.
  ojson devices = ojson::array();
  json device_rules = json::array();
  json devs = pick(in, "devices");
  if (devs.is_array()) {
    for (const auto& d : devs) {
      if (d["path"] == "all") {
        device_rules.push_back({{"allow", true}, {"type", d["type"]}, {"access", "rwm"}});
        continue;
      }
      ojson dev = {{"path", d["path"]}, {"type", d["type"]}, {"major", d.value("major", 0)}, {"minor", d.value("minor", 0)}};
      if (d.contains("mode")) dev["fileMode"] = d["mode"];
      devices.push_back(dev);
      device_rules.push_back({{"allow", true}, {"type", d["type"]}, {"major", d.value("major", 0)},
                              {"minor", d.value("minor", 0)}, {"access", "rwm"}});
    }
  }

  ojson linux = ojson::object();
  for (const char* k : {"uidMappings", "gidMappings"}) {
    json m = pick(in, k);
    if (m.is_array() && !m.empty()) {
      ojson l = ojson::array();
      for (const auto& x : m) l.push_back(ordered(x, {"containerID", "hostID", "size"}));
      linux[k] = l;
    }
  }
  json sysctl = pick(in, "sysctl");
  if (sysctl.is_object() && !sysctl.empty()) linux["sysctl"] = to_ojson(sysctl);
  linux["resources"] = build_resources(in, device_rules);
  std::string cgroups_path = pick_string(in, "cgroupsPath", "");
  if (!cgroups_path.empty()) linux["cgroupsPath"] = cgroups_path;

  ojson namespaces = ojson::array();
  add_namespace(namespaces, "network", pick_string(in, "net", "root"), {"new", "none"});
  add_namespace(namespaces, "ipc", pick_string(in, "ipc", "root"), {"new"});
  add_namespace(namespaces, "uts", pick_string(in, "uts", "root"), {"new"});
  add_namespace(namespaces, "pid", pick_string(in, "pid", ""), {"new"});
  add_namespace(namespaces, "user", pick_string(in, "userns", "root"), {"new"});
  namespaces.push_back({{"type", "mount"}});
  linux["namespaces"] = namespaces;
  if (!devices.empty()) linux["devices"] = devices;
  std::string prop = pick_string(in, "rootfsPropagation", "");
  if (!prop.empty()) linux["rootfsPropagation"] = prop;
  for (const char* k : {"maskedPaths", "readonlyPaths"}) {
    json p = pick(in, k);
    if (p.is_array() && !p.empty()) linux[k] = to_ojson(p);
  }
  c["linux"] = linux;

  spec.runtime = build_runtime(in);
  return spec;
}

std::string oci_json_text(const ojson& j) { return j.dump(4) + "\n"; }

}  // namespace lk::rootfs
