// libFuzzer target: what a registry, a token service or a user can hand lk-pull —
// references, WWW-Authenticate challenges, token answers, manifests, indexes, image
// configs and platform names. The first byte picks the parser. Bad input must end
// in lk::InputError or lk::RuntimeError, never a crash or another exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/error.h"
#include "oci/manifest.h"
#include "oci/reference.h"
#include "pull/registry_auth.h"

namespace {

void parse(uint8_t which, const std::string& text) {
  using namespace lk;
  switch (which % 6) {
    case 0: {
      Reference r = parse_reference(text);
      (void)r.str();
      (void)r.manifest_ref();
      break;
    }
    case 1: {
      auto c = registry::parse_challenge(text);
      (void)registry::token_url(c, "repository:x:pull");
      (void)registry::oauth_refresh_form(c, "repository:x:pull", text, "lk");
      break;
    }
    case 2:
      (void)registry::parse_token_response(text, registry::Clock::now());
      (void)registry::token_error(text);
      (void)registry::parse_rfc3339(text);
      break;
    case 3: {
      std::string type = oci::detect_media_type(text, "", "fuzz");
      if (oci::is_index_type(type))
        (void)oci::select_platform(oci::parse_index(text, "fuzz"), oci::Platform{"linux", "amd64", ""}, "fuzz");
      else
        (void)oci::parse_manifest(text, "fuzz");
      break;
    }
    case 4: (void)oci::config_platform(text, "fuzz"); break;
    case 5: (void)oci::parse_platform(text); break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  try {
    parse(data[0], std::string(reinterpret_cast<const char*>(data + 1), size - 1));
  } catch (const lk::InputError&) {
  } catch (const lk::RuntimeError&) {}
  return 0;
}
