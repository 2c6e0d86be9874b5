// libFuzzer target: any bytes as a spec file. Bad input must end in lk::InputError,
// never a crash, a hang, a leak or another exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "error.h"
#include "spec_plan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lk::SpecInput in{"fuzz.yml", std::string(reinterpret_cast<const char*>(data), size), "."};
  try {
    lk::build_plan({in}, lk::PlanOptions{});
  } catch (const lk::InputError&) {
  }
  return 0;
}
