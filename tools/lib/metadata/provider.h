#pragma once
// Where a machine's metadata comes from: a cloud's link-local metadata server (Compute
// Engine, EC2, OpenStack), a CD-ROM (cloud-init's cidata, OpenStack's config-2 drive,
// `lk run qemu --data`), or a file. Each provider looks and says what it found; writing
// it into /run/config is write_found()'s job (metadata/write.h), so a provider is tested
// by what it returns.
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace lk::metadata {

// The most user-data (or any one metadata value) lk keeps: clouds cap it far lower
// (EC2 16 KiB, Compute Engine 256 KiB), and a disc or a file must not fill the memory.
constexpr size_t kMaxUserData = 16 << 20;

// A file a provider puts into the config folder.
struct ConfigFile {
  std::string path;  // relative, plain names: "hostname", "ssh/authorized_keys"
  std::string data;
  mode_t mode = 0644;
};

struct Found {
  std::string provider;  // LinuxKit's name for it, written to the file "provider": "GCP", "CDROM /dev/sr0"
  std::vector<ConfigFile> files;
  std::optional<std::string> user_data;  // as the source has it, even empty; nullopt when it has none
};

enum class Probe {
  kFound,
  kAbsent,     // not this provider: no server answered as it would, no disc, no file
  kNoNetwork,  // no route to a metadata server yet: the network may still come up
};

struct Outcome {
  Probe probe = Probe::kAbsent;
  std::string why;                 // for kAbsent and kNoNetwork: one line for the log
  Found found;                     // for kFound
  std::vector<std::string> notes;  // what was missing or failed on the way, one line each
};

class Provider {
public:
  enum class Kind { kNetwork, kCdrom, kFile };
  virtual ~Provider() = default;
  virtual std::string name() const = 0;  // as given on the command line: "gcp", "file=/x"
  virtual Kind kind() const = 0;
  virtual Outcome look() = 0;
};

// A name a machine can have: 1 to 253 bytes of letters, digits, '-', '_' and '.', which
// also tells a metadata server's answer from an HTML page a proxy sends back.
bool plausible_hostname(std::string_view name);

}  // namespace lk::metadata
