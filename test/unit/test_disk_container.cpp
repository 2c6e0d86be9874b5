#include <doctest/doctest.h>

#include <string>

#include "base/error.h"
#include "boot/disk_container.h"

namespace {
uint32_t be32(const std::string& s, size_t off) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(s[off + i]);
  return v;
}
}  // namespace

TEST_CASE("disk formats: LinuxKit's VHD and VMDK are BIOS disks; the rest name their firmware") {
  using lk::boot::DiskContainer;
  auto f = lk::boot::parse_disk_format("dynamic-vhd", "K");
  CHECK((f.container == DiskContainer::kDynamicVhd && f.bios && !f.efi));
  f = lk::boot::parse_disk_format("qcow2-dual", "K");
  CHECK((f.container == DiskContainer::kQcow2 && f.bios && f.efi));
  f = lk::boot::parse_disk_format("raw-efi", "K");
  CHECK((f.container == DiskContainer::kRaw && !f.bios && f.efi));
  CHECK_THROWS_WITH_AS(lk::boot::parse_disk_format("vhd-efi", "K"), "--format must be K, not \"vhd-efi\"",
                       lk::InputError);
  CHECK_THROWS_AS(lk::boot::parse_disk_format("raw", "K"), lk::InputError);
}

TEST_CASE("VHD footer: time from the epoch, UUID from the seed, checksum over the rest") {
  std::string footer(512, '\0');
  footer.replace(0, 8, "conectix");
  footer[24] = 0x31;  // qemu-img's time of day
  footer[70] = 0x55;  // and its random UUID
  auto a = lk::boot::stamp_vhd_footer(footer, 1700000000, "seed");
  CHECK(be32(a, 24) == 1700000000u - 946684800u);
  CHECK(lk::boot::stamp_vhd_footer(footer, 0, "seed").substr(24, 4) == std::string(4, '\0'));  // before 2000: 0
  uint32_t sum = 0;
  for (size_t i = 0; i < a.size(); ++i)
    if (i < 64 || i >= 68) sum += static_cast<unsigned char>(a[i]);
  CHECK(be32(a, 64) == ~sum);
  CHECK((static_cast<unsigned char>(a[74]) >> 4) == 8);
  CHECK((static_cast<unsigned char>(a[76]) >> 6) == 2);
  CHECK(a == lk::boot::stamp_vhd_footer(footer, 1700000000, "seed"));
  CHECK(a.substr(68, 16) != lk::boot::stamp_vhd_footer(footer, 1700000000, "other").substr(68, 16));
  CHECK_THROWS_AS(lk::boot::stamp_vhd_footer(std::string(512, 'x'), 0, "s"), lk::RuntimeError);
  CHECK_THROWS_AS(lk::boot::stamp_vhd_footer("conectix", 0, "s"), lk::RuntimeError);
}

TEST_CASE("VMDK descriptor: the CID comes from the seed, parentCID stays, the size holds") {
  const std::string text = "# Disk DescriptorFile\nversion=1\nCID=1c8d66aa\nparentCID=ffffffff\n";
  const std::string d = text + std::string(512 - text.size(), '\0');
  auto a = lk::boot::stamp_vmdk_descriptor(d, "seed");
  CHECK(a.size() == d.size());
  CHECK(a.find("CID=1c8d66aa") == std::string::npos);
  CHECK(a.find("\nparentCID=ffffffff\n") != std::string::npos);
  CHECK(a == lk::boot::stamp_vmdk_descriptor(d, "seed"));
  CHECK(a != lk::boot::stamp_vmdk_descriptor(d, "other"));
  // qemu drops a random CID's leading zeros: the stamped text is the same whatever it drew.
  const std::string shortcid = "# Disk DescriptorFile\nversion=1\nCID=c8d66a\nparentCID=ffffffff\n";
  CHECK(lk::boot::stamp_vmdk_descriptor(shortcid + std::string(512 - shortcid.size(), '\0'), "seed") == a);
  CHECK_THROWS_AS(lk::boot::stamp_vmdk_descriptor("version=1\n", "s"), lk::RuntimeError);
  CHECK_THROWS_AS(lk::boot::stamp_vmdk_descriptor("\nCID=1\n", "s"), lk::RuntimeError);  // no room for 8 digits
}
