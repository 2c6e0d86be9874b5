#include "boot/boot_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "base/error.h"
#include "base/fs.h"
#include "base/sha256.h"
#include "streams/tar_reader.h"

namespace lk::boot {

namespace {

uint64_t size_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw InputError(path + ": " + std::strerror(errno));
  return static_cast<uint64_t>(st.st_size);
}

BootFiles from_prefix(const std::string& prefix) {
  BootFiles b;
  b.kernel = prefix + "-kernel";
  b.initrd = prefix + "-initrd.img";
  if (!path_exists(b.initrd)) throw InputError(prefix + ": " + b.initrd + " is missing");
  if (path_exists(prefix + "-cmdline")) b.cmdline = trim_end(read_file(prefix + "-cmdline"));
  b.kernel_size = size_of(b.kernel);
  b.initrd_size = size_of(b.initrd);
  return b;
}

// Writes the current member of TAR to PATH; returns its size.
uint64_t save(streams::TarReader& tar, const std::string& path) {
  Fd out(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!out) throw_errno("create " + path);
  uint64_t n = 0;
  tar.copy_data([&](const void* d, size_t len) {
    write_all(out.get(), std::string_view(static_cast<const char*>(d), len), path);
    n += len;
  });
  return n;
}

BootFiles from_tar(const std::string& input, const std::string& workdir) {
  Fd in = open_input(input, "a bundle tar from lk-initrd, or -i PREFIX of PREFIX-kernel files");
  const std::string where = input == "-" ? "the bundle on stdin" : input;
  streams::TarReader tar = streams::TarReader::open_stream(in.get(), where);
  BootFiles b;
  b.kernel = workdir + "/kernel";
  b.initrd = workdir + "/initrd.img";
  const std::string ucode = workdir + "/ucode.cpio";
  bool have_kernel = false, have_initrd = false, have_ucode = false;
  while (tar.next()) {
    streams::TarEntry e = tar.header();
    std::string name = e.path.rfind("./", 0) == 0 ? e.path.substr(2) : e.path;
    if (e.type == streams::TarEntry::kDir) continue;
    if (e.type != streams::TarEntry::kFile) throw InputError(where + ": member " + name + " is not a regular file");
    if (name == "kernel") {
      b.kernel_size = save(tar, b.kernel);
      have_kernel = true;
    } else if (name == "initrd.img") {
      b.initrd_size = save(tar, b.initrd);
      have_initrd = true;
    } else if (name == "ucode.cpio") {
      save(tar, ucode);
      have_ucode = true;
    } else if (name == "cmdline") {
      std::string text;
      tar.copy_data([&](const void* d, size_t len) { text.append(static_cast<const char*>(d), len); });
      b.cmdline = trim_end(text);
    } else {
      throw InputError(where + ": unexpected member " + name +
                       " (a bundle holds kernel, initrd.img, cmdline and ucode.cpio)");
    }
  }
  if (!have_kernel) throw InputError(where + ": the bundle has no kernel (expected the tar lk-initrd writes)");
  if (!have_initrd) throw InputError(where + ": the bundle has no initrd.img");
  if (have_ucode && b.initrd_size > 0) {
    // As LinuxKit's kernel+initrd: the microcode cpio goes first, uncompressed.
    Fd out(::open(ucode.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
    Fd initrd(::open(b.initrd.c_str(), O_RDONLY | O_CLOEXEC));
    if (!out || !initrd) throw_errno("open " + ucode);
    std::string buf(1 << 20, '\0');
    for (;;) {
      ssize_t n = ::read(initrd.get(), buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw_errno("read " + b.initrd);
      if (n == 0) break;
      write_all(out.get(), std::string_view(buf.data(), static_cast<size_t>(n)), ucode);
    }
    b.initrd = ucode;
    b.initrd_size = size_of(ucode);
  }
  return b;
}

}  // namespace

BootFiles read_boot_files(const std::string& input, const std::string& workdir) {
  bool prefix = input != "-" && path_exists(input + "-kernel");
  BootFiles b = prefix ? from_prefix(input) : from_tar(input, workdir);
  if (b.kernel_size == 0) throw InputError(input + ": the kernel is empty");
  if (b.initrd_size == 0) throw InputError(input + ": the initrd is empty");
  return b;
}

std::string content_digest(const BootFiles& boot) {
  Sha256 all;
  all.update(sha256_file(boot.kernel));
  all.update(sha256_file(boot.initrd));
  all.update(boot.cmdline);
  return all.hex();
}

}  // namespace lk::boot
