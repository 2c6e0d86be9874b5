#pragma once
// Kernel files for direct boot. Under software emulation a bzImage spends seconds
// decompressing itself; qemu can instead enter the ELF vmlinux inside it through the
// PVH entry point, reaching userspace more than twice as fast.
#include <string>

namespace lk::boot {

bool is_elf(const std::string& path);
// True when the ELF at PATH has a PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY).
bool elf_has_pvh_entry(const std::string& path);
// Decompresses the payload of the bzImage at BZIMAGE (gzip, xz, zstd, ...) into
// OUT_PATH atomically. Throws InputError when it is not a bzImage with an ELF payload.
void extract_vmlinux(const std::string& bzimage, const std::string& out_path);
// A PVH-bootable vmlinux for KERNEL, cached under CACHE_DIR by the kernel's sha256;
// "" when the kernel cannot be booted that way (then boot it as it is).
std::string pvh_kernel(const std::string& kernel, const std::string& cache_dir);

}  // namespace lk::boot
