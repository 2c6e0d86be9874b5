#pragma once
// The tar `docker load` reads (the docker save layout: manifest.json, the image config,
// the layer as an uncompressed tar) for a system whose root filesystem is one layer, so
// that Docker users can run or inspect a built system as an image.
#include <cstdint>
#include <string>

namespace lk::oci {

struct DockerArchive {
  std::string rootfs_tar;  // the layer: lk-rootfs's output
  std::string tag;         // RepoTags entry, e.g. "lk/nginx:latest"
  std::string arch = "amd64";
  int64_t epoch = 0;  // SOURCE_DATE_EPOCH: the image's created time
};

// Writes the archive to PATH atomically.
void write_docker_archive(const DockerArchive& a, const std::string& path);

}  // namespace lk::oci
