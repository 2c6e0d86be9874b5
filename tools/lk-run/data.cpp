#include "data.h"

#include <sys/stat.h>

#include "base/error.h"
#include "base/fs.h"
#include "qemu/metadata_disc.h"

namespace lk::run {

void add_data_options(cxxopts::Options& opt) {
  opt.add_options()("data", "user-data for the guest, on a metadata CD-ROM (pkg/metadata reads it)",
                    cxxopts::value<std::string>(),
                    "STRING")("data-file", "the same, from a file", cxxopts::value<std::string>(), "FILE");
}

std::string metadata_disc(const cxxopts::ParseResult& args, const std::string& state) {
  const bool data = args.count("data") > 0, file = args.count("data-file") > 0;
  if (data && file) throw InputError("--data and --data-file cannot be used together");
  std::string content;
  if (data) {
    content = args["data"].as<std::string>();
    if (content.empty()) return "";
  } else if (file) {
    const std::string path = args["data-file"].as<std::string>();
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
      throw InputError("--data-file " + path + ": not a readable file");
    if (static_cast<uint64_t>(st.st_size) > qemu::kMaxDiscData)
      throw InputError("--data-file " + path + ": " + std::to_string(st.st_size) +
                       " bytes; pkg/metadata reads at most " + std::to_string(qemu::kMaxDiscData >> 20) + " MiB");
    try {
      content = read_file(path);
    } catch (const Error& e) {
      throw InputError(std::string("--data-file: ") + e.what());
    }
  } else {
    return "";
  }
  TempDir work(temp_root(), "lk-run-data");
  const std::string iso = state + "/data.iso";
  qemu::write_metadata_disc(iso, content, work.path());
  return iso;
}

}  // namespace lk::run
