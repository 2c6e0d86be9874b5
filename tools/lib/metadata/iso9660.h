#pragma once
// Files from an ISO 9660 file system (a CD-ROM's device node, or an .iso file), read
// without mounting it: no CAP_SYS_ADMIN, no isofs module and no mount namespace needed
// in the metadata container, and the reading is tested on the host against images
// xorriso makes. Names come from Rock Ridge (NM) when the disc has it, else from Joliet,
// else the plain ISO names the way Linux shows them (lower case, no ";1" version).
// Multi-extent (over 4 GiB) files are refused; metadata files are a few KiB.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/fs.h"

namespace lk::metadata {

class IsoImage {
public:
  // Reads the volume descriptors of the image on FD (which it keeps); WHAT names it in
  // errors. Throws InputError when FD holds no ISO 9660 file system.
  IsoImage(Fd fd, std::string what);

  // The primary volume's identifier, trailing blanks removed ("cidata", "config-2").
  const std::string& volume_id() const { return volume_id_; }
  bool has_joliet() const { return joliet_.size != 0; }

  // The regular file at PATH ("user-data", "openstack/latest/user_data"); nullopt when
  // there is none. Throws RuntimeError when it is larger than MAX or the disc is broken.
  std::optional<std::string> read(std::string_view path, size_t max) const;

private:
  struct Extent {
    uint32_t lba = 0, size = 0;
    bool dir = false;
  };
  std::optional<Extent> find(const Extent& root, std::string_view path, bool joliet) const;
  std::optional<Extent> lookup(const Extent& dir, std::string_view name, bool joliet) const;
  std::string sectors(uint32_t lba, uint32_t bytes) const;
  // The Rock Ridge name in the system use area SUA, "" when it has none.
  std::string rock_ridge_name(std::string_view sua, int depth) const;

  Fd fd_;
  std::string what_;
  std::string volume_id_;
  Extent root_, joliet_;
  size_t susp_skip_ = 0;  // SUSP's SP entry: bytes to skip at the start of every SUA
};

// The ISO 9660 volume identifier of the file system on FD, "" when there is none or it
// cannot be read: a cheap look (two sectors) at any block device for a cidata label.
std::string iso_volume_id(int fd);

}  // namespace lk::metadata
