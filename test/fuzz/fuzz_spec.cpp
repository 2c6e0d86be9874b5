// libFuzzer target: any bytes as a spec file. Bad input must end in lk::InputError,
// never a crash, a hang, a leak or another exception; the seeds and spec.dict lean
// on anchors, aliases and nesting, which lk-parse bounds. A plan that comes out must
// hold only names and paths lk-rootfs can lay out safely.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "base/error.h"
#include "spec/container_id.h"
#include "spec/plan_builder.h"

namespace {
void require(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lk::spec::SpecInput in{"fuzz.yml", std::string(reinterpret_cast<const char*>(data), size), "."};
  try {
    lk::spec::PlanOptions opts;
    opts.keep_spec = true;  // also the raw-spec walk (yaml_to_json) that --dry-run does
    auto result = lk::spec::build_plan({in}, opts);
    const auto& plan = result.plan;
    for (const auto& s : lk::spec::container_sections())
      for (const auto& e : plan.*s.list) require(lk::spec::is_container_id(e.name));
    for (const auto& v : plan.volumes) require(lk::spec::is_container_id(v.name));
    for (const auto& f : plan.files) {
      const std::string& p = f.path;
      require(p.find('\0') == std::string::npos && p != ".." && p.rfind("../", 0) != 0 &&
              p.find("/../") == std::string::npos && (p.size() < 3 || p.substr(p.size() - 3) != "/.."));
    }
    // Whatever lk-parse writes, the contract reads back to the same bytes.
    const std::string text = lk::spec::document_text(plan);
    bool same = false;
    try {
      same = lk::spec::document_text(lk::spec::parse_document(text, lk::spec::Stage::kPlan, "plan")) == text;
    } catch (const lk::InputError&) {}
    require(same);
  } catch (const lk::InputError&) {}
  return 0;
}
