#include <doctest/doctest.h>

#include "base/error.h"
#include "spec/json_shape.h"
#include "rootfs/runtime_config.h"

using nlohmann::json;

TEST_CASE("json shapes name the file and field of a wrong type") {
  using namespace lk::spec::shape;
  Check c = object({{"services", list(object({{"name", string(), true}, {"config", lk::rootfs::container_config_shape()}}))}});
  auto msg = [&](const json& j) {
    try {
      check(j, c, "lock.json");
    } catch (const lk::InputError& e) {
      return std::string(e.what());
    }
    return std::string("ok");
  };
  CHECK(msg(json::parse(R"({"services":[{"name":"a","config":{"command":["x"]}}],"other":5})")) == "ok");
  CHECK(msg(json::parse(R"({"services":5})")) == "lock.json: services: expected a list, got a number");
  CHECK(msg(json::parse(R"({"services":[{"config":{}}]})")) == "lock.json: services[0].name: missing");
  CHECK(msg(json::parse(R"({"services":[{"name":"a","config":{"command":"x"}}]})")) ==
        "lock.json: services[0].config.command: expected a list of strings, got a string");
  CHECK(msg(json::parse(R"({"services":[{"name":"a","config":{"capabilities.add":[1]}}]})")) ==
        "lock.json: services[0].config.capabilities.add[0]: expected a string (in a list of strings), got a number");
  CHECK(msg(json::parse(R"({"services":[{"name":"a","config":{"sysctl":{"k":1}}}]})")) ==
        "lock.json: services[0].config.sysctl.k: expected a string, got a number");
  CHECK(msg(json::parse(R"({"services":[{"name":"a","config":{"mounts":[{"options":"ro"}]}}]})")) ==
        "lock.json: services[0].config.mounts[0].options: expected a list of strings, got a string");
  CHECK(msg(json::parse(R"({"services":[null]})")) == "lock.json: services[0]: expected an object, got null");
}
