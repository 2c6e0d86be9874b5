#pragma once
// Image references, normalised exactly as Docker does (distribution/reference's
// ParseNormalizedNamed + TagNameOnly): "redis" -> docker.io/library/redis:latest; the
// first path component is a registry only when it holds '.' or ':', is "localhost", or
// has upper case. LinuxKit got this wrong more than once (127.0.0.1:5000/x became
// docker.io/127.0.0.1:5000/x), hence one implementation with a table test.
#include <string>

namespace lk::oci {

struct Reference {
  std::string domain;  // "docker.io", "127.0.0.1:5000"
  std::string path;    // "library/redis"
  std::string tag;     // "latest" unless a digest was given without a tag
  std::string digest;  // "sha256:<64 hex>" or ""

  std::string repository() const { return domain + "/" + path; }
  // The pinned form when a digest is known (the digest wins, the tag is dropped),
  // else REPOSITORY:TAG. This is the cache's ref.name and the lock's "reference".
  std::string str() const { return digest.empty() ? repository() + ":" + tag : repository() + "@" + digest; }
  // The identifier the registry's manifest endpoint takes: the digest, else the tag.
  std::string manifest_ref() const { return digest.empty() ? tag : digest; }
};

// Throws InputError naming TEXT and what is wrong with it.
Reference parse_reference(const std::string& text);

}  // namespace lk::oci
