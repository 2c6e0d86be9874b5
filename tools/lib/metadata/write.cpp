#include "metadata/write.h"

#include "base/error.h"
#include "metadata/user_data.h"

namespace lk::metadata {

namespace {

constexpr size_t kHostNameMax = 64;  // Linux's HOST_NAME_MAX

void put(const ConfigDir& dir, const std::string& path, std::string_view data, mode_t mode, Written& w) {
  try {
    dir.write(rel_path(path), data, mode);
    w.files.push_back(path);
  } catch (const Error& e) {
    w.notes.push_back(e.what());
  }
}

}  // namespace

Written write_found(const Found& found, const ConfigDir& dir) {
  Written w;
  for (const auto& f : found.files) put(dir, f.path, f.data, f.mode, w);
  put(dir, "provider", found.provider, 0644, w);
  if (!found.user_data) return w;
  put(dir, "userdata", *found.user_data, 0644, w);
  TreePlan plan = plan_tree(*found.user_data);
  w.notes.insert(w.notes.end(), plan.notes.begin(), plan.notes.end());
  auto failed = apply_tree(plan, dir, &w.files);
  w.notes.insert(w.notes.end(), failed.begin(), failed.end());
  return w;
}

std::string hostname_for(std::string_view file) {
  const char* blanks = " \t\r\n";
  size_t b = file.find_first_not_of(blanks);
  if (b == std::string_view::npos) return "";
  std::string_view name = file.substr(b, file.find_last_not_of(blanks) - b + 1);
  if (name.size() > kHostNameMax) name = name.substr(0, name.find('.'));
  if (name.size() > kHostNameMax || !plausible_hostname(name)) return "";
  return std::string(name);
}

}  // namespace lk::metadata
