#include "spec/schema.h"

#include <algorithm>
#include <string_view>

#include "base/diagnostics.h"
#include "base/error.h"
#include "base/strings.h"
#include "oci/capabilities.h"
#include "oci/reference.h"
#include "spec/container_id.h"
#include "spec/output_formats.h"

namespace lk::spec {

using namespace check;

namespace {

bool is_abs(const std::string& s) { return !s.empty() && s[0] == '/'; }

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

Checker image_ref() {
  return refine(nonempty_string(), [](const json& v) -> std::string {
    const auto& s = v.get_ref<const std::string&>();
    if (s.rfind("@pkg:", 0) == 0) return "";
    // lk-pull's own parser, so that lk-parse accepts exactly what lk-pull pulls.
    try {
      oci::parse_reference(s);
      return "";
    } catch (const InputError& e) {
      return std::string(e.what()) + " (expected [REGISTRY/]REPOSITORY[:TAG][@sha256:DIGEST])";
    }
  });
}

Checker container_id(std::string what) {
  return refine(string(),
                [what](const json& v) { return container_id_problem(v.get_ref<const std::string&>(), what); });
}

// files[].path: lk-rootfs would refuse these too, but only here is the line known.
Checker image_path() {
  return refine(nonempty_string(), [](const json& v) -> std::string {
    const auto& p = v.get_ref<const std::string&>();
    if (p.find('\0') != std::string::npos) return "path " + lk::quoted(p) + " has a NUL byte";
    bool named = false;
    for (const auto& part : split(p, '/')) {
      if (part == "..") return "path " + lk::quoted(p) + " has a \"..\" component; a file must stay inside the image";
      named = named || (!part.empty() && part != ".");
    }
    return named ? "" : "path " + lk::quoted(p) + " names the image's root folder";
  });
}

Checker capability_list() {
  return list(refine(string(), [](const json& v) -> std::string {
    const std::string s = v.get<std::string>();
    if (s == "all" || s == "none" || oci::is_capability(s)) return "";
    std::string guess = upper(s);
    if (guess.rfind("CAP_", 0) != 0) guess = "CAP_" + guess;
    if (oci::is_capability(guess)) return "unknown capability \"" + s + "\" (did you mean " + guess + "?)";
    return "unknown capability \"" + s + "\" (expected a CAP_* name, \"all\" or \"none\")";
  }));
}

Checker namespace_value(bool allow_none) {
  return refine(string(), [allow_none](const json& v) -> std::string {
    const std::string s = v.get<std::string>();
    if (s == "host" || s == "root" || s == "new" || is_abs(s) || (allow_none && s == "none")) return "";
    return "\"" + s + "\" is not a namespace (expected host, new" + std::string(allow_none ? ", none" : "") +
           " or an absolute path to a namespace file)";
  });
}

Checker bind_list() {
  return list(refine(string(), [](const json& v) -> std::string {
    const std::string s = v.get<std::string>();
    auto parts = split(s, ':');
    if (parts.size() < 2 || parts.size() > 3) return "bind \"" + s + "\" must be SOURCE:DESTINATION[:OPTIONS]";
    if (parts[0].empty()) return "bind \"" + s + "\" has an empty source";
    if (!is_abs(parts[1])) return "bind \"" + s + "\": destination must be an absolute path";
    return "";
  }));
}

Checker tmpfs_list() {
  return list(refine(string(), [](const json& v) -> std::string {
    const std::string s = v.get<std::string>();
    auto parts = split(s, ':');
    if (parts.size() > 2) return "tmpfs \"" + s + "\" must be DESTINATION[:OPTIONS]";
    if (!is_abs(parts[0])) return "tmpfs \"" + s + "\": destination must be an absolute path";
    return "";
  }));
}

Checker id_mappings() {
  Checker id = integer(0, 4294967295LL);
  return list(object({{"hostID", id, true}, {"containerID", id, true}, {"size", id, true}}));
}

Checker mount_list() {
  return list(object({{"destination", string()},
                      {"type", string()},
                      {"source", string()},
                      {"options", string_list()},
                      {"uidMappings", id_mappings()},
                      {"gidMappings", id_mappings()}}));
}

const std::vector<std::string>& rlimit_names() {
  static const std::vector<std::string> names = {
      "RLIMIT_CPU",      "RLIMIT_FSIZE",  "RLIMIT_DATA",    "RLIMIT_STACK", "RLIMIT_CORE",  "RLIMIT_RSS",
      "RLIMIT_NPROC",    "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS",    "RLIMIT_LOCKS", "RLIMIT_SIGPENDING",
      "RLIMIT_MSGQUEUE", "RLIMIT_NICE",   "RLIMIT_RTPRIO",  "RLIMIT_RTTIME"};
  return names;
}

// "nofile,1024,4096" -> {type: RLIMIT_NOFILE, soft: 1024, hard: 4096}
Checker rlimit_list() {
  return list([](const YAML::Node& n, const std::string& path, const Walk& w) -> json {
    json s = string()(n, path, w);
    if (is_bad(s)) return s;
    auto parts = split(s.get<std::string>(), ',');
    auto fail = [&](const std::string& msg) {
      w.error(n, path, "rlimit \"" + s.get<std::string>() + "\": " + msg);
      return bad();
    };
    if (parts.size() != 3) return fail("expected NAME,SOFT,HARD");
    std::string name = upper(parts[0]);
    if (name.rfind("RLIMIT_", 0) != 0) name = "RLIMIT_" + name;
    const auto& names = rlimit_names();
    if (std::find(names.begin(), names.end(), name) == names.end()) return fail("unknown limit \"" + parts[0] + "\"");
    json out = {{"type", name}};
    for (int i = 1; i <= 2; ++i) {
      const std::string& v = parts[static_cast<size_t>(i)];
      uint64_t num;
      if (v == "unlimited" || v == "-1") {
        num = UINT64_MAX;
      } else if (!v.empty() && v.find_first_not_of("0123456789") == std::string::npos && v.size() <= 20) {
        try {
          num = std::stoull(v);
        } catch (const std::exception&) {
          return fail("\"" + v + "\" is out of range");
        }
      } else {
        return fail("\"" + v + "\" is not a number or \"unlimited\"");
      }
      out[i == 1 ? "soft" : "hard"] = num;
    }
    if (out["soft"].get<uint64_t>() > out["hard"].get<uint64_t>()) return fail("soft limit above hard limit");
    return out;
  });
}

// sysctl as a map (current) or a list of "key=value" (late 2017); always a map in the plan.
Checker sysctl() {
  return [](const YAML::Node& n, const std::string& path, const Walk& w) -> json {
    if (!n.IsSequence()) return string_map()(n, path, w);
    json out = json::object();
    bool ok = true;
    size_t i = 0;
    for (const auto& el : n) {
      std::string sub = path + "[" + std::to_string(i++) + "]";
      json s = string()(el, sub, w);
      if (is_bad(s)) {
        ok = false;
        continue;
      }
      auto str = s.get<std::string>();
      auto eq = str.find('=');
      if (eq == std::string::npos || eq == 0) {
        w.error(el, sub, "sysctl \"" + str + "\" must be KEY=VALUE");
        ok = false;
        continue;
      }
      out[str.substr(0, eq)] = str.substr(eq + 1);
    }
    return ok ? out : bad();
  };
}

Checker device_list() {
  return list(object({{"path", nonempty_string(), true},
                      {"type", one_of({"b", "c", "u", "p", "a"}), true},
                      {"major", integer(-1, 4294967295LL)},
                      {"minor", integer(-1, 4294967295LL)},
                      {"mode", octal_mode()}}));
}

Checker resources() {
  Checker i64 = integer(INT64_MIN, INT64_MAX);
  Checker u64 = integer(0, INT64_MAX);
  Checker dev_rule = object({{"allow", boolean(), true},
                             {"type", one_of({"a", "b", "c"})},
                             {"major", integer(-1, 4294967295LL)},
                             {"minor", integer(-1, 4294967295LL)},
                             {"access", string()}});
  Checker weight_dev = object(
      {{"major", i64, true}, {"minor", i64, true}, {"weight", integer(0, 65535)}, {"leafWeight", integer(0, 65535)}});
  Checker throttle_dev = list(object({{"major", i64, true}, {"minor", i64, true}, {"rate", u64, true}}));
  return object({
      {"devices", list(dev_rule)},
      {"memory", object({{"limit", i64},
                         {"reservation", i64},
                         {"swap", i64},
                         {"kernel", i64},
                         {"kernelTCP", i64},
                         {"swappiness", u64},
                         {"disableOOMKiller", boolean()},
                         {"useHierarchy", boolean()}})},
      {"cpu", object({{"shares", u64},
                      {"quota", i64},
                      {"period", u64},
                      {"realtimeRuntime", i64},
                      {"realtimePeriod", u64},
                      {"cpus", string()},
                      {"mems", string()},
                      {"idle", i64}})},
      {"pids", object({{"limit", i64, true}})},
      {"blockio", object({{"weight", integer(0, 65535)},
                          {"leafWeight", integer(0, 65535)},
                          {"weightDevice", list(weight_dev)},
                          {"throttleReadBpsDevice", throttle_dev},
                          {"throttleWriteBpsDevice", throttle_dev},
                          {"throttleReadIOPSDevice", throttle_dev},
                          {"throttleWriteIOPSDevice", throttle_dev}})},
      {"hugepageLimits", list(object({{"pageSize", string(), true}, {"limit", u64, true}}))},
      {"network", object({{"classID", integer(0, 4294967295LL)},
                          {"priorities", list(object({{"name", string(), true}, {"priority", u64, true}}))}})},
      {"rdma", string_map()},
  });
}

Checker runtime() {
  Checker path = string();
  return object({
      {"cgroups", string_list()},
      {"mounts", mount_list()},
      {"mkdir", string_list()},
      {"interfaces",
       list(object(
           {{"name", nonempty_string(), true}, {"add", string()}, {"peer", string()}, {"createInRoot", boolean()}}))},
      {"bindNS", object({{"cgroup", path},
                         {"ipc", path},
                         {"mnt", path},
                         {"net", path},
                         {"pid", path},
                         {"user", path},
                         {"uts", path}})},
      {"namespace", string()},
  });
}

}  // namespace

check::Checker image_spec_checker(bool label) {
  std::vector<Field> fields = {
      {"capabilities", capability_list()},
      {"capabilities.add", capability_list()},
      {"ambient", capability_list()},
      {"mounts", mount_list()},
      {"binds", bind_list()},
      {"binds.add", bind_list()},
      {"tmpfs", tmpfs_list()},
      {"command", string_list()},
      {"env", list(refine(string(),
                          [](const json& v) -> std::string {
                            auto s = v.get<std::string>();
                            return s.empty() || s[0] == '=' ? "environment entry \"" + s + "\" must be NAME=VALUE" : "";
                          }))},
      {"cwd", refine(string(),
                     [](const json& v) -> std::string {
                       return is_abs(v.get<std::string>()) ? "" : "cwd must be an absolute path";
                     })},
      {"net", namespace_value(true)},
      {"pid", namespace_value(false)},
      {"ipc", namespace_value(false)},
      {"uts", namespace_value(false)},
      {"userns", namespace_value(false)},
      {"hostname", string()},
      {"readonly", boolean()},
      {"maskedPaths", string_list()},
      {"readonlyPaths", string_list()},
      {"uid", int_or_name()},
      {"gid", int_or_name()},
      {"additionalGids", list(int_or_name())},
      {"noNewPrivileges", boolean()},
      {"oomScoreAdj", integer(-1000, 1000)},
      {"disableOOMKiller", boolean()},  // April 2017 moby form
      {"rootfsPropagation",
       one_of({"shared", "slave", "private", "unbindable", "rshared", "rslave", "rprivate", "runbindable"})},
      {"cgroupsPath", string()},
      {"resources", resources()},
      {"sysctl", sysctl()},
      {"rlimits", rlimit_list()},
      {"uidMappings", id_mappings()},
      {"gidMappings", id_mappings()},
      {"annotations", string_map()},
      {"devices", device_list()},
      {"runtime", runtime()},
  };
  if (!label) {
    fields.insert(fields.begin(), {{"name", container_id("container name"), true}, {"image", image_ref(), true}});
  }
  return object(std::move(fields));
}

namespace {

// The formats `lk build` makes, so that lk-parse refuses a spec it could not build; a
// LinuxKit format lk does not build is refused with the reason.
Checker output_format_name() {
  std::vector<std::string> names;
  for (const auto& f : output_formats()) names.push_back(f.name);
  Checker known = one_of(names);
  return [known](const YAML::Node& n, const std::string& path, const check::Walk& w) -> json {
    if (n.IsScalar())
      if (std::string why = unbuilt_format_reason(n.Scalar()); !why.empty()) {
        w.error(n, path, why);
        return check::bad();
      }
    return known(n, path, w);
  };
}

}  // namespace

check::Checker spec_checker() {
  Checker file_entry = object({{"path", image_path(), true},
                               {"directory", boolean()},
                               {"symlink", nonempty_string()},
                               {"contents", string()},
                               {"source", nonempty_string()},
                               {"metadata", one_of({"yaml", "json"})},
                               {"optional", boolean()},
                               {"mode", octal_mode()},
                               {"uid", int_or_name()},
                               {"gid", int_or_name()}});
  Checker volume =
      object({{"name", container_id("volume name"), true},
              {"image", image_ref()},
              {"readonly", boolean()},
              {"format", one_of({"filesystem", "oci"})},
              {"platforms", list(refine(string(), [](const json& v) -> std::string {
                 auto parts = split(v.get<std::string>(), '/');
                 bool good = parts.size() == 2 || parts.size() == 3;
                 for (const auto& part : parts)
                   good = good && !part.empty() &&
                          part.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
                 return good ? "" : "platform \"" + v.get<std::string>() + "\" must be OS/ARCH[/VARIANT]";
               }))}});
  return object({
      {"kernel", object({{"image", image_ref()},
                         {"cmdline", string()},
                         {"binary", nonempty_string()},
                         {"tar", string()},
                         {"ucode", string()}})},
      {"init", list(image_ref())},
      {"onboot", list(image_spec_checker(false))},
      {"onshutdown", list(image_spec_checker(false))},
      {"services", list(image_spec_checker(false))},
      {"files", list(file_entry)},
      {"volumes", list(volume)},
      {"trust", object({{"image", string_list()}, {"org", string_list()}})},
      {"outputs", list(object({{"format", output_format_name(), true}}))},
  });
}

}  // namespace lk::spec
