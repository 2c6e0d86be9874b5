#include "spec/json_shape.h"

#include "base/error.h"

namespace lk::spec::shape {

using nlohmann::json;

namespace {

const char* describe(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "a list";
    case json::value_t::object: return "an object";
    default: return "a number";
  }
}

[[noreturn]] void mismatch(const json& v, const std::string& path, const std::string& expected) {
  throw InputError((path.empty() ? std::string() : path + ": ") + "expected " + expected + ", got " + describe(v));
}

Check kind(bool (json::*is)() const noexcept, std::string expected) {
  return [is, expected](const json& v, const std::string& path) {
    if (!(v.*is)()) mismatch(v, path, expected);
  };
}

}  // namespace

Check string() { return kind(&json::is_string, "a string"); }
Check boolean() { return kind(&json::is_boolean, "a boolean"); }
Check number() { return kind(&json::is_number, "a number"); }
Check any() {
  return [](const json&, const std::string&) {};
}

Check strings() {
  return [](const json& v, const std::string& path) {
    if (!v.is_array()) mismatch(v, path, "a list of strings");
    for (size_t i = 0; i < v.size(); ++i)
      if (!v[i].is_string()) mismatch(v[i], path + "[" + std::to_string(i) + "]", "a string (in a list of strings)");
  };
}

Check list(Check item) {
  return [item](const json& v, const std::string& path) {
    if (!v.is_array()) mismatch(v, path, "a list");
    for (size_t i = 0; i < v.size(); ++i) item(v[i], path + "[" + std::to_string(i) + "]");
  };
}

Check map(Check value) {
  return [value](const json& v, const std::string& path) {
    if (!v.is_object()) mismatch(v, path, "an object");
    for (const auto& [k, x] : v.items()) value(x, path.empty() ? k : path + "." + k);
  };
}

Check or_null(Check c) {
  return [c](const json& v, const std::string& path) {
    if (!v.is_null()) c(v, path);
  };
}

Check object(std::vector<Field> fields) {
  return [fields](const json& v, const std::string& path) {
    if (!v.is_object()) mismatch(v, path, "an object");
    for (const auto& f : fields) {
      std::string sub = path.empty() ? f.key : path + "." + f.key;
      auto it = v.find(f.key);
      if (it == v.end()) {
        if (f.required) throw InputError(sub + ": missing");
        continue;
      }
      f.check(*it, sub);
    }
  };
}

void check(const json& value, const Check& c, const std::string& file) {
  try {
    c(value, "");
  } catch (const InputError& e) {
    throw InputError(file + ": " + e.what());
  }
}

}  // namespace lk::spec::shape
