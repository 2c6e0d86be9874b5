#include "spec/output_formats.h"

#include "base/error.h"

namespace lk::spec {

const std::vector<OutputFormat>& output_formats() {
  using F = OutputFormat;
  static const std::vector<OutputFormat> all = {
      {"kernel+initrd", "-kernel", F::kBootFiles, {}},
      {"tar", ".tar", F::kRootfsTar, {}},
      {"docker", ".docker", F::kDockerArchive, {}},
      {"tar-kernel-initrd", "-initrd.tar", F::kBootTar, {}},
      {"iso-bios", ".iso", F::kImage, {"lk-iso", "--bios"}},
      {"iso-efi", "-efi.iso", F::kImage, {"lk-iso", "--efi"}},
      // LinuxKit's iso-efi-initrd is what our iso-efi always is: GRUB booting kernel+initrd.
      {"iso-efi-initrd", "-efi-initrd.iso", F::kImage, {"lk-iso", "--efi"}},
      {"iso-hybrid", "-hybrid.iso", F::kImage, {"lk-iso", "--bios", "--efi"}},
      {"raw-bios", "-bios.img", F::kImage, {"lk-disk", "--format", "raw-bios"}, true},
      {"raw-efi", "-efi.img", F::kImage, {"lk-disk", "--format", "raw-efi"}, true},
      {"raw-dual", "-dual.img", F::kImage, {"lk-disk", "--format", "raw-dual"}, true},
      {"qcow2-bios", ".qcow2", F::kImage, {"lk-disk", "--format", "qcow2-bios"}, true},
      {"qcow2-efi", "-efi.qcow2", F::kImage, {"lk-disk", "--format", "qcow2-efi"}, true},
      {"qcow2-dual", "-dual.qcow2", F::kImage, {"lk-disk", "--format", "qcow2-dual"}, true},
      // LinuxKit's BIOS disks for Azure and Hyper-V (both named NAME.vhd, as LinuxKit
      // names them) and VMware.
      {"vhd", ".vhd", F::kImage, {"lk-disk", "--format", "vhd"}, true},
      {"dynamic-vhd", ".vhd", F::kImage, {"lk-disk", "--format", "dynamic-vhd"}, true},
      {"vmdk", ".vmdk", F::kImage, {"lk-disk", "--format", "vmdk"}, true},
      {"gcp", ".img.tar.gz", F::kImage, {"lk-gcp"}, true},
      {"gcp-efi", "-efi.img.tar.gz", F::kImage, {"lk-gcp", "--uefi"}, true},
      // The 2017 moby tool's names.
      {"qcow2", ".qcow2", F::kImage, {"lk-disk", "--format", "qcow2-bios"}, true, true},
      {"qcow", ".qcow2", F::kImage, {"lk-disk", "--format", "qcow2-bios"}, true, true},
      {"gcp-img", ".img.tar.gz", F::kImage, {"lk-gcp"}, true, true},
  };
  return all;
}

std::string unbuilt_format_reason(const std::string& name) {
  static const std::vector<std::pair<std::string, std::string>> refused = {
      {"kernel+squashfs", "root on squashfs needs lk-init to boot from a squashfs root; lk boots from its initrd"},
      {"kernel+erofs", "root on EROFS needs lk-init to boot from an EROFS root; lk boots from its initrd"},
      {"kernel+iso", "a root filesystem ISO needs lk-init to boot from it; use iso-bios or iso-efi"},
      {"aws", "lk has no AWS push or run yet; raw-bios is the same BIOS disk for a manual EC2 import"},
      {"rpi3", "Raspberry Pi 3 images are arm64, and lk builds amd64 systems only"},
  };
  for (const auto& [format, why] : refused)
    if (format == name) return "LinuxKit's format \"" + name + "\" is not one lk builds: " + why;
  return "";
}

const OutputFormat& output_format(const std::string& name) {
  if (std::string why = unbuilt_format_reason(name); !why.empty()) throw InputError(why);
  std::string known;
  for (const auto& f : output_formats()) {
    if (f.name == name) return f;
    known += (known.empty() ? "" : ", ") + f.name;
  }
  throw InputError("format \"" + name + "\" is not one lk builds (it builds " + known + ")");
}

}  // namespace lk::spec
