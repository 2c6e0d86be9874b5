#include "spec/check.h"

#include "spec/yaml_source.h"

namespace lk::spec::check {

void Walk::error(const YAML::Node& at, const std::string& path, const std::string& msg) const {
  diag.error(pos_of(file, at), path, msg);
}

std::string describe(const YAML::Node& n) {
  if (!n || n.IsNull()) return "nothing (null)";
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a mapping";
  switch (scalar_kind(n)) {
    case ScalarKind::kBool: return "a boolean (" + n.Scalar() + ")";
    case ScalarKind::kInt: return "a number (" + n.Scalar() + ")";
    case ScalarKind::kFloat: return "a number (" + n.Scalar() + ")";
    default: return "a string (\"" + n.Scalar() + "\")";
  }
}

namespace {
std::string join_keys(const std::vector<Field>& fields) {
  std::string s;
  for (const auto& f : fields) s += (s.empty() ? "" : ", ") + f.key;
  return s;
}
}  // namespace

Checker object(std::vector<Field> fields) {
  return [fields](const YAML::Node& n, const std::string& path, const Walk& w) -> json {
    if (!n.IsMap()) {
      w.error(n, path, "expected a mapping, got " + describe(n));
      return bad();
    }
    json out = json::object();
    bool ok = true;
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (!it->first.IsScalar()) {
        w.error(it->first, path, "expected a plain key, got " + describe(it->first));
        ok = false;
        continue;
      }
      const std::string& key = it->first.Scalar();
      std::string sub = path.empty() ? key : path + "." + key;
      const Field* f = nullptr;
      for (const auto& cand : fields)
        if (cand.key == key) f = &cand;
      if (!f) {
        w.error(it->first, sub, "unknown key (expected one of: " + join_keys(fields) + ")");
        ok = false;
        continue;
      }
      json v = f->check(it->second, sub, w);
      if (is_bad(v))
        ok = false;
      else
        out[key] = std::move(v);
    }
    for (const auto& f : fields) {
      if (f.required && !n[f.key]) {
        w.error(n, path, "missing required key \"" + f.key + "\"");
        ok = false;
      }
    }
    return ok ? out : bad();
  };
}

Checker list(Checker item) {
  return [item](const YAML::Node& n, const std::string& path, const Walk& w) -> json {
    if (n.IsNull()) return json::array();  // "key:" with nothing means an empty list
    if (!n.IsSequence()) {
      w.error(n, path, "expected a list, got " + describe(n));
      return bad();
    }
    json out = json::array();
    bool ok = true;
    size_t i = 0;
    for (const auto& el : n) {
      json v = item(el, path + "[" + std::to_string(i++) + "]", w);
      if (is_bad(v))
        ok = false;
      else
        out.push_back(std::move(v));
    }
    return ok ? out : bad();
  };
}

Checker string() {
  return [](const YAML::Node& n, const std::string& path, const Walk& w) -> json {
    if (n.IsScalar()) {
      auto k = scalar_kind(n);
      if (k == ScalarKind::kString || k == ScalarKind::kInt || k == ScalarKind::kFloat) return n.Scalar();
    }
    w.error(n, path, "expected a string, got " + describe(n));
    return bad();
  };
}

Checker nonempty_string() {
  return refine(string(), [](const json& v) { return v.get<std::string>().empty() ? "must not be empty" : ""; });
}

Checker one_of(std::vector<std::string> allowed) {
  return refine(string(), [allowed](const json& v) -> std::string {
    for (const auto& a : allowed)
      if (v == a) return "";
    std::string all;
    for (const auto& a : allowed) all += (all.empty() ? "" : ", ") + a;
    return "\"" + v.get<std::string>() + "\" is not one of: " + all;
  });
}

Checker boolean() {
  return [](const YAML::Node& n, const std::string& path, const Walk& w) -> json {
    if (n.IsScalar() && scalar_kind(n) == ScalarKind::kBool) return yaml_to_json(n);
    w.error(n, path, "expected true or false, got " + describe(n));
    return bad();
  };
}

Checker integer(long long min, long long max) {
  return [min, max](const YAML::Node& n, const std::string& path, const Walk& w) -> json {
    if (n.IsScalar() && scalar_kind(n) == ScalarKind::kInt) {
      json v = yaml_to_json(n);
      if (v.is_number_integer() && v.get<long long>() >= min && v.get<long long>() <= max) return v;
      w.error(n, path, "number out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]: " + n.Scalar());
      return bad();
    }
    w.error(n, path, "expected an integer, got " + describe(n));
    return bad();
  };
}

Checker octal_mode(long long max) {
  return [max](const YAML::Node& n, const std::string& path, const Walk& w) -> json {
    if (n.IsScalar() && !n.Scalar().empty()) {
      const std::string& s = n.Scalar();
      std::string digits = s.rfind("0o", 0) == 0 ? s.substr(2) : s;
      bool octal = !digits.empty() && digits.size() <= 7 && digits.find_first_not_of("01234567") == std::string::npos;
      if (octal) {
        long long v = std::stoll(digits, nullptr, 8);
        if (v <= max) return v;
      }
    }
    w.error(n, path, "expected an octal mode such as \"0644\", got " + describe(n));
    return bad();
  };
}

Checker string_list() { return list(string()); }

Checker string_map() {
  return [](const YAML::Node& n, const std::string& path, const Walk& w) -> json {
    if (n.IsNull()) return json::object();
    if (!n.IsMap()) {
      w.error(n, path, "expected a mapping of strings, got " + describe(n));
      return bad();
    }
    json out = json::object();
    bool ok = true;
    for (auto it = n.begin(); it != n.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : "?";
      if (!it->second.IsScalar()) {
        w.error(it->second, path + "." + key, "expected a string value, got " + describe(it->second));
        ok = false;
        continue;
      }
      out[key] = it->second.Scalar();
    }
    return ok ? out : bad();
  };
}

Checker int_or_name() {
  return [](const YAML::Node& n, const std::string& path, const Walk& w) -> json {
    if (n.IsScalar()) {
      auto k = scalar_kind(n);
      if (k == ScalarKind::kInt) {
        json v = yaml_to_json(n);
        if (v.is_number_integer() && v.get<long long>() >= 0 && v.get<long long>() <= 4294967294LL) return v;
      } else if (k == ScalarKind::kString) {
        return n.Scalar();
      }
    }
    w.error(n, path, "expected a numeric id or a name, got " + describe(n));
    return bad();
  };
}

Checker refine(Checker base, std::function<std::string(const json&)> pred) {
  return [base, pred](const YAML::Node& n, const std::string& path, const Walk& w) -> json {
    json v = base(n, path, w);
    if (is_bad(v)) return v;
    std::string msg = pred(v);
    if (msg.empty()) return v;
    w.error(n, path, msg);
    return bad();
  };
}

}  // namespace lk::spec::check
