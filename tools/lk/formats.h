#pragma once
// The output formats `lk build` makes, the file each one becomes (LinuxKit's names),
// and the image tool that makes it from the kernel+initrd bundle.
#include <string>
#include <vector>

namespace lk::front {

struct OutputFormat {
  std::string name;
  std::string suffix;              // NAME + suffix is the output file
  std::vector<std::string> tool;   // lk-iso/lk-disk/lk-gcp and its flags; empty for kernel+initrd
  bool takes_size = false;         // a disk: --size applies
};

// Throws InputError listing the known formats when NAME is not one of them.
const OutputFormat& output_format(const std::string& name);

}  // namespace lk::front
