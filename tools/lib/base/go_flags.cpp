#include "base/go_flags.h"

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "base/error.h"

namespace lk {

namespace {

const OptionShape* by_long(const std::vector<OptionShape>& options, const std::string& name) {
  for (const auto& o : options)
    if (std::find(o.long_names.begin(), o.long_names.end(), name) != o.long_names.end()) return &o;
  return nullptr;
}

const OptionShape* by_short(const std::vector<OptionShape>& options, char c) {
  for (const auto& o : options)
    if (o.short_name.size() == 1 && o.short_name[0] == c) return &o;
  return nullptr;
}

// Go's strconv.ParseBool, which its flag package uses for -switch=VALUE.
std::optional<bool> go_bool(const std::string& v) {
  for (const char* t : {"1", "t", "T", "true", "TRUE", "True"})
    if (v == t) return true;
  for (const char* f : {"0", "f", "F", "false", "FALSE", "False"})
    if (v == f) return false;
  return std::nullopt;
}

class Rewrite {
public:
  explicit Rewrite(const std::vector<OptionShape>& options) : options_(options) {}

  // A_SWITCH: the switch ARG turns on, so that a later =false can take it back.
  void emit(std::string arg, const OptionShape* a_switch = nullptr) {
    out_.push_back(std::move(arg));
    turns_on_.push_back(a_switch);
  }

  void turn_off(const OptionShape* a_switch) {
    for (size_t i = out_.size(); i-- > 0;)
      if (turns_on_[i] == a_switch) {
        out_.erase(out_.begin() + static_cast<std::ptrdiff_t>(i));
        turns_on_.erase(turns_on_.begin() + static_cast<std::ptrdiff_t>(i));
      }
  }

  // BODY is NAME or NAME=VALUE of a long option; returns whether the next argument is
  // its value.
  bool long_option(const std::string& body) {
    const size_t eq = body.find('=');
    const std::string name = body.substr(0, eq);
    const OptionShape* o = by_long(options_, name);
    if (!o) {  // cxxopts names it in its own error
      emit("--" + body);
      return false;
    }
    if (o->is_switch && eq != std::string::npos) {
      auto on = go_bool(body.substr(eq + 1));
      if (!on) throw InputError("--" + body + ": --" + name + " is a switch: give it alone, or =true or =false");
      if (*on)
        emit("--" + name, o);
      else
        turn_off(o);
      return false;
    }
    emit("--" + body, o->is_switch ? o : nullptr);
    return eq == std::string::npos && !o->is_switch && o->takes_next;
  }

  // WORD follows one dash. Each switch becomes its own -X (so =false can take it back);
  // an option with a value keeps the rest of the word. Returns whether the next
  // argument is a value, or nullopt when WORD is not lk's short options.
  std::optional<bool> short_options(const std::string& word) {
    size_t end = 0;  // the switches, up to the option (if any) whose value the rest is
    for (; end < word.size(); ++end) {
      const OptionShape* o = by_short(options_, word[end]);
      if (!o) return std::nullopt;
      if (!o->is_switch) break;
    }
    for (size_t k = 0; k < end; ++k) emit(std::string("-") + word[k], by_short(options_, word[k]));
    if (end == word.size()) return false;
    emit("-" + word.substr(end));
    return end + 1 == word.size() && by_short(options_, word[end])->takes_next;
  }

  std::vector<std::string> take() { return std::move(out_); }

private:
  const std::vector<OptionShape>& options_;
  std::vector<std::string> out_;
  std::vector<const OptionShape*> turns_on_;
};

}  // namespace

std::vector<std::string> go_style_args(const std::vector<std::string>& args, const std::vector<OptionShape>& options,
                                       const std::vector<std::string>& one_dash) {
  for (const auto& name : one_dash)
    if (!by_long(options, name)) throw std::logic_error("one-dash name --" + name + " is not an option");
  Rewrite r(options);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      for (; i < args.size(); ++i) r.emit(args[i]);
      break;
    }
    if (a.size() < 2 || a[0] != '-') {  // an operand, or "-" for stdin
      r.emit(a);
      continue;
    }
    bool next_is_value = false;
    if (a[1] == '-') {
      next_is_value = r.long_option(a.substr(2));
    } else {
      const std::string word = a.substr(1), name = word.substr(0, word.find('='));
      if (std::find(one_dash.begin(), one_dash.end(), name) != one_dash.end()) {
        if (std::all_of(name.begin(), name.end(), [&](char c) { return by_short(options, c) != nullptr; })) {
          std::string shorts;
          for (char c : name) shorts += std::string(shorts.empty() ? "-" : " -") + c;
          throw InputError(a + " is ambiguous: LinuxKit's --" + name + " or lk's " + shorts + "; write one of those");
        }
        next_is_value = r.long_option(word);
      } else if (auto v = r.short_options(word)) {
        next_is_value = *v;
      } else if (by_long(options, name)) {
        throw InputError(a + ": lk's own long options take two dashes: -" + a);
      } else {
        throw InputError("unknown option " + a);
      }
    }
    if (next_is_value && i + 1 < args.size()) r.emit(args[++i]);
  }
  return r.take();
}

}  // namespace lk
