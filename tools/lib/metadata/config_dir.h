#pragma once
// The folder the metadata lands in (/run/config), held open. Every path below it is
// walked one component at a time with O_NOFOLLOW, and each component must be a plain
// name, so nothing a metadata server or a user-data document says can write outside
// it, through a symlink or a "..".
#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/fs.h"

namespace lk::metadata {

// One path component lk writes: not empty, not "." or "..", no '/' or NUL, at most
// 255 bytes (NAME_MAX).
bool safe_name(std::string_view name);

// "ssh/authorized_keys" -> {"ssh", "authorized_keys"}; throws InputError unless every
// component is a safe_name().
std::vector<std::string> rel_path(std::string_view path);

class ConfigDir {
public:
  // Opens PATH, creating it and its parents (0755) when missing. Throws RuntimeError.
  explicit ConfigDir(std::string path);

  const std::string& path() const { return path_; }

  // Replaces the file REL with DATA and exactly MODE (a temp file renamed over it, so a
  // symlink there is replaced, never followed). Missing parents are made 0755. Throws
  // RuntimeError naming the file.
  void write(const std::vector<std::string>& rel, std::string_view data, mode_t mode) const;
  // Makes the folder REL (and missing parents, 0755); a new last component gets exactly
  // MODE, an existing folder keeps its own (as mkdir -p). Throws RuntimeError.
  void make_dir(const std::vector<std::string>& rel, mode_t mode) const;
  // The regular file REL, up to MAX bytes; nullopt when it is not there.
  std::optional<std::string> read(const std::vector<std::string>& rel, size_t max) const;

  std::string shown(const std::vector<std::string>& rel) const;  // PATH/a/b, for messages

private:
  // The folder holding REL's last component, opened through the others (made when CREATE).
  Fd open_parent(const std::vector<std::string>& rel, bool create) const;

  std::string path_;
  Fd dir_;
};

}  // namespace lk::metadata
