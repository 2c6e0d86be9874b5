#pragma once
// The one table of output formats: the names a spec's outputs: may give (lk-parse), what
// `lk build` makes of each (the file, LinuxKit's names, and the image tool that makes it
// from the boot files), and the lists in --help texts. In spec so every tool may use it.
#include <string>
#include <vector>

namespace lk::spec {

struct OutputFormat {
  // What the output is made from: the files lk-initrd writes (kernel+initrd), the
  // rootfs tar itself (tar), the rootfs as a `docker load` image (docker), lk-initrd's
  // bundle tar (tar-kernel-initrd), or an image that TOOL makes from the boot files.
  enum Kind { kBootFiles, kRootfsTar, kDockerArchive, kBootTar, kImage };
  std::string name;
  std::string suffix;  // NAME + suffix is the output file
  Kind kind = kImage;
  std::vector<std::string> tool;  // kImage: lk-iso/lk-disk/lk-gcp and its flags
  bool takes_size = false;        // a disk: --size applies
  bool old_name = false;          // a 2017 moby name for another row
};

// Every row, in the order --help and the README list them.
const std::vector<OutputFormat>& output_formats();

// Why lk does not build NAME, when NAME is one of LinuxKit's formats lk refuses
// (kernel+squashfs, aws, rpi3...); "" for any other name.
std::string unbuilt_format_reason(const std::string& name);

// Throws InputError when NAME is not one of them: with the reason for a LinuxKit format
// lk refuses, else listing the known formats.
const OutputFormat& output_format(const std::string& name);

}  // namespace lk::spec
