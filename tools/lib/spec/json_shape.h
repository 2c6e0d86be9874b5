#pragma once
// The shape of JSON a tool reads from a file someone may have edited by hand (the
// lock): checked once, before any output, so a wrong type is an InputError naming
// the file and field ("lock.json: services[0].command: expected a list of strings")
// rather than a json type_error from wherever the value is first used. Only the
// keys a shape lists are looked at; others pass.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace lk::spec::shape {

// Throws InputError("PATH: MESSAGE") for the first value that does not fit.
using Check = std::function<void(const nlohmann::json& value, const std::string& path)>;

Check string();
Check boolean();
Check number();
Check any();
Check strings();                 // a list of strings
Check list(Check item);
Check map(Check value);          // an object with any keys
Check or_null(Check c);
struct Field {
  std::string key;
  Check check;
  bool required = false;
};
Check object(std::vector<Field> fields);

// Runs C on VALUE; an error message starts with FILE.
void check(const nlohmann::json& value, const Check& c, const std::string& file);

}  // namespace lk::spec::shape
