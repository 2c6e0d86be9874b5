#pragma once
// OCI and Docker image formats: media types, descriptors, manifests, indexes and
// platform selection. Only what pulling, caching and pushing need; the bytes of a
// manifest are always kept as fetched, since its digest is over those bytes.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace lk::oci {

inline constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr const char* kOciLayerTar = "application/vnd.oci.image.layer.v1.tar";
inline constexpr const char* kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr const char* kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr const char* kDockerList = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr const char* kDockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr const char* kDockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws";
inline constexpr const char* kRefNameAnnotation = "org.opencontainers.image.ref.name";

// What a registry is asked for: every manifest kind we understand.
std::string accept_header();

bool is_index_type(const std::string& media_type);
bool is_manifest_type(const std::string& media_type);

struct Platform {
  std::string os, architecture, variant;
  std::string str() const { return os + "/" + architecture + (variant.empty() ? "" : "/" + variant); }
  bool operator==(const Platform&) const = default;
};

// "linux/amd64", "linux/arm64/v8"; throws InputError otherwise.
Platform parse_platform(const std::string& text);
// OS and architecture must match; the variant only when the wanted one names it.
// (arm64 is arm64/v8, as LinuxKit and containerd treat it.)
bool platform_matches(const Platform& wanted, const Platform& offered);

struct Descriptor {
  std::string media_type;
  std::string digest;
  int64_t size = 0;
  std::optional<Platform> platform;
  std::map<std::string, std::string> annotations;
  std::vector<std::string> urls;  // foreign layers: not fetched from the registry
};

nlohmann::json to_json(const Descriptor& d);
Descriptor descriptor_from_json(const nlohmann::json& j, const std::string& where);

struct Manifest {
  std::string media_type;
  Descriptor config;
  std::vector<Descriptor> layers;
};

struct Index {
  std::string media_type;
  std::vector<Descriptor> manifests;
};

// Works out what BYTES are, preferring the document's own mediaType over the
// Content-Type it came with (registries differ there). Schema 1 is an InputError.
// WHERE names the image in error messages.
std::string detect_media_type(const std::string& bytes, const std::string& content_type, const std::string& where);
Manifest parse_manifest(const std::string& bytes, const std::string& where);
Index parse_index(const std::string& bytes, const std::string& where);

// The one manifest of INDEX for WANTED; the error lists what the index offers.
// Attestation entries (platform unknown/unknown) never match.
const Descriptor& select_platform(const Index& index, const Platform& wanted, const std::string& where);

// The platform recorded in an image config blob.
Platform config_platform(const std::string& config_bytes, const std::string& where);

}  // namespace lk::oci
