#include "oci/docker_archive.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fs.h"
#include "base/sha256.h"
#include "streams/compress.h"
#include "streams/tar_writer.h"

namespace lk::oci {

namespace {

std::string rfc3339(int64_t epoch) {
  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

void write_docker_archive(const DockerArchive& a, const std::string& path) {
  Fd layer(::open(a.rootfs_tar.c_str(), O_RDONLY | O_CLOEXEC));
  if (!layer) throw_errno("open " + a.rootfs_tar);
  struct stat st {};
  if (::fstat(layer.get(), &st) != 0) throw_errno("stat " + a.rootfs_tar);

  AtomicFile file(path);
  streams::FdSink sink(file.fd(), path);
  streams::TarWriter tar(sink);
  streams::TarEntry e;
  e.mtime = a.epoch;
  // The layer goes first, hashed as it is copied: its digest names it in the config.
  e.path = "layer.tar";
  e.size = static_cast<uint64_t>(st.st_size);
  tar.header(e);
  Sha256 hash;
  std::string buf(1 << 20, '\0');
  for (uint64_t left = e.size; left > 0;) {
    ssize_t n = ::read(layer.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("read " + a.rootfs_tar);
    if (n == 0 || static_cast<uint64_t>(n) > left) throw RuntimeError(a.rootfs_tar + ": changed while it was read");
    hash.update(buf.data(), static_cast<size_t>(n));
    tar.data(buf.data(), static_cast<size_t>(n));
    left -= static_cast<uint64_t>(n);
  }
  tar.end_entry();

  const std::string created = rfc3339(a.epoch);
  nlohmann::ordered_json config = {
      {"architecture", a.arch},
      {"os", "linux"},
      {"created", created},
      // lk-init is the system's /init; in a container it runs the services as it would on a machine.
      {"config", {{"Entrypoint", {"/init"}}}},
      {"rootfs", {{"type", "layers"}, {"diff_ids", {"sha256:" + hash.hex()}}}},
      {"history", {{{"created", created}, {"created_by", "lk build --format docker"}}}},
  };
  const std::string config_text = config.dump();
  const std::string config_name = sha256_hex(config_text) + ".json";
  e.path = config_name;
  e.size = config_text.size();
  tar.add(e, config_text);
  nlohmann::ordered_json manifest = {{{"Config", config_name}, {"RepoTags", {a.tag}}, {"Layers", {"layer.tar"}}}};
  const std::string manifest_text = manifest.dump();
  e.path = "manifest.json";
  e.size = manifest_text.size();
  tar.add(e, manifest_text);
  tar.close();
  file.commit();
}

}  // namespace lk::oci
