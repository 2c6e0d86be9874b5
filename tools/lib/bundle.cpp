#include "bundle.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "error.h"
#include "fs.h"
#include "sha256.h"
#include "tar_reader.h"

namespace lk {

namespace {

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::string trim_line(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// Copies FD (from its current offset) to the end of OUT, hashing what passes.
uint64_t append(int fd, int out, Sha256& hash, const std::string& what) {
  char buf[1 << 16];
  uint64_t total = 0;
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("read " + what);
    if (n == 0) return total;
    hash.update(buf, static_cast<size_t>(n));
    write_all(out, std::string_view(buf, static_cast<size_t>(n)), what);
    total += static_cast<uint64_t>(n);
  }
}

uint64_t hash_file(const std::string& path, Sha256& hash) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw_errno("open " + path);
  char buf[1 << 16];
  uint64_t total = 0;
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("read " + path);
    if (n == 0) return total;
    hash.update(buf, static_cast<size_t>(n));
    total += static_cast<uint64_t>(n);
  }
}

std::string bundle_digest(const std::string& kernel_hex, const std::string& initrd_hex, const std::string& cmdline) {
  Sha256 all;
  all.update(kernel_hex);
  all.update(initrd_hex);
  all.update(cmdline);
  return all.hex();
}

Bundle from_prefix(const std::string& prefix) {
  Bundle b;
  b.kernel = prefix + "-kernel";
  b.initrd = prefix + "-initrd.img";
  if (!exists(b.initrd)) throw InputError(prefix + ": " + b.initrd + " is missing");
  if (exists(prefix + "-cmdline")) b.cmdline = trim_line(read_file(prefix + "-cmdline"));
  Sha256 kernel_hash, initrd_hash;
  b.kernel_size = hash_file(b.kernel, kernel_hash);
  b.initrd_size = hash_file(b.initrd, initrd_hash);
  b.digest = bundle_digest(kernel_hash.hex(), initrd_hash.hex(), b.cmdline);
  return b;
}

Bundle from_tar(const std::string& input, const std::string& workdir) {
  Fd owned;
  int in = STDIN_FILENO;
  if (input != "-") {
    owned.reset(::open(input.c_str(), O_RDONLY | O_CLOEXEC));
    if (!owned) throw InputError(input + ": cannot open (" + std::string(std::strerror(errno)) + ")");
    in = owned.get();
  }
  const std::string where = input == "-" ? "the bundle on stdin" : input;
  TarReader tar = TarReader::open_fd(in, where);
  Bundle b;
  b.kernel = workdir + "/kernel";
  b.initrd = workdir + "/initrd.img";
  std::string ucode;
  bool have_kernel = false, have_initrd = false;
  Sha256 kernel_hash, initrd_hash;
  std::string initrd_hex;
  while (tar.next()) {
    TarEntry e = tar.header();
    std::string name = e.path.rfind("./", 0) == 0 ? e.path.substr(2) : e.path;
    if (e.type == TarEntry::kDir) continue;
    if (e.type != TarEntry::kFile) throw InputError(where + ": member " + name + " is not a regular file");
    auto save = [&](const std::string& path, Sha256* hash) {
      Fd out(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
      if (!out) throw_errno("create " + path);
      uint64_t n = 0;
      tar.copy_data([&](const void* d, size_t len) {
        if (hash) hash->update(d, len);
        write_all(out.get(), std::string_view(static_cast<const char*>(d), len), path);
        n += len;
      });
      return n;
    };
    if (name == "kernel") {
      b.kernel_size = save(b.kernel, &kernel_hash);
      have_kernel = true;
    } else if (name == "initrd.img") {
      b.initrd_size = save(b.initrd, &initrd_hash);
      have_initrd = true;
    } else if (name == "ucode.cpio") {
      ucode = workdir + "/ucode.cpio";
      save(ucode, nullptr);
    } else if (name == "cmdline") {
      std::string text;
      tar.copy_data([&](const void* d, size_t len) { text.append(static_cast<const char*>(d), len); });
      b.cmdline = trim_line(text);
    } else {
      throw InputError(where + ": unexpected member " + name + " (a bundle holds kernel, initrd.img, cmdline and ucode.cpio)");
    }
  }
  if (!have_kernel) throw InputError(where + ": the bundle has no kernel (expected the tar lk-initrd writes)");
  if (!have_initrd) throw InputError(where + ": the bundle has no initrd.img");
  if (!ucode.empty()) {
    // As LinuxKit's kernel+initrd: the microcode cpio goes first, uncompressed.
    std::string joined = workdir + "/initrd-ucode.img";
    Fd out(::open(joined.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!out) throw_errno("create " + joined);
    Sha256 hash;
    b.initrd_size = 0;
    for (const auto& part : {ucode, b.initrd}) {
      Fd fd(::open(part.c_str(), O_RDONLY | O_CLOEXEC));
      if (!fd) throw_errno("open " + part);
      b.initrd_size += append(fd.get(), out.get(), hash, joined);
    }
    initrd_hex = hash.hex();
    b.initrd = joined;
  } else {
    initrd_hex = initrd_hash.hex();
  }
  b.digest = bundle_digest(kernel_hash.hex(), initrd_hex, b.cmdline);
  return b;
}

}  // namespace

Bundle read_bundle(const std::string& input, const std::string& workdir) {
  bool prefix = input != "-" && exists(input + "-kernel");
  Bundle b = prefix ? from_prefix(input) : from_tar(input, workdir);
  if (b.kernel_size == 0) throw InputError(input + ": the kernel is empty");
  if (b.initrd_size == 0) throw InputError(input + ": the initrd is empty");
  return b;
}

}  // namespace lk
