#pragma once
// The file formats a raw disk is delivered in: raw itself, or what qemu-img converts it
// to (qcow2 for qemu and OpenStack, fixed VHD for Azure, dynamic VHD for Hyper-V,
// streamOptimized VMDK for VMware, as LinuxKit makes them). qemu-img stamps a VHD with
// the time and a random UUID, and a VMDK with a random content id: those fields are
// rewritten from SOURCE_DATE_EPOCH and the content, so the same disk gives the same bytes.
#include <cstdint>
#include <string>
#include <string_view>

namespace lk::boot {

enum class DiskContainer { kRaw, kQcow2, kVhd, kDynamicVhd, kVmdk };

struct DiskFormat {
  DiskContainer container;
  bool bios, efi;
};

// "raw-bios"... "qcow2-dual", and LinuxKit's "vhd", "dynamic-vhd" and "vmdk" (BIOS disks,
// as LinuxKit's are). Throws InputError listing KNOWN for any other name.
DiskFormat parse_disk_format(const std::string& name, const std::string& known);

// Converts the raw disk RAW into CONTAINER (not kRaw) at PATH, in WORKDIR. SEED (the
// content's digest) makes the VHD's UUID and the VMDK's content id.
void convert_disk(const std::string& raw, DiskContainer container, const std::string& path, const std::string& workdir,
                  int64_t epoch, const std::string& seed);

// The VHD footer (512 bytes) with its timestamp from EPOCH, its UUID from SEED and its
// checksum recomputed. Throws RuntimeError when FOOTER is not a VHD footer.
std::string stamp_vhd_footer(std::string_view footer, int64_t epoch, const std::string& seed);

// A VMDK descriptor's sectors (NUL-padded text) with its CID from SEED, the same size.
// Throws RuntimeError when there is no CID or the text would no longer fit.
std::string stamp_vmdk_descriptor(std::string_view region, const std::string& seed);

}  // namespace lk::boot
