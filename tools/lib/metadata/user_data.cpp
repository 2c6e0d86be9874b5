#include "metadata/user_data.h"

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace lk::metadata {

namespace {

using nlohmann::json;

std::string shown(const std::vector<std::string>& path) {
  std::string s;
  for (const auto& p : path) s += (s.empty() ? "" : "/") + p;
  return s;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// An entry's known fields, found regardless of case; nullptr when absent or null (Go
// leaves a null field at its zero value).
struct Fields {
  const json* perm = nullptr;
  const json* content = nullptr;
  const json* entries = nullptr;
};

Fields fields_of(const json& entry) {
  Fields f;
  for (const auto& [k, v] : entry.items()) {
    std::string name = lower(k);
    const json* p = v.is_null() ? nullptr : &v;
    if (name == "perm")
      f.perm = p;
    else if (name == "content")
      f.content = p;
    else if (name == "entries")
      f.entries = p;
  }
  return f;
}

// Go's json.Unmarshal into LinuxKit's types fails the whole document on one type
// mismatch; this finds the first one, "" when the types all fit.
std::string type_error(const json& entries, const std::string& at, int depth) {
  for (const auto& [name, entry] : entries.items()) {
    std::string here = at.empty() ? name : at + "/" + name;
    if (entry.is_null()) continue;
    if (!entry.is_object()) return here + ": expected an object (content or entries), found " + entry.type_name();
    Fields f = fields_of(entry);
    if (f.perm && !f.perm->is_string()) return here + ": perm must be a string such as \"0644\"";
    if (f.content && !f.content->is_string()) return here + ": content must be a string";
    if (f.entries && !f.entries->is_object()) return here + ": entries must be an object";
    if (f.entries && depth < kMaxTreeDepth)
      if (auto e = type_error(*f.entries, here, depth + 1); !e.empty()) return e;
  }
  return "";
}

// "0644" -> 0644; -1 unless it is all octal digits. Bits above 0777 are dropped, as
// LinuxKit's Go code drops them (os.FileMode keeps setuid and friends elsewhere).
long parse_perm(const std::string& s, bool* dropped) {
  if (s.empty() || s.size() > 11 || s.find_first_not_of("01234567") != std::string::npos) return -1;
  unsigned long v = std::stoul(s, nullptr, 8);
  if (v > 0xffffffffUL) return -1;
  *dropped = (v & ~0777UL) != 0;
  return static_cast<long>(v & 0777);
}

void walk(const json& entries, std::vector<std::string>& path, int depth, TreePlan& plan) {
  for (const auto& [name, entry] : entries.items()) {
    path.push_back(name);
    std::string here = shown(path);
    if (!safe_name(name)) {
      plan.notes.push_back("\"" + here + "\": not a plain file name, left out");
    } else if (entry.is_null() || (!fields_of(entry).content) == (!fields_of(entry).entries)) {
      plan.notes.push_back(here + ": needs either content (a file) or entries (a folder), left out");
    } else {
      Fields f = fields_of(entry);
      bool file = f.content != nullptr;
      long mode = file ? 0644 : 0755;
      bool dropped = false;
      const std::string perm = f.perm ? f.perm->get<std::string>() : "";
      if (!perm.empty()) mode = parse_perm(perm, &dropped);
      if (mode < 0) {
        plan.notes.push_back(here + ": perm \"" + perm + "\" is not an octal mode, left out");
      } else {
        if (dropped) plan.notes.push_back(here + ": perm " + perm + " kept only its rwx bits");
        if (file) {
          plan.steps.push_back({TreeStep::Kind::kFile, path, static_cast<mode_t>(mode), f.content->get<std::string>()});
        } else if (depth >= kMaxTreeDepth) {
          plan.notes.push_back(here + ": deeper than " + std::to_string(kMaxTreeDepth) + " folders, left out");
        } else {
          plan.steps.push_back({TreeStep::Kind::kDir, path, static_cast<mode_t>(mode), ""});
          walk(*f.entries, path, depth + 1, plan);
        }
      }
    }
    path.pop_back();
  }
}

}  // namespace

TreePlan plan_tree(std::string_view user_data) {
  TreePlan plan;
  json doc = json::parse(user_data.begin(), user_data.end(), nullptr, false);
  if (doc.is_discarded()) {
    plan.notes.push_back("user-data is not JSON: kept as it is, no files made from it");
    return plan;
  }
  if (doc.is_null()) {
    plan.is_tree = true;  // Go decodes null into an empty map: a tree of nothing
    return plan;
  }
  if (!doc.is_object()) {
    plan.notes.push_back(std::string("user-data is a JSON ") + doc.type_name() +
                         ", not an object of files: no files made");
    return plan;
  }
  if (std::string e = type_error(doc, "", 1); !e.empty()) {
    plan.notes.push_back("user-data is JSON but not a file tree (" + e + "): no files made");
    return plan;
  }
  plan.is_tree = true;
  std::vector<std::string> path;
  walk(doc, path, 1, plan);
  return plan;
}

std::vector<std::string> apply_tree(const TreePlan& plan, const ConfigDir& dir, std::vector<std::string>* written) {
  std::vector<std::string> failed;
  std::vector<std::vector<std::string>> bad_dirs;  // what a failed folder would have held is skipped
  for (const auto& step : plan.steps) {
    bool under_bad = false;
    for (const auto& b : bad_dirs)
      if (step.path.size() > b.size() && std::equal(b.begin(), b.end(), step.path.begin())) under_bad = true;
    if (under_bad) continue;
    try {
      if (step.kind == TreeStep::Kind::kDir)
        dir.make_dir(step.path, step.mode);
      else
        dir.write(step.path, step.content, step.mode);
      if (written && step.kind == TreeStep::Kind::kFile) written->push_back(shown(step.path));
    } catch (const Error& e) {
      failed.push_back(e.what());
      if (step.kind == TreeStep::Kind::kDir) bad_dirs.push_back(step.path);
    }
  }
  return failed;
}

}  // namespace lk::metadata
