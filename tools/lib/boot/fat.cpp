#include "boot/fat.h"

#include <algorithm>
#include <cstdio>

#include "base/error.h"
#include "base/process.h"

namespace lk::boot {

namespace {

constexpr int64_t kFatEpoch = 315532800;  // 1980-01-01T00:00:00Z

void need_program(const std::string& program, const std::string& package) {
  if (find_program(program).empty()) throw RuntimeError(program + " not found: install Debian's " + package);
}

}  // namespace

FatImage::FatImage(std::string image, const FatOptions& opts) : image_(std::move(image)), opts_(opts) {
  if (opts_.offset % 512 || opts_.size % 1024 || opts_.size == 0)
    throw RuntimeError("FAT region of " + image_ + " is not sector aligned");
  need_program("mkfs.fat", "dosfstools");
  need_program("mcopy", "mtools");
  // mtools and syslinux's installer stamp files with "now" unless told otherwise, in
  // local time; MTOOLS_SKIP_CHECK accepts geometries that do not fill whole tracks.
  env_ = {"SOURCE_DATE_EPOCH=" + std::to_string(std::max(opts_.epoch, kFatEpoch)), "TZ=UTC", "MTOOLS_SKIP_CHECK=1"};
  char serial[16];
  std::snprintf(serial, sizeof serial, "%08X", opts_.serial);
  std::vector<std::string> argv = {"mkfs.fat", "--invariant", "-i", serial, "-n",
                                   opts_.label.empty() ? "LK" : opts_.label, "--offset",
                                   std::to_string(opts_.offset / 512),
                                   // hidden sectors = the partition's LBA: the boot sector needs it to find itself
                                   "-h", std::to_string(opts_.offset / 512)};
  if (opts_.fat32) argv.insert(argv.end(), {"-F", "32"});
  argv.insert(argv.end(), {image_, std::to_string(opts_.size / 1024)});
  run_checked(argv, env_);
}

std::string FatImage::target() const { return image_ + "@@" + std::to_string(opts_.offset); }

std::string FatImage::uuid() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04x-%04x", opts_.serial >> 16, opts_.serial & 0xffff);
  return buf;
}

void FatImage::install_syslinux() {
  need_program("syslinux", "syslinux");
  run_checked({"syslinux", "--offset", std::to_string(opts_.offset), "--install", image_}, env_);
}

void FatImage::mkdir(const std::vector<std::string>& paths) {
  std::vector<std::string> argv = {"mmd", "-i", target()};
  for (const auto& p : paths) argv.push_back("::" + p);
  run_checked(argv, env_);
}

void FatImage::copy(const std::string& host_file, const std::string& path) {
  run_checked({"mcopy", "-i", target(), host_file, "::" + path}, env_);
}

}  // namespace lk::boot
