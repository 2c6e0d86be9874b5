// Golden cases for config.json / runtime.json: each test/rootfs/config/NAME.in.json
// holds a spec (YAML text; the entry named "t" is the one checked), an image config
// and an optional org.mobyproject.config label; NAME.config.json and NAME.runtime.json
// hold the exact bytes lk must write. LK_UPDATE_GOLDEN=1 rewrites them (review the diff).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "base/error.h"
#include "base/fs.h"
#include "rootfs/runtime_config.h"
#include "spec/plan_builder.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path golden_dir() {
  for (fs::path p = fs::current_path(); !p.empty(); p = p.parent_path()) {
    if (fs::exists(p / "test/rootfs/config")) return p / "test/rootfs/config";
    if (p == p.parent_path()) break;
  }
  return "test/rootfs/config";
}

const lk::spec::Container* entry_named_t(const lk::spec::Plan& plan) {
  for (const auto& s : lk::spec::container_sections())
    for (const auto& e : plan.*s.list)
      if (e.name == "t") return &e;
  return nullptr;
}

lk::rootfs::OciSpec run_case(const json& c) {
  auto plan = lk::spec::build_plan({{"case.yml", c["spec"].get<std::string>(), "."}}, lk::spec::PlanOptions{}).plan;
  const lk::spec::Container* entry = entry_named_t(plan);
  REQUIRE(entry != nullptr);
  lk::rootfs::OciInputs in;
  in.image = c.value("image", json::object());
  std::string label = lk::rootfs::moby_label_text(in.image);
  if (!label.empty()) in.label = lk::rootfs::parse_moby_label(label, plan.ids, "case");
  in.yaml = entry->config;
  return lk::rootfs::make_oci_spec(in);
}

void compare_or_update(const fs::path& expected, const std::string& got) {
  if (std::getenv("LK_UPDATE_GOLDEN")) {
    std::ofstream(expected) << got;
    return;
  }
  REQUIRE_MESSAGE(fs::exists(expected), expected.string() << " is missing");
  CHECK_MESSAGE(lk::read_file(expected.string()) == got, expected.filename().string() << " differs; got:\n" << got);
}

}  // namespace

TEST_CASE("config.json golden cases") {
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(golden_dir()))
    if (e.path().string().ends_with(".in.json")) cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  CHECK(cases.size() >= 25);
  for (const auto& p : cases) {
    std::string stem = p.filename().string();
    stem.resize(stem.size() - std::string(".in.json").size());
    SUBCASE(stem.c_str()) {
      json c = json::parse(lk::read_file(p.string()));
      if (c.contains("error")) {
        std::string msg;
        try {
          run_case(c);
        } catch (const lk::InputError& e) {
          msg = e.what();
        }
        CHECK_MESSAGE(msg.find(c["error"].get<std::string>()) != std::string::npos, stem << ": got \"" << msg << "\"");
        continue;
      }
      auto spec = run_case(c);
      compare_or_update(p.parent_path() / (stem + ".config.json"), lk::rootfs::oci_json_text(spec.config));
      compare_or_update(p.parent_path() / (stem + ".runtime.json"), lk::rootfs::oci_json_text(spec.runtime));
    }
  }
}

TEST_CASE("a label that is not a valid service config is an input error naming the image") {
  std::string msg;
  try {
    lk::rootfs::parse_moby_label("{\"capabilities\": [\"CAP_FOO\"]}", json::object(), "docker.io/x/y@sha256:1");
  } catch (const lk::InputError& e) {
    msg = e.what();
  }
  CHECK(msg.find("docker.io/x/y@sha256:1") != std::string::npos);
  CHECK(msg.find("CAP_FOO") != std::string::npos);
}
