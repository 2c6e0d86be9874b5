#pragma once
// lk-run's backends. Each is a whole tool behind `lk-run NAME ...` with its own flags
// and --help; add one by declaring its entry point here and listing it in the table.
#include "base/tool_main.h"

namespace lk::run {

// ARGV[0] is the subcommand's name; the rest are its arguments.
int gcp_main(int argc, char** argv);
int qemu_main(int argc, char** argv);

inline constexpr Subcommand kSubcommands[] = {
    {"qemu", "boot locally in qemu (kernel+initrd, ISO, disk images)", qemu_main},
    {"gcp", "run an image on Google Compute Engine and follow its serial console", gcp_main},
};

}  // namespace lk::run
