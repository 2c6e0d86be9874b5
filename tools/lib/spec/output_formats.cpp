#include "spec/output_formats.h"

#include "base/error.h"

namespace lk::spec {

const std::vector<OutputFormat>& output_formats() {
  static const std::vector<OutputFormat> all = {
      {"kernel+initrd", "-kernel", {}, false},
      {"iso-bios", ".iso", {"lk-iso", "--bios"}, false},
      {"iso-efi", "-efi.iso", {"lk-iso", "--efi"}, false},
      // LinuxKit's iso-efi-initrd is what our iso-efi always is: GRUB booting kernel+initrd.
      {"iso-efi-initrd", "-efi-initrd.iso", {"lk-iso", "--efi"}, false},
      {"iso-hybrid", "-hybrid.iso", {"lk-iso", "--bios", "--efi"}, false},
      {"raw-bios", "-bios.img", {"lk-disk", "--format", "raw-bios"}, true},
      {"raw-efi", "-efi.img", {"lk-disk", "--format", "raw-efi"}, true},
      {"raw-dual", "-dual.img", {"lk-disk", "--format", "raw-dual"}, true},
      {"qcow2-bios", ".qcow2", {"lk-disk", "--format", "qcow2-bios"}, true},
      {"qcow2-efi", "-efi.qcow2", {"lk-disk", "--format", "qcow2-efi"}, true},
      {"qcow2-dual", "-dual.qcow2", {"lk-disk", "--format", "qcow2-dual"}, true},
      // The 2017 moby tool's names.
      {"qcow2", ".qcow2", {"lk-disk", "--format", "qcow2-bios"}, true, true},
      {"qcow", ".qcow2", {"lk-disk", "--format", "qcow2-bios"}, true, true},
      {"gcp", ".img.tar.gz", {"lk-gcp"}, true},
      {"gcp-img", ".img.tar.gz", {"lk-gcp"}, true, true},
      {"gcp-efi", "-efi.img.tar.gz", {"lk-gcp", "--uefi"}, true},
  };
  return all;
}

const OutputFormat& output_format(const std::string& name) {
  std::string known;
  for (const auto& f : output_formats()) {
    if (f.name == name) return f;
    known += (known.empty() ? "" : ", ") + f.name;
  }
  throw InputError("format \"" + name + "\" is not one lk builds (it builds " + known + ")");
}

}  // namespace lk::spec
