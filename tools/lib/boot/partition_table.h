#pragma once
// MBR and GPT partition tables written straight into an image file with pwrite, so
// disk images need no root, loop device or partitioning tool, and come out byte-identical
// from the same inputs (the GUIDs are derived from the content, not random).
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lk::boot {

using Guid = std::array<uint8_t, 16>;  // in on-disk (mixed-endian) byte order

// A version-4-style GUID (variant and version bits set) from the SHA-256 of SEED, so
// the same content always gives the same GUIDs.
Guid guid_from_seed(std::string_view seed);
// "C12A7328-F81F-11D2-BA4B-00A0C93EC93B" (either case) -> on-disk bytes; throws
// InputError if malformed.
Guid parse_guid(std::string_view text);
std::string format_guid(const Guid& g);  // inverse, upper case

inline constexpr std::string_view kEspTypeGuid = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";
inline constexpr std::string_view kLinuxDataTypeGuid = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";

inline constexpr uint64_t kSectorSize = 512;

struct MbrPartition {
  uint64_t first_lba = 0, sectors = 0;  // 512-byte sectors; must fit 32 bits
  uint8_t type = 0x0c;                  // 0x0c FAT32 LBA, 0x0e FAT16 LBA, 0xef EFI, 0xee GPT protective
  bool bootable = false;
};

// Writes sector 0 of FD, replacing all of it: BOOT_CODE (at most 440 bytes, e.g.
// syslinux's mbr.bin) at 0, the 32-bit DISK_SIGNATURE at 440, up to 4 entries at 446,
// 0x55AA at 510. The CHS fields are computed for the 255-head, 63-sector geometry (what
// fdisk writes), fe ff ff past cylinder 1023. Partitions must start after sector 0,
// be non-empty, have a non-zero type and not overlap; throws InputError otherwise.
void write_mbr(int fd, std::string_view boot_code, uint32_t disk_signature, const std::vector<MbrPartition>& parts);

struct GptPartition {
  uint64_t first_lba = 0, last_lba = 0;  // inclusive
  Guid type{}, unique{};
  uint64_t attributes = 0;  // bit 0 required, bit 2 legacy BIOS bootable
  std::string name;         // printable ASCII, stored as UTF-16LE, at most 36 chars
};

// Writes a GPT for a disk of DISK_SECTORS 512-byte sectors (a regular file must already
// have exactly that size): protective MBR (with BOOT_CODE at 0, e.g. syslinux's
// gptmbr.bin, may be empty), primary header at LBA 1, 128 entries of 128 bytes at
// LBA 2..33, backup entries at DISK_SECTORS-33 and backup header at DISK_SECTORS-1.
// Entries are stored in the order given. Checks the partitions lie inside first/last
// usable LBA (34 .. DISK_SECTORS-34), do not overlap, have a non-zero type GUID and a
// valid name; throws InputError otherwise.
void write_gpt(int fd, uint64_t disk_sectors, const Guid& disk_guid, const std::vector<GptPartition>& parts,
               std::string_view boot_code = {});

}  // namespace lk::boot
