#pragma once
// The disc `lk run qemu --data` attaches, made as `linuxkit run --data` makes it: an
// ISO 9660 image with one file, "config", holding the user-data, which pkg/metadata's
// cdrom provider reads (and LinuxKit's metadata package too).
#include <string>
#include <string_view>

namespace lk::qemu {

// pkg/metadata keeps at most this much user-data (metadata/provider.h's kMaxUserData).
constexpr size_t kMaxDiscData = 16 << 20;

// Writes the image to PATH with xorriso; WORK is a folder for its one input file.
// Throws InputError for DATA over kMaxDiscData, RuntimeError when xorriso fails.
void write_metadata_disc(const std::string& path, std::string_view data, const std::string& work);

}  // namespace lk::qemu
