#pragma once
// User-data that is JSON becomes a tree of files under the config folder, in LinuxKit's
// format: every key of an object names a file {"content": "...", "perm": "0600"} or a
// folder {"entries": {...}, "perm": "0700"}:
//   {"ssh": {"entries": {"authorized_keys": {"perm": "0600", "content": "ssh-ed25519 ..."}}},
//    "hostname": {"content": "web-1"}}
// writes ssh/authorized_keys and hostname. The plan is made first, from the text alone
// (host-testable), then applied through a ConfigDir, which keeps it inside the folder.
#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "metadata/config_dir.h"

namespace lk::metadata {

// Deeper trees are cut there (with a note); LinuxKit has no bound, but a walk must.
constexpr int kMaxTreeDepth = 32;

struct TreeStep {
  enum class Kind { kDir, kFile } kind;
  std::vector<std::string> path;  // each a safe_name()
  mode_t mode;
  std::string content;  // files only
};

struct TreePlan {
  // False when the text is no JSON object (a shell script, cloud-config, a JSON array):
  // then it is only user-data, which is not an error.
  bool is_tree = false;
  std::vector<TreeStep> steps;     // folders before what they hold, names sorted
  std::vector<std::string> notes;  // why an entry, or the whole document, was left out
};

// As LinuxKit's decoder: a value of the wrong type anywhere (a number for "perm", a
// string where an entry belongs) leaves the whole tree unwritten; an entry with both
// or neither of content and entries, a perm that is not octal, a name that is not a
// plain file name ("..", "a/b", "") is left out alone, with a note. Field names match
// regardless of case, as Go's encoding/json matches them.
TreePlan plan_tree(std::string_view user_data);

// Carries out PLAN in DIR; returns a note for each step that failed (the others are still
// done, as LinuxKit goes on after a failed entry). WRITTEN, when given, gets the relative
// path of each file written.
std::vector<std::string> apply_tree(const TreePlan& plan, const ConfigDir& dir,
                                    std::vector<std::string>* written = nullptr);

}  // namespace lk::metadata
