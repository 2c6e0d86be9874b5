#pragma once
// Volumes as containers use them. A bind (in binds or binds.add) or a mounts[] entry of
// type bind whose source is not an absolute path names a volume; the guest's init
// mounts each volume on its merged folder, so that folder is what the container binds.
// LinuxKit rewrites the spec's entries the same way before it makes config.json, and
// refuses, at build time, a name no volume has and a writable use of a read-only volume.
#include <map>
#include <string>
#include <vector>

#include "spec/plan.h"

namespace lk::spec {

// Where the guest mounts volume NAME for its containers: /containers/volumes/NAME/merged.
std::string volume_path(const std::string& name);

// One refused use of a volume in a container's config.
struct VolumeProblem {
  std::string key;    // the config key ("binds", "binds.add" or "mounts"), whose position a message gives
  std::string field;  // the entry it names: "binds[1]", "mounts[0]"
  std::string message;
};

class VolumeBinds {
public:
  explicit VolumeBinds(const std::vector<Volume>& volumes);

  // Every use of a name no volume has, and every writable use of a read-only volume: a
  // bind of one needs exactly the option ro, a bind mount an ro before any rw (LinuxKit's
  // two rules).
  std::vector<VolumeProblem> problems(const ContainerConfig& config) const;

  // CONFIG with each volume's name replaced by its path. Meant for a config without
  // problems: a name no volume has stays as it is.
  ContainerConfig resolved(ContainerConfig config) const;

private:
  std::map<std::string, bool> readonly_;  // volume name -> read-only
};

}  // namespace lk::spec
