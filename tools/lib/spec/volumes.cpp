#include "spec/volumes.h"

namespace lk::spec {
namespace {

bool names_volume(const std::string& source) { return source.empty() || source[0] != '/'; }

std::string bind_source(const std::string& bind) { return bind.substr(0, bind.find(':')); }

// The OPTIONS of SOURCE:DESTINATION:OPTIONS, or nullopt when the bind has none.
std::optional<std::string> bind_options(const std::string& bind) {
  size_t first = bind.find(':');
  size_t second = first == std::string::npos ? first : bind.find(':', first + 1);
  if (second == std::string::npos) return std::nullopt;
  return bind.substr(second + 1);
}

bool is_bind_mount(const Mount& m) { return m.type.value_or("") == "bind"; }

// LinuxKit reads a mount's options up to the first ro or rw: only ro keeps it read-only.
bool mount_is_readonly(const Mount& m) {
  for (const auto& o : m.options.value_or(Strings{})) {
    if (o == "ro") return true;
    if (o == "rw") return false;
  }
  return false;
}

}  // namespace

std::string volume_path(const std::string& name) { return "/containers/volumes/" + name + "/merged"; }

VolumeBinds::VolumeBinds(const std::vector<Volume>& volumes) {
  for (const auto& v : volumes) readonly_[v.name] = v.readonly.value_or(false);
}

std::vector<VolumeProblem> VolumeBinds::problems(const ContainerConfig& config) const {
  std::vector<VolumeProblem> out;
  auto binds = [&](const char* key, const std::optional<Strings>& list) {
    for (size_t i = 0; list && i < list->size(); ++i) {
      const std::string& bind = (*list)[i];
      std::string source = bind_source(bind);
      if (!names_volume(source)) continue;
      std::string field = std::string(key) + "[" + std::to_string(i) + "]";
      auto vol = readonly_.find(source);
      if (vol == readonly_.end())
        out.push_back(
            {key, field, "bind \"" + bind + "\" names volume \"" + source + "\", which the spec does not define"});
      else if (vol->second && bind_options(bind) != "ro")
        out.push_back(
            {key, field, "volume \"" + source + "\" is read-only, so its bind must have exactly the option ro"});
    }
  };
  binds("binds", config.binds);
  binds("binds.add", config.binds_add);
  for (size_t i = 0; config.mounts && i < config.mounts->size(); ++i) {
    const Mount& m = (*config.mounts)[i];
    std::string source = m.source.value_or("");
    if (!is_bind_mount(m) || !names_volume(source)) continue;
    std::string field = "mounts[" + std::to_string(i) + "]";
    auto vol = readonly_.find(source);
    if (source.empty())
      out.push_back({"mounts", field, "a mount of type bind needs a source: a path or a volume's name"});
    else if (vol == readonly_.end())
      out.push_back(
          {"mounts", field, "the bind mount's source names volume \"" + source + "\", which the spec does not define"});
    else if (vol->second && !mount_is_readonly(m))
      out.push_back({"mounts", field,
                     "volume \"" + source + "\" is read-only, so its bind mount needs the option ro (before any rw)"});
  }
  return out;
}

ContainerConfig VolumeBinds::resolved(ContainerConfig config) const {
  auto known = [&](const std::string& source) { return names_volume(source) && readonly_.count(source); };
  for (auto* list : {&config.binds, &config.binds_add}) {
    if (!*list) continue;
    for (auto& bind : **list) {
      std::string source = bind_source(bind);
      if (known(source)) bind = volume_path(source) + bind.substr(source.size());
    }
  }
  if (config.mounts)
    for (auto& m : *config.mounts)
      if (is_bind_mount(m) && known(m.source.value_or(""))) m.source = volume_path(*m.source);
  return config;
}

}  // namespace lk::spec
