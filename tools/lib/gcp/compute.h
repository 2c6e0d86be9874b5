#pragma once
// The Compute Engine calls lk makes: check a project and zone exist, create and
// delete images and instances, wait for their operations, and read the serial port.
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "gcp/api.h"

namespace lk::gcp {

inline constexpr const char* kDefaultComputeUrl = "https://compute.googleapis.com/compute/v1";

struct ImageSpec {
  std::string name;
  std::string source_url;  // the tarball in Cloud Storage, as https://storage.googleapis.com/B/O
  std::string family;
  bool uefi = false;         // guestOsFeatures UEFI_COMPATIBLE
  bool nested_virt = false;  // the enable-vmx licence
};

struct InstanceSpec {
  std::string name;
  std::string zone;
  std::string machine_type;
  std::string image;      // an image name in the project, or a full/partial resource path
  long disk_size_gb = 0;  // 0: the image's size
  std::string user_data;
  bool has_user_data = false;
  bool nested_virt = false;
};

// The request bodies, kept apart from the calls so they can be checked alone.
nlohmann::json image_body(const ImageSpec& spec);
nlohmann::json instance_body(const InstanceSpec& spec, const std::string& project);

// "" when OP finished without error; otherwise every error as "CODE: message" lines,
// exactly as GCE words them (e.g. "INVALID_IMAGE_TAR: The tar archive is not a valid image.").
std::string operation_errors(const nlohmann::json& op);

// Only names GCE accepts for images and instances: [a-z]([-a-z0-9]{0,61}[a-z0-9])?
bool valid_resource_name(const std::string& name);

struct SerialOutput {
  std::string contents;
  long long start = 0;  // where CONTENTS begins: later than asked when output was lost
  long long next = 0;   // the offset to ask for next time
};

struct Polling {
  std::chrono::milliseconds interval{2000};
  std::chrono::seconds timeout{600};
};

class Compute {
public:
  Compute(Api& api, std::string base_url, std::string project, Polling polling)
      : api_(api), base_(std::move(base_url)), project_(std::move(project)), polling_(polling) {}

  // Up-front checks that turn a bare 404 into a message naming what is missing.
  void check_project();
  void check_zone(const std::string& zone);

  std::optional<nlohmann::json> get_image(const std::string& name);
  void insert_image(const ImageSpec& spec);  // waits for the operation
  void delete_image(const std::string& name);

  void insert_instance(const InstanceSpec& spec);  // waits for the operation
  std::optional<nlohmann::json> get_instance(const std::string& zone, const std::string& name);
  void delete_instance(const std::string& zone, const std::string& name);
  // Serial port 1 from START; nothing when the port is not readable yet (HTTP 400).
  std::optional<SerialOutput> serial_output(const std::string& zone, const std::string& name, long long start);

  const std::string& project() const { return project_; }

private:
  std::string project_url() const;
  // Polls OP (global when ZONE is empty) until DONE; throws with its errors.
  void wait(const std::string& what, nlohmann::json op, const std::string& zone);

  Api& api_;
  std::string base_;
  std::string project_;
  Polling polling_;
};

}  // namespace lk::gcp
