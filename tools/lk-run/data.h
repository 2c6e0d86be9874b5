#pragma once
// lk-run qemu's --data and --data-file, as `linuxkit run qemu` has them: the user-data
// goes to the guest on a metadata CD-ROM (qemu/metadata_disc.h) that pkg/metadata reads.
#include <string>

#include "base/cxxopts_config.h"

namespace lk::run {

void add_data_options(cxxopts::Options& opt);

// The disc for --data STRING or --data-file FILE, written as STATE/data.iso; "" when
// neither is given (or --data is empty, as LinuxKit takes it). Both at once, or a file
// that cannot be read, is an InputError.
std::string metadata_disc(const cxxopts::ParseResult& args, const std::string& state);

}  // namespace lk::run
