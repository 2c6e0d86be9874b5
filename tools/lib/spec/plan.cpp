#include "spec/plan.h"

#include <limits>
#include <set>
#include <type_traits>

#include "base/error.h"
#include "oci/digest.h"

namespace lk::spec {

using nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace {

// Each type's fields are listed once, in a fields(V&, T&) that both the reader and the
// writer walk: V::req (must be there), V::def (may be absent: the default stays; always
// written), V::opt (std::optional: written only when set), V::nullable (a string or
// null, always written), V::nonempty (a string written only when not empty). The order
// is the OCI runtime-spec's where lk writes the type into config.json.
template <class V>
void fields(V& v, IdMapping& x);
template <class V>
void fields(V& v, Mount& x);
template <class V>
void fields(V& v, Rlimit& x);
template <class V>
void fields(V& v, Device& x);
template <class V>
void fields(V& v, DeviceRule& x);
template <class V>
void fields(V& v, Memory& x);
template <class V>
void fields(V& v, Cpu& x);
template <class V>
void fields(V& v, Pids& x);
template <class V>
void fields(V& v, WeightDevice& x);
template <class V>
void fields(V& v, ThrottleDevice& x);
template <class V>
void fields(V& v, BlockIo& x);
template <class V>
void fields(V& v, HugepageLimit& x);
template <class V>
void fields(V& v, NetPriority& x);
template <class V>
void fields(V& v, Network& x);
template <class V>
void fields(V& v, Resources& x);
template <class V>
void fields(V& v, Interface& x);
template <class V>
void fields(V& v, BindNs& x);
template <class V>
void fields(V& v, Runtime& x);
template <class V>
void fields(V& v, ContainerConfig& x);
template <class V>
void fields(V& v, PlatformManifest& x);
template <class V>
void fields(V& v, ImageEntry& x);
template <class V>
void fields(V& v, Kernel& x);
template <class V>
void fields(V& v, Container& x);
template <class V>
void fields(V& v, Volume& x);
template <class V>
void fields(V& v, FileEntry& x);

// --- reading -----------------------------------------------------------------------

const char* describe(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "a list";
    case json::value_t::object: return "an object";
    default: return "a number";
  }
}

std::string sub(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }
std::string item(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

[[noreturn]] void mismatch(const json& v, const std::string& path, const std::string& expected) {
  throw InputError((path.empty() ? std::string() : path + ": ") + "expected " + expected + ", got " + describe(v));
}

void read(const json& v, const std::string& path, std::string& out) {
  if (!v.is_string()) mismatch(v, path, "a string");
  out = v.get<std::string>();
}

void read(const json& v, const std::string& path, bool& out) {
  if (!v.is_boolean()) mismatch(v, path, "a boolean");
  out = v.get<bool>();
}

void read(const json& v, const std::string& path, int64_t& out) {
  if (!v.is_number()) mismatch(v, path, "a number");
  if (v.is_number_float()) throw InputError(path + ": expected a whole number, got " + v.dump());
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    throw InputError(path + ": " + v.dump() + " is out of range");
  out = v.get<int64_t>();
}

void read(const json& v, const std::string& path, uint64_t& out) {
  if (!v.is_number()) mismatch(v, path, "a number");
  if (v.is_number_float()) throw InputError(path + ": expected a whole number, got " + v.dump());
  if (v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() < 0)
    throw InputError(path + ": expected a number 0 or above, got " + v.dump());
  out = v.get<uint64_t>();
}

void read(const json& v, const std::string&, json& out) { out = v; }

void read(const json& v, const std::string& path, Strings& out) {
  if (!v.is_array()) mismatch(v, path, "a list of strings");
  out.clear();
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) mismatch(v[i], item(path, i), "a string (in a list of strings)");
    out.push_back(v[i].get<std::string>());
  }
}

template <class T>
void read(const json& v, const std::string& path, std::vector<T>& out);
template <class T>
void read(const json& v, const std::string& path, std::map<std::string, T>& out);
template <class T>
void read(const json& v, const std::string& path, T& out);

class Reader {
public:
  Reader(const json& j, std::string path) : j_(j), path_(std::move(path)) {}

  template <class T>
  void req(const char* key, T& out) {
    const json* v = find(key);
    if (!v) throw InputError(sub(path_, key) + ": missing");
    read(*v, sub(path_, key), out);
  }
  template <class T>
  void def(const char* key, T& out) {
    if (const json* v = find(key)) read(*v, sub(path_, key), out);
  }
  template <class T>
  void opt(const char* key, std::optional<T>& out) {
    if (const json* v = find(key)) {
      T t{};
      read(*v, sub(path_, key), t);
      out = std::move(t);
    }
  }
  void nullable(const char* key, std::optional<std::string>& out) {
    const json* v = find(key);
    if (v && !v->is_null()) {
      std::string s;
      read(*v, sub(path_, key), s);
      out = std::move(s);
    }
  }
  void nonempty(const char* key, std::string& out) {
    if (const json* v = find(key)) {
      read(*v, sub(path_, key), out);
      if (out.empty()) throw InputError(sub(path_, key) + ": expected a non-empty string");
    }
  }
  void skip(const char* key) { seen_.insert(key); }  // read by the caller
  // A key no field claimed: a typo, or meant for another tool (see plan.h).
  void finish() const {
    for (const auto& [k, v] : j_.items())
      if (!seen_.count(k)) throw InputError(sub(path_, k) + ": unknown key (lk has no such field; a typo?)");
  }

private:
  const json* find(const char* key) {
    seen_.insert(key);
    auto it = j_.find(key);
    return it == j_.end() ? nullptr : &*it;
  }
  const json& j_;
  std::string path_;
  std::set<std::string> seen_;
};

template <class T>
void read(const json& v, const std::string& path, std::vector<T>& out) {
  if (!v.is_array()) mismatch(v, path, "a list");
  out.assign(v.size(), T{});
  for (size_t i = 0; i < v.size(); ++i) read(v[i], item(path, i), out[i]);
}

template <class T>
void read(const json& v, const std::string& path, std::map<std::string, T>& out) {
  if (!v.is_object()) mismatch(v, path, "an object");
  out.clear();
  for (const auto& [k, x] : v.items()) read(x, sub(path, k), out[k]);
}

template <class T>
void read(const json& v, const std::string& path, T& out) {
  if (!v.is_object()) mismatch(v, path, "an object");
  Reader r(v, path);
  fields(r, out);
  r.finish();
}

template <class T>
T read_as(const json& v, const std::string& path) {
  T out{};
  read(v, path, out);
  return out;
}

// --- writing -----------------------------------------------------------------------

template <class J, class T>
J write(const T& x);

template <class J>
class Writer {
public:
  J out = J::object();
  template <class T>
  void req(const char* key, const T& v) {
    out[key] = write<J>(v);
  }
  template <class T>
  void def(const char* key, const T& v) {
    out[key] = write<J>(v);
  }
  template <class T>
  void opt(const char* key, const std::optional<T>& v) {
    if (v) out[key] = write<J>(*v);
  }
  void nullable(const char* key, const std::optional<std::string>& v) { out[key] = v ? J(*v) : J(nullptr); }
  void nonempty(const char* key, const std::string& v) {
    if (!v.empty()) out[key] = v;
  }
  void skip(const char*) {}
};

template <class T>
struct IsVector : std::false_type {};
template <class T>
struct IsVector<std::vector<T>> : std::true_type {};
template <class T>
struct IsMap : std::false_type {};
template <class T>
struct IsMap<std::map<std::string, T>> : std::true_type {};

template <class J, class T>
J write(const T& x) {
  if constexpr (std::is_same_v<T, std::string> || std::is_arithmetic_v<T>) {
    return J(x);
  } else if constexpr (std::is_same_v<T, json>) {
    if constexpr (std::is_same_v<J, json>)
      return x;
    else
      return J::parse(x.dump());
  } else if constexpr (IsVector<T>::value) {
    J a = J::array();
    for (const auto& e : x) a.push_back(write<J>(e));
    return a;
  } else if constexpr (IsMap<T>::value) {
    J o = J::object();
    for (const auto& [k, e] : x) o[k] = write<J>(e);
    return o;
  } else {
    Writer<J> w;
    fields(w, const_cast<T&>(x));  // the writer only reads: one field list serves both ways
    return w.out;
  }
}

// --- the field lists ---------------------------------------------------------------

template <class V>
void fields(V& v, IdMapping& x) {
  v.req("containerID", x.container_id);
  v.req("hostID", x.host_id);
  v.req("size", x.size);
}
template <class V>
void fields(V& v, Mount& x) {
  v.opt("destination", x.destination);
  v.opt("type", x.type);
  v.opt("source", x.source);
  v.opt("options", x.options);
  v.opt("uidMappings", x.uid_mappings);
  v.opt("gidMappings", x.gid_mappings);
}
template <class V>
void fields(V& v, Rlimit& x) {
  v.req("type", x.type);
  v.req("hard", x.hard);
  v.req("soft", x.soft);
}
template <class V>
void fields(V& v, Device& x) {
  v.req("path", x.path);
  v.req("type", x.type);
  v.opt("major", x.major);
  v.opt("minor", x.minor);
  v.opt("mode", x.mode);
}
template <class V>
void fields(V& v, DeviceRule& x) {
  v.req("allow", x.allow);
  v.opt("type", x.type);
  v.opt("major", x.major);
  v.opt("minor", x.minor);
  v.opt("access", x.access);
}
template <class V>
void fields(V& v, Memory& x) {
  v.opt("limit", x.limit);
  v.opt("reservation", x.reservation);
  v.opt("swap", x.swap);
  v.opt("kernel", x.kernel);
  v.opt("kernelTCP", x.kernel_tcp);
  v.opt("swappiness", x.swappiness);
  v.opt("disableOOMKiller", x.disable_oom_killer);
  v.opt("useHierarchy", x.use_hierarchy);
}
template <class V>
void fields(V& v, Cpu& x) {
  v.opt("shares", x.shares);
  v.opt("quota", x.quota);
  v.opt("period", x.period);
  v.opt("realtimeRuntime", x.realtime_runtime);
  v.opt("realtimePeriod", x.realtime_period);
  v.opt("cpus", x.cpus);
  v.opt("mems", x.mems);
  v.opt("idle", x.idle);
}
template <class V>
void fields(V& v, Pids& x) {
  v.req("limit", x.limit);
}
template <class V>
void fields(V& v, WeightDevice& x) {
  v.req("major", x.major);
  v.req("minor", x.minor);
  v.opt("weight", x.weight);
  v.opt("leafWeight", x.leaf_weight);
}
template <class V>
void fields(V& v, ThrottleDevice& x) {
  v.req("major", x.major);
  v.req("minor", x.minor);
  v.req("rate", x.rate);
}
template <class V>
void fields(V& v, BlockIo& x) {
  v.opt("weight", x.weight);
  v.opt("leafWeight", x.leaf_weight);
  v.opt("weightDevice", x.weight_device);
  v.opt("throttleReadBpsDevice", x.throttle_read_bps);
  v.opt("throttleWriteBpsDevice", x.throttle_write_bps);
  v.opt("throttleReadIOPSDevice", x.throttle_read_iops);
  v.opt("throttleWriteIOPSDevice", x.throttle_write_iops);
}
template <class V>
void fields(V& v, HugepageLimit& x) {
  v.req("pageSize", x.page_size);
  v.req("limit", x.limit);
}
template <class V>
void fields(V& v, NetPriority& x) {
  v.req("name", x.name);
  v.req("priority", x.priority);
}
template <class V>
void fields(V& v, Network& x) {
  v.opt("classID", x.class_id);
  v.opt("priorities", x.priorities);
}
template <class V>
void fields(V& v, Resources& x) {
  v.opt("devices", x.devices);
  v.opt("memory", x.memory);
  v.opt("cpu", x.cpu);
  v.opt("pids", x.pids);
  v.opt("blockio", x.blockio);
  v.opt("hugepageLimits", x.hugepage_limits);
  v.opt("network", x.network);
  v.opt("rdma", x.rdma);
}
template <class V>
void fields(V& v, Interface& x) {
  v.req("name", x.name);
  v.opt("add", x.add);
  v.opt("peer", x.peer);
  v.opt("createInRoot", x.create_in_root);
}
template <class V>
void fields(V& v, BindNs& x) {
  v.opt("cgroup", x.cgroup);
  v.opt("ipc", x.ipc);
  v.opt("mnt", x.mnt);
  v.opt("net", x.net);
  v.opt("pid", x.pid);
  v.opt("user", x.user);
  v.opt("uts", x.uts);
}
template <class V>
void fields(V& v, Runtime& x) {
  v.opt("cgroups", x.cgroups);
  v.opt("mounts", x.mounts);
  v.opt("mkdir", x.mkdir);
  v.opt("interfaces", x.interfaces);
  v.opt("bindNS", x.bind_ns);
  v.opt("namespace", x.name_space);
}
template <class V>
void fields(V& v, ContainerConfig& x) {
  v.opt("capabilities", x.capabilities);
  v.opt("capabilities.add", x.capabilities_add);
  v.opt("ambient", x.ambient);
  v.opt("mounts", x.mounts);
  v.opt("binds", x.binds);
  v.opt("binds.add", x.binds_add);
  v.opt("tmpfs", x.tmpfs);
  v.opt("command", x.command);
  v.opt("env", x.env);
  v.opt("cwd", x.cwd);
  v.opt("net", x.net);
  v.opt("pid", x.pid);
  v.opt("ipc", x.ipc);
  v.opt("uts", x.uts);
  v.opt("userns", x.userns);
  v.opt("hostname", x.hostname);
  v.opt("readonly", x.readonly);
  v.opt("maskedPaths", x.masked_paths);
  v.opt("readonlyPaths", x.readonly_paths);
  v.opt("uid", x.uid);
  v.opt("gid", x.gid);
  v.opt("additionalGids", x.additional_gids);
  v.opt("noNewPrivileges", x.no_new_privileges);
  v.opt("oomScoreAdj", x.oom_score_adj);
  v.opt("disableOOMKiller", x.disable_oom_killer);
  v.opt("rootfsPropagation", x.rootfs_propagation);
  v.opt("cgroupsPath", x.cgroups_path);
  v.opt("resources", x.resources);
  v.opt("sysctl", x.sysctl);
  v.opt("rlimits", x.rlimits);
  v.opt("uidMappings", x.uid_mappings);
  v.opt("gidMappings", x.gid_mappings);
  v.opt("annotations", x.annotations);
  v.opt("devices", x.devices);
  v.opt("runtime", x.runtime);
}
template <class V>
void fields(V& v, PlatformManifest& x) {
  v.req("digest", x.digest);
  v.req("platform", x.platform);
}
template <class V>
void pinned_fields(V& v, ImageEntry& x) {
  v.opt("at", x.at);
  v.opt("reference", x.reference);
  v.opt("digest", x.digest);
  v.opt("platform", x.platform);
  v.opt("manifests", x.manifests);
}
template <class V>
void fields(V& v, ImageEntry& x) {
  v.req("image", x.image);
  pinned_fields(v, x);
}
template <class V>
void fields(V& v, Kernel& x) {
  fields(v, static_cast<ImageEntry&>(x));
  v.def("cmdline", x.cmdline);
  v.def("binaries", x.binaries);
  v.nullable("tar", x.tar);
  v.nullable("ucode", x.ucode);
}
template <class V>
void fields(V& v, Container& x) {
  v.req("name", x.name);
  fields(v, static_cast<ImageEntry&>(x));
  v.opt("field_at", x.field_at);
  v.def("config", x.config);
}
template <class V>
void fields(V& v, Volume& x) {
  v.req("name", x.name);
  v.nonempty("image", x.image);
  pinned_fields(v, x);
  v.opt("readonly", x.readonly);
  v.opt("format", x.format);
  v.opt("platforms", x.platforms);
  v.opt("field_at", x.field_at);
}
template <class V>
void fields(V& v, FileEntry& x) {
  v.req("path", x.path);
  v.opt("directory", x.directory);
  v.opt("symlink", x.symlink);
  v.opt("contents", x.contents);
  v.opt("source", x.source);
  v.opt("metadata", x.metadata);
  v.opt("optional", x.optional);
  v.def("mode", x.mode);
  v.def("uid", x.uid);
  v.def("gid", x.gid);
  v.opt("at", x.at);
  v.opt("field_at", x.field_at);
  v.opt("source_path", x.source_path);
  v.opt("source_home", x.source_home);
}
// Plan itself is not walked by write<>: its kernel is null when absent, and "schema"
// comes from the stage.
template <class V>
void plan_fields(V& v, Plan& x) {
  v.skip("schema");
  v.def("specs", x.specs);
  v.def("platform", x.platform);
  v.def("init", x.init);
  v.def("onboot", x.onboot);
  v.def("onshutdown", x.onshutdown);
  v.def("services", x.services);
  v.def("volumes", x.volumes);
  v.def("files", x.files);
  v.def("formats", x.formats);
  v.def("packages", x.packages);
  v.def("ids", x.ids);
  v.opt("spec", x.spec);
}

const char* schema_of(Stage s) { return s == Stage::kLock ? kLockSchema : kPlanSchema; }

// Everything lk-pull pinned is a sha256 digest: a lock is checked here so a hand-made
// one fails at its field, not as a cache path later.
void check_digests(Plan& p) {
  auto check = [](const std::string& d, const std::string& path) {
    if (!oci::is_sha256_digest(d))
      throw InputError(path + ": \"" + d + "\" is not a digest (expected sha256: and 64 lower-case hex digits)");
  };
  for (const auto& slot : images_of(p)) {
    if (slot.image->digest) check(*slot.image->digest, slot.where + ".digest");
    if (slot.image->manifests)
      for (size_t i = 0; i < slot.image->manifests->size(); ++i)
        check((*slot.image->manifests)[i].digest, item(slot.where + ".manifests", i) + ".digest");
  }
}

}  // namespace

const std::vector<ContainerSection>& container_sections() {
  static const std::vector<ContainerSection> s = {
      {"onboot", &Plan::onboot}, {"onshutdown", &Plan::onshutdown}, {"services", &Plan::services}};
  return s;
}

std::vector<ImageSlot> images_of(Plan& plan) {
  std::vector<ImageSlot> out;
  if (plan.kernel) out.push_back({"kernel", &*plan.kernel, nullptr});
  for (size_t i = 0; i < plan.init.size(); ++i) out.push_back({item("init", i), &plan.init[i], nullptr});
  for (const auto& s : container_sections()) {
    auto& list = plan.*s.list;
    for (size_t i = 0; i < list.size(); ++i) out.push_back({item(s.name, i), &list[i], nullptr});
  }
  for (size_t i = 0; i < plan.volumes.size(); ++i)
    if (!plan.volumes[i].image.empty()) out.push_back({item("volumes", i), &plan.volumes[i], &plan.volumes[i]});
  return out;
}

Plan from_json(const json& j, Stage expected, const std::string& file) {
  const json schema = j.is_object() && j.contains("schema") ? j["schema"] : json();
  if (schema != schema_of(expected)) {
    std::string got = j.is_object() && j.contains("schema") ? schema.dump() : std::string("missing");
    if (expected == Stage::kLock)
      throw InputError(file + ": not a lock file (schema is " + got + ", expected " + kLockSchema +
                       "; make it with lk-pull)");
    throw InputError(file + ": not an lk-parse plan (schema is " + got + ", expected " + kPlanSchema +
                     "; make it with lk-parse)");
  }
  Plan p;
  p.stage = expected;
  try {
    Reader r(j, "");
    plan_fields(r, p);
    r.skip("kernel");  // null: the spec has none
    auto k = j.find("kernel");
    if (k != j.end() && !k->is_null()) p.kernel = read_as<Kernel>(*k, "kernel");
    r.finish();
    if (expected == Stage::kLock) check_digests(p);
  } catch (const InputError& e) {
    throw InputError(file + ": " + e.what());
  }
  return p;
}

Plan parse_document(const std::string& text, Stage expected, const std::string& file) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw InputError(file + ": not JSON: " + e.what());
  }
  return from_json(j, expected, file);
}

json to_json(const Plan& plan) {
  Writer<json> w;
  plan_fields(w, const_cast<Plan&>(plan));
  w.out["schema"] = schema_of(plan.stage);
  w.out["kernel"] = plan.kernel ? write<json>(*plan.kernel) : json(nullptr);
  return w.out;
}

std::string document_text(const Plan& plan) { return to_json(plan).dump(2) + "\n"; }

Container container_from_json(const json& j, const std::string& path) { return read_as<Container>(j, path); }
Volume volume_from_json(const json& j, const std::string& path) { return read_as<Volume>(j, path); }
FileEntry file_from_json(const json& j, const std::string& path) { return read_as<FileEntry>(j, path); }
ContainerConfig config_from_json(const json& j, const std::string& path) { return read_as<ContainerConfig>(j, path); }

template <class T>
ojson to_oci_json(const T& x) {
  return write<ojson>(x);
}
template ojson to_oci_json(const IdMapping&);
template ojson to_oci_json(const Rlimit&);
template ojson to_oci_json(const DeviceRule&);
template ojson to_oci_json(const Memory&);
template ojson to_oci_json(const Cpu&);
template ojson to_oci_json(const Pids&);
template ojson to_oci_json(const BlockIo&);
template ojson to_oci_json(const HugepageLimit&);
template ojson to_oci_json(const Network&);

}  // namespace lk::spec
