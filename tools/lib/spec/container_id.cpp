#include "spec/container_id.h"

#include <algorithm>

#include "base/diagnostics.h"
#include "base/error.h"

namespace lk::spec {

namespace {

// Room for the "NNN-" an onboot folder adds, within Linux's NAME_MAX of 255.
constexpr size_t kMaxIdLength = 250;

bool id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '+' ||
         c == '-' || c == '.';
}

}  // namespace

bool is_container_id(std::string_view name) {
  if (name.empty() || name.size() > kMaxIdLength || name == "." || name == "..") return false;
  for (char c : name)
    if (!id_char(c)) return false;
  return true;
}

std::string container_id_problem(std::string_view name, std::string_view what) {
  if (is_container_id(name)) return "";
  std::string why;
  if (name.empty())
    why = "is empty";
  else if (name == "." || name == "..")
    why = name == "." ? "means the folder itself" : "means the parent folder";
  else if (name.size() > kMaxIdLength)
    why = "is longer than " + std::to_string(kMaxIdLength) + " bytes";
  else
    why = "has the character " +
          lk::quoted(
              name.substr(static_cast<size_t>(std::find_if_not(name.begin(), name.end(), id_char) - name.begin()), 1));
  return std::string(what) + " " + lk::quoted(name) + " " + why +
         "; it must be a runc container id: letters, digits, '_', '+', '-', '.', not \".\" or \"..\", at most " +
         std::to_string(kMaxIdLength) + " bytes (it names a folder under /containers and a container's runc id)";
}

void require_container_id(std::string_view name, std::string_view what, const std::string& where) {
  std::string problem = container_id_problem(name, what);
  if (!problem.empty()) throw InputError(where + ": " + problem);
}

}  // namespace lk::spec
