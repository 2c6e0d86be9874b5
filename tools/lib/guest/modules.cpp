#include "guest/modules.h"

#include <fnmatch.h>

#include <algorithm>
#include <functional>

namespace lk::guest {
namespace {

template <typename F>
void for_each_line(std::string_view text, F&& f) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    f(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
}

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

}  // namespace

std::string module_name(std::string_view s) {
  auto slash = s.rfind('/');
  if (slash != std::string_view::npos) s.remove_prefix(slash + 1);
  // Strip ".ko" and any compression suffix (.ko.xz, .ko.zst).
  if (auto ko = s.find(".ko"); ko != std::string_view::npos) s = s.substr(0, ko);
  std::string out(s);
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

void ModuleIndex::add_dep(std::string_view text) {
  for_each_line(text, [&](std::string_view line) {
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return;
    std::string path(line.substr(0, colon));
    std::string name = module_name(path);
    std::vector<std::string> deps;
    for (auto w : words(line.substr(colon + 1))) deps.push_back(module_name(w));
    path_[name] = path;
    deps_[name] = std::move(deps);
  });
}

void ModuleIndex::add_alias(std::string_view text) {
  for_each_line(text, [&](std::string_view line) {
    auto w = words(line);
    if (w.size() == 3 && w[0] == "alias") aliases_.emplace_back(std::string(w[1]), module_name(w[2]));
  });
}

void ModuleIndex::add_builtin(std::string_view text) {
  for_each_line(text, [&](std::string_view line) {
    if (!line.empty()) builtin_.insert(module_name(line));
  });
}

bool ModuleIndex::known(std::string_view name) const { return path_.count(module_name(name)) > 0; }
bool ModuleIndex::builtin(std::string_view name) const { return builtin_.count(module_name(name)) > 0; }

std::string ModuleIndex::path_of(std::string_view name) const {
  auto it = path_.find(module_name(name));
  return it == path_.end() ? "" : it->second;
}

std::vector<std::string> ModuleIndex::match(std::string_view modalias) const {
  std::string alias(modalias);
  while (!alias.empty() && (alias.back() == '\n' || alias.back() == ' ')) alias.pop_back();
  std::set<std::string> out;
  for (const auto& [pattern, name] : aliases_)
    if (!builtin_.count(name) && ::fnmatch(pattern.c_str(), alias.c_str(), 0) == 0) out.insert(name);
  return {out.begin(), out.end()};
}

std::vector<std::string> ModuleIndex::resolve(std::string_view name_or_alias) const {
  std::string name = module_name(name_or_alias);
  if (path_.count(name) || builtin_.count(name)) return {name};
  // Aliases keep their spelling ("fs-overlay", "crypto-crc32c"), so match the raw text.
  return match(name_or_alias);
}

std::vector<std::string> ModuleIndex::load_order(const std::vector<std::string>& names,
                                                 const std::set<std::string>& loaded,
                                                 std::vector<std::string>* missing) const {
  std::vector<std::string> order;
  std::set<std::string> seen;
  // Depth-first over each module's own dependency list gives a valid order whatever order
  // modules.dep lists them in; a cycle (never produced by depmod) cannot loop because a
  // name is marked before its dependencies are visited.
  std::function<void(const std::string&)> visit = [&](const std::string& name) {
    if (!seen.insert(name).second) return;
    if (builtin_.count(name)) return;
    auto p = path_.find(name);
    if (p == path_.end()) {
      if (missing) missing->push_back(name);
      return;
    }
    const auto& deps = deps_.at(name);
    for (auto it = deps.rbegin(); it != deps.rend(); ++it) visit(*it);
    if (!loaded.count(name)) order.push_back(p->second);
  };
  for (const auto& n : names) visit(module_name(n));
  return order;
}

std::set<std::string> parse_proc_modules(std::string_view text) {
  std::set<std::string> out;
  for_each_line(text, [&](std::string_view line) {
    auto w = words(line);
    if (!w.empty()) out.insert(module_name(w[0]));
  });
  return out;
}

}  // namespace lk::guest
