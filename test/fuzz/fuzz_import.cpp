// libFuzzer target: any bytes as an archive for lk-pull --import (docker save or OCI).
// A damaged or hostile archive must end in lk::InputError or lk::RuntimeError; and
// whatever it says, nothing may appear beside the cache, no link inside it, nothing
// left in ingest/, and every blob must hash to its name.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "base/error.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/sha256.h"
#include "oci/layout.h"
#include "pull/archive_import.h"

namespace {

namespace fs = std::filesystem;

// Aborts unless the sandbox holds only the archive and a sane cache.
void check_sandbox(const fs::path& root, const fs::path& cache) {
  for (const auto& e : fs::directory_iterator(root))
    if (e.path().filename() != "cache" && e.path().filename() != "in.tar") std::abort();
  for (const auto& e : fs::recursive_directory_iterator(cache)) {
    if (e.is_symlink()) std::abort();
    auto rel = fs::relative(e.path(), cache).string();
    if (rel.starts_with("ingest/")) std::abort();
    if (rel.starts_with("blobs/sha256/")) {
      if (!e.is_regular_file() || lk::sha256_file(e.path().string()) != e.path().filename().string()) std::abort();
    } else if (rel != "blobs" && rel != "blobs/sha256" && rel != "ingest" && rel != "oci-layout" &&
               rel != "index.json" && rel != "index.json.lock") {
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A fresh sandbox per input: one input's leftovers must not hide another's escape.
  std::string tmpl = lk::temp_root() + "/lk-fuzz-import-XXXXXX";
  if (!::mkdtemp(tmpl.data())) std::abort();
  fs::path root = tmpl, cache = root / "cache";
  {
    lk::Fd fd(::open((root / "in.tar").c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    lk::write_all(fd.get(), std::string_view(reinterpret_cast<const char*>(data), size), "in.tar");
  }
  try {
    lk::oci::OciLayout layout(cache.string());
    lk::Log log("fuzz_import", lk::Log::kQuiet);
    (void)lk::pull::import_archive(layout, (root / "in.tar").string(), log);
  } catch (const lk::InputError&) {
  } catch (const lk::RuntimeError&) {}
  check_sandbox(root, cache);
  fs::remove_all(root);
  return 0;
}
