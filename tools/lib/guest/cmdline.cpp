#include "guest/cmdline.h"

namespace lk::guest {

Cmdline Cmdline::parse(std::string_view text) {
  Cmdline c;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n')) ++i;
    if (i >= text.size()) break;
    std::string word;
    bool quoted = false;
    for (; i < text.size(); ++i) {
      char ch = text[i];
      if (ch == '"') {
        quoted = !quoted;
        continue;
      }
      if (!quoted && (ch == ' ' || ch == '\t' || ch == '\n')) break;
      word += ch;
    }
    Param p;
    auto eq = word.find('=');
    if (eq == std::string::npos) {
      p.key = word;
    } else {
      p.key = word.substr(0, eq);
      p.value = word.substr(eq + 1);
    }
    // "--" ends the kernel's own parameters; what follows goes to init as argv.
    if (p.key == "--" && !p.value) break;
    c.params_.push_back(std::move(p));
  }
  return c;
}

std::optional<std::string> Cmdline::value(std::string_view key) const {
  std::optional<std::string> out;
  for (const auto& p : params_)
    if (p.key == key && p.value) out = p.value;
  return out;
}

bool Cmdline::flag(std::string_view key) const {
  bool on = false;
  for (const auto& p : params_) {
    if (p.key != key) continue;
    on = !p.value || !(*p.value == "0" || *p.value == "false" || *p.value == "no" || *p.value == "off");
  }
  return on;
}

}  // namespace lk::guest
