#include "guest/runtime.h"

#include <sys/mount.h>

#include <map>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/strings.h"

namespace lk::guest {
namespace {

using nlohmann::json;

std::string str_field(const json& j, const char* key, const std::string& what) {
  if (!j.contains(key) || j[key].is_null()) return "";
  if (!j[key].is_string()) throw InputError(what + ": " + key + ": expected a string");
  return j[key].get<std::string>();
}

std::vector<std::string> str_list(const json& j, const char* key, const std::string& what) {
  std::vector<std::string> out;
  if (!j.contains(key) || j[key].is_null()) return out;
  if (!j[key].is_array()) throw InputError(what + ": " + key + ": expected a list of strings");
  for (const auto& v : j[key]) {
    if (!v.is_string()) throw InputError(what + ": " + key + ": expected a list of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

RuntimeConfig parse_runtime(std::string_view text, const std::string& what) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw InputError(what + ": invalid JSON: " + e.what());
  }
  RuntimeConfig rc;
  if (j.is_null()) return rc;
  if (!j.is_object()) throw InputError(what + ": expected a JSON object");
  rc.cgroups = str_list(j, "cgroups", what);
  rc.mkdir = str_list(j, "mkdir", what);
  rc.ns = str_field(j, "namespace", what);
  if (j.contains("mounts") && !j["mounts"].is_null()) {
    if (!j["mounts"].is_array()) throw InputError(what + ": mounts: expected a list");
    for (size_t i = 0; i < j["mounts"].size(); ++i) {
      const auto& m = j["mounts"][i];
      std::string at = what + ": mounts[" + std::to_string(i) + "]";
      if (!m.is_object()) throw InputError(at + ": expected an object");
      RuntimeMount rm{str_field(m, "source", at), str_field(m, "destination", at), str_field(m, "type", at),
                      str_list(m, "options", at)};
      if (rm.destination.empty()) throw InputError(at + ": destination is required");
      rc.mounts.push_back(std::move(rm));
    }
  }
  if (j.contains("interfaces") && !j["interfaces"].is_null()) {
    if (!j["interfaces"].is_array()) throw InputError(what + ": interfaces: expected a list");
    for (size_t i = 0; i < j["interfaces"].size(); ++i) {
      const auto& n = j["interfaces"][i];
      std::string at = what + ": interfaces[" + std::to_string(i) + "]";
      if (!n.is_object()) throw InputError(at + ": expected an object");
      RuntimeInterface ri{str_field(n, "name", at), str_field(n, "add", at), str_field(n, "peer", at), false};
      if (n.contains("createInRoot") && !n["createInRoot"].is_null()) {
        if (!n["createInRoot"].is_boolean()) throw InputError(at + ": createInRoot: expected true or false");
        ri.create_in_root = n["createInRoot"].get<bool>();
      }
      if (ri.name.empty()) throw InputError(at + ": name is required");
      // LinuxKit: a peer without "add" means a veth pair.
      if (!ri.peer.empty() && ri.add.empty()) ri.add = "veth";
      if (ri.add == "veth" && ri.peer.empty()) throw InputError(at + ": a veth pair needs a peer");
      rc.interfaces.push_back(std::move(ri));
    }
  }
  if (j.contains("bindNS") && !j["bindNS"].is_null()) {
    const auto& b = j["bindNS"];
    if (!b.is_object()) throw InputError(what + ": bindNS: expected an object");
    for (const char* ns : {"cgroup", "ipc", "mnt", "net", "pid", "user", "uts"}) {
      std::string path = str_field(b, ns, what + ": bindNS");
      if (!path.empty()) rc.bind_ns.emplace_back(ns, path);
    }
  }
  return rc;
}

MountArgs parse_mount_options(const std::vector<std::string>& options) {
  // set flags, clear flags
  static const std::map<std::string, std::pair<unsigned long, unsigned long>> kFlags = {
      {"defaults", {0, 0}},
      {"ro", {MS_RDONLY, 0}},
      {"rw", {0, MS_RDONLY}},
      {"nosuid", {MS_NOSUID, 0}},
      {"suid", {0, MS_NOSUID}},
      {"nodev", {MS_NODEV, 0}},
      {"dev", {0, MS_NODEV}},
      {"noexec", {MS_NOEXEC, 0}},
      {"exec", {0, MS_NOEXEC}},
      {"sync", {MS_SYNCHRONOUS, 0}},
      {"async", {0, MS_SYNCHRONOUS}},
      {"dirsync", {MS_DIRSYNC, 0}},
      {"remount", {MS_REMOUNT, 0}},
      {"mand", {MS_MANDLOCK, 0}},
      {"nomand", {0, MS_MANDLOCK}},
      {"atime", {0, MS_NOATIME}},
      {"noatime", {MS_NOATIME, 0}},
      {"diratime", {0, MS_NODIRATIME}},
      {"nodiratime", {MS_NODIRATIME, 0}},
      {"bind", {MS_BIND, 0}},
      {"rbind", {MS_BIND | MS_REC, 0}},
      {"relatime", {MS_RELATIME, 0}},
      {"norelatime", {0, MS_RELATIME}},
      {"strictatime", {MS_STRICTATIME, 0}},
      {"nostrictatime", {0, MS_STRICTATIME}},
  };
  static const std::map<std::string, unsigned long> kPropagation = {
      {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
      {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
      {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
      {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
  };
  MountArgs a;
  for (const auto& o : options) {
    if (auto f = kFlags.find(o); f != kFlags.end()) {
      a.flags = (a.flags | f->second.first) & ~f->second.second;
    } else if (auto p = kPropagation.find(o); p != kPropagation.end()) {
      a.propagation |= p->second;
    } else {
      if (!a.data.empty()) a.data += ',';
      a.data += o;
    }
  }
  return a;
}

std::string bundle_path(const std::string& bundle, const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  std::string p = path;
  while (p.rfind("./", 0) == 0) p.erase(0, 2);
  return bundle + "/" + p;
}

std::string overlay_data_in_bundle(const std::string& bundle, const std::string& data) {
  std::string out;
  for (const auto& opt : split(data, ',')) {
    std::string o = opt;
    auto eq = o.find('=');
    if (eq != std::string::npos) {
      std::string key = o.substr(0, eq), val = o.substr(eq + 1);
      if (key == "lowerdir") {
        std::string lows;
        for (const auto& l : split(val, ':')) lows += (lows.empty() ? "" : ":") + bundle_path(bundle, l);
        o = key + "=" + lows;
      } else if (key == "upperdir" || key == "workdir") {
        o = key + "=" + bundle_path(bundle, val);
      }
    }
    if (!out.empty()) out += ',';
    out += o;
  }
  return out;
}

std::vector<std::string> overlay_dirs_to_create(const std::string& data) {
  std::vector<std::string> out;
  for (const auto& opt : split(data, ',')) {
    auto eq = opt.find('=');
    if (eq == std::string::npos) continue;
    std::string key = opt.substr(0, eq);
    if (key == "upperdir" || key == "workdir") out.push_back(opt.substr(eq + 1));
  }
  return out;
}

}  // namespace lk::guest
