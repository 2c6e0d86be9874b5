#include "spec/plan_builder.h"

#include <map>
#include <set>

#include "base/diagnostics.h"
#include "base/error.h"
#include "spec/plan.h"
#include "spec/schema.h"
#include "spec/volumes.h"
#include "spec/yaml_source.h"

namespace lk::spec {

using nlohmann::json;

namespace {

std::string join_path(const std::string& dir, const std::string& p) {
  if (p.empty() || p[0] == '/') return p;
  if (dir.empty() || dir == ".") return p;
  return dir + "/" + p;
}

// Replaces every "@pkg:PATH" scalar, reporting the ones that do not resolve.
void expand_templates(const YAML::Node& n, const SpecInput& in, const PlanOptions& opts,
                      std::map<std::string, std::string>& resolved, json& packages, Diagnostics& diag) {
  if (n.IsMap()) {
    for (auto it = n.begin(); it != n.end(); ++it) expand_templates(it->second, in, opts, resolved, packages, diag);
  } else if (n.IsSequence()) {
    for (const auto& el : n) expand_templates(el, in, opts, resolved, packages, diag);
  } else if (n.IsScalar() && n.Scalar().rfind("@pkg:", 0) == 0) {
    const std::string& raw = n.Scalar();
    if (resolved.count(raw)) return;
    if (!opts.resolve_pkg) {
      resolved[raw] = raw;
      return;
    }
    try {
      std::string dir = join_path(in.dir, raw.substr(5));
      resolved[raw] = opts.resolve_pkg(dir);
      packages[resolved[raw]] = dir;  // so a build can make the images it names
    } catch (const Error& e) {
      diag.error(pos_of(in.name, n), "", "cannot resolve " + raw + ": " + e.what());
    }
  }
}

void substitute(json& j, const std::map<std::string, std::string>& resolved) {
  if (j.is_string()) {
    auto it = resolved.find(j.get<std::string>());
    if (it != resolved.end()) j = it->second;
  } else if (j.is_structured()) {
    for (auto& el : j) substitute(el, resolved);
  }
}

// Where each entry and each of its keys came from: "file:line:col".
void annotate(json& entry, const YAML::Node& node, const std::string& file) {
  entry["at"] = pos_of(file, node).str();
  if (!node.IsMap()) return;
  json fields = json::object();
  for (auto it = node.begin(); it != node.end(); ++it) fields[it->first.Scalar()] = pos_of(file, it->first).str();
  entry["field_at"] = fields;
}

void check_file_entry(const json& f, const std::string& at, const std::string& path, Diagnostics& diag) {
  auto has = [&](const char* k) { return f.contains(k); };
  bool dir = f.value("directory", false);
  int sources = has("contents") + has("source") + has("metadata");
  auto err = [&](const std::string& msg) { diag.error_at(at, path, msg); };
  if (dir && (sources || has("symlink"))) err("a directory cannot also have contents, source, metadata or symlink");
  if (has("symlink") && sources) err("a symlink cannot also have contents, source or metadata");
  if (!dir && !has("symlink") && sources != 1)
    err(sources ? "give only one of contents, source or metadata"
                : "needs one of contents, source, metadata, directory or symlink");
}

struct Merged {
  json kernel = json::object();
  json sections = {{"init", json::array()},     {"onboot", json::array()}, {"onshutdown", json::array()},
                   {"services", json::array()}, {"files", json::array()},  {"volumes", json::array()}};
  json formats = json::array();
  json spec = json::object();  // merged spec as written, for --dry-run and metadata
};

// RAW_DOC (the file as written, templates resolved) feeds the merged spec; it is null
// when nobody needs that (no --dry-run, no metadata file).
void merge_file(json& doc, const json& raw_doc, const YAML::Node& node, const SpecInput& in, Merged& m) {
  const bool keep_spec = !raw_doc.is_null();
  if (doc.contains("kernel")) {
    const json& k = doc["kernel"];
    for (const char* key : {"image", "cmdline", "binary"})
      if (k.contains(key) && !k[key].get<std::string>().empty()) m.kernel[key] = k[key];
    for (const char* key : {"tar", "ucode"})
      if (k.contains(key)) m.kernel[key] = k[key];
    m.kernel["at"] = pos_of(in.name, node["kernel"]).str();
    if (keep_spec)
      for (auto& [key, v] : raw_doc["kernel"].items())
        if (!(v.is_string() && v.get<std::string>().empty() && key != "tar" && key != "ucode"))
          m.spec["kernel"][key] = v;
  }
  for (auto& [section, list] : m.sections.items()) {
    if (!doc.contains(section)) continue;
    const YAML::Node items = node[section];
    size_t i = 0;
    for (auto& checked : doc[section]) {
      json entry = section == "init" ? json{{"image", std::move(checked)}} : std::move(checked);
      if (keep_spec) m.spec[section].push_back(raw_doc[section][i]);
      annotate(entry, items[i++], in.name);
      if (section == "files" && entry.contains("source")) {
        std::string src = entry["source"];
        if (src.rfind("~/", 0) == 0) {
          entry["source_home"] = src.substr(2);  // resolved against $HOME by lk-rootfs
        } else {
          entry["source_path"] = join_path(in.dir, src);
        }
      }
      list.push_back(std::move(entry));
    }
  }
  if (doc.contains("outputs")) {
    for (const auto& o : doc["outputs"])
      if (std::find(m.formats.begin(), m.formats.end(), o["format"]) == m.formats.end())
        m.formats.push_back(o["format"]);
    if (keep_spec)
      for (const auto& o : raw_doc["outputs"]) m.spec["outputs"].push_back(o);
  }
}

// An image entry in the plan: name and image at the top, the rest of the YAML
// keys (still unmerged with the image's label) under "config".
json image_entry(json e) {
  json out = json::object();
  for (const char* k : {"name", "image", "at", "field_at"}) {
    out[k] = std::move(e[k]);
    e.erase(k);
  }
  out["config"] = std::move(e);
  return out;
}

// uid/gid names refer to containers: ids from 100 in onboot, onshutdown, services order.
json resolve_id(const json& v, const std::map<std::string, long long>& ids, const std::string& at,
                const std::string& path, Diagnostics& diag) {
  if (v.is_number()) return v;
  std::string name = v.get<std::string>();
  if (name.empty() || name == "root") return 0;
  auto it = ids.find(name);
  if (it != ids.end()) return it->second;
  diag.error_at(at, path, "unknown user or group \"" + name + "\" (names refer to containers in this spec)");
  return v;
}

}  // namespace

PlanResult build_plan(const std::vector<SpecInput>& specs, const PlanOptions& opts) {
  Diagnostics diag;
  Merged m;
  PlanResult result;
  auto checker = spec_checker();
  struct Loaded {
    const SpecInput* in;
    YAML::Node node;
    json doc;
    std::map<std::string, std::string> resolved;
  };
  std::vector<Loaded> loaded;
  bool want_spec = opts.keep_spec;
  json packages = json::object();
  for (const auto& in : specs) {
    YAML::Node node = load_yaml(in.name, in.text, diag);
    if (!diag.empty()) continue;
    if (!node || node.IsNull()) {
      diag.error(SourcePos{in.name, 1, 1}, "",
                 "empty spec (expected a mapping with kernel, init, onboot, services...)");
      continue;
    }
    if (!node.IsMap()) {
      diag.error(pos_of(in.name, node), "", "a spec must be a mapping of sections, got " + check::describe(node));
      continue;
    }
    std::map<std::string, std::string> resolved;
    expand_templates(node, in, opts, resolved, packages, diag);
    check::Walk walk{in.name, diag};
    json doc = checker(node, "", walk);
    if (check::is_bad(doc)) continue;
    substitute(doc, resolved);
    if (doc.contains("trust"))
      result.warnings.push_back(
          pos_of(in.name, node["trust"]).str() +
          ": trust: ignored (content trust was removed from LinuxKit in 2021; pin images by digest instead)");
    if (doc.contains("files"))
      for (const auto& f : doc["files"]) want_spec = want_spec || f.contains("metadata");
    loaded.push_back({&in, node, std::move(doc), std::move(resolved)});
  }
  diag.throw_if_any();
  for (auto& l : loaded) {
    json raw_doc;
    if (want_spec) {
      raw_doc = yaml_to_json(l.node);
      substitute(raw_doc, l.resolved);
    }
    merge_file(l.doc, raw_doc, l.node, *l.in, m);
  }
  diag.throw_if_any();

  std::map<std::string, long long> ids;
  long long next_id = 100;
  for (const auto& s : container_sections())
    for (const auto& e : m.sections[s.name])
      if (!ids.count(e["name"])) ids[e["name"]] = next_id++;

  std::map<std::string, std::string> service_at;
  for (const auto& e : m.sections["services"]) {
    auto [it, fresh] = service_at.emplace(e["name"], e["at"]);
    if (!fresh)
      diag.error_at(e["at"], "services",
                    "duplicate service name \"" + e["name"].get<std::string>() + "\" (first at " + it->second + ")");
  }
  std::set<std::string> volume_names;
  std::vector<Volume> volumes;
  for (const auto& v : m.sections["volumes"]) {
    if (!volume_names.insert(v["name"]).second)
      diag.error_at(v["at"], "volumes", "duplicate volume name \"" + v["name"].get<std::string>() + "\"");
    volumes.push_back(volume_from_json(v, "volumes[" + std::to_string(volumes.size()) + "]"));
  }
  const VolumeBinds volume_binds(volumes);

  json containers = json::object();  // by section, checked against the spec's names
  for (const auto& sec : container_sections()) {
    const std::string section = sec.name;
    json out = json::array();
    size_t i = 0;
    for (auto& e : m.sections[section]) {
      std::string path = section + "[" + std::to_string(i++) + "]";
      json entry = image_entry(std::move(e));
      json& cfg = entry["config"];
      const json& at = entry["field_at"];
      for (const char* k : {"uid", "gid"})
        if (cfg.contains(k)) cfg[k] = resolve_id(cfg[k], ids, at[k], path + "." + k, diag);
      if (cfg.contains("additionalGids"))
        for (auto& g : cfg["additionalGids"])
          g = resolve_id(g, ids, at["additionalGids"], path + ".additionalGids", diag);
      json uses = json::object();  // the keys that may name volumes, already checked by the schema
      for (const char* k : {"binds", "binds.add", "mounts"})
        if (cfg.contains(k)) uses[k] = cfg[k];
      for (const auto& p : volume_binds.problems(config_from_json(uses, path + ".config")))
        diag.error_at(at.value(p.key, std::string()), path + "." + p.field, p.message);
      out.push_back(std::move(entry));
    }
    containers[section] = std::move(out);
  }

  json files = json::array();
  size_t fi = 0;
  for (auto& f : m.sections["files"]) {
    std::string path = "files[" + std::to_string(fi++) + "]";
    check_file_entry(f, f["at"], path, diag);
    std::string p = f["path"];
    while (!p.empty() && p[0] == '/') p.erase(0, 1);
    f["path"] = p;
    if (!f.contains("mode")) f["mode"] = f.value("directory", false) ? 0700 : (f.contains("symlink") ? 0777 : 0600);
    for (const char* k : {"uid", "gid"})
      f[k] = f.contains(k) ? resolve_id(f[k], ids, f["field_at"][k], path + "." + k, diag) : json(0);
    files.push_back(std::move(f));
  }
  diag.throw_if_any();

  Plan out;
  if (m.kernel.contains("image")) {
    Kernel k;
    k.image = m.kernel["image"];
    k.cmdline = m.kernel.value("cmdline", "");
    k.at = m.kernel["at"];
    // The 2017 moby kernel images named their kernel bzImage.
    k.binaries = m.kernel.contains("binary") ? Strings{m.kernel["binary"]} : Strings{"kernel", "bzImage"};
    std::string tar = m.kernel.value("tar", "kernel.tar");
    if (!tar.empty() && tar != "none") k.tar = tar;
    std::string ucode = m.kernel.value("ucode", "");
    if (!ucode.empty()) k.ucode = ucode;
    out.kernel = std::move(k);
  } else if (!m.kernel.empty()) {
    throw InputError(m.kernel.value("at", specs.front().name) + ": kernel: missing required key \"image\"");
  }

  // The checked, merged entries are in plan form already; the contract takes them in.
  for (const auto& in : specs) out.specs.push_back(in.name);
  out.platform = "linux/" + opts.arch;
  for (const auto& e : m.sections["init"]) {
    ImageEntry i;
    i.image = e["image"];
    i.at = e["at"];
    out.init.push_back(std::move(i));
  }
  for (const auto& s : container_sections()) {
    size_t i = 0;
    for (const auto& e : containers[s.name])
      (out.*s.list).push_back(container_from_json(e, std::string(s.name) + "[" + std::to_string(i++) + "]"));
  }
  out.volumes = std::move(volumes);
  fi = 0;
  for (const auto& f : files) out.files.push_back(file_from_json(f, "files[" + std::to_string(fi++) + "]"));
  for (const auto& f : m.formats) out.formats.push_back(f);
  for (const auto& [ref, dir] : packages.items()) out.packages[ref] = dir;
  for (const auto& [name, id] : ids) out.ids[name] = id;
  if (want_spec) out.spec = m.spec;  // what files[].metadata writes
  result.plan = std::move(out);
  result.merged_spec = std::move(m.spec);
  return result;
}

}  // namespace lk::spec
