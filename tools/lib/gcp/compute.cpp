#include "gcp/compute.h"

#include <regex>
#include <thread>

#include "base/error.h"
#include "gcp/http.h"

namespace lk::gcp {

using nlohmann::json;

json image_body(const ImageSpec& spec) {
  json body = {{"name", spec.name}, {"rawDisk", {{"source", spec.source_url}, {"containerType", "TAR"}}}};
  if (!spec.family.empty()) body["family"] = spec.family;
  if (spec.uefi) body["guestOsFeatures"] = json::array({{{"type", "UEFI_COMPATIBLE"}}});
  if (spec.nested_virt) body["licenses"] = json::array({"projects/vm-options/global/licenses/enable-vmx"});
  return body;
}

json instance_body(const InstanceSpec& spec, const std::string& project) {
  std::string image = spec.image;
  if (image.find('/') == std::string::npos) image = "projects/" + project + "/global/images/" + image;
  json init = {{"sourceImage", image}};
  if (spec.disk_size_gb > 0) init["diskSizeGb"] = std::to_string(spec.disk_size_gb);
  json items = json::array({{{"key", "serial-port-enable"}, {"value", "true"}}});
  if (spec.has_user_data) items.push_back({{"key", "user-data"}, {"value", spec.user_data}});
  json body = {
      {"name", spec.name},
      {"machineType", "zones/" + spec.zone + "/machineTypes/" + spec.machine_type},
      {"disks", json::array({{{"boot", true}, {"autoDelete", true}, {"initializeParams", init}}})},
      {"networkInterfaces",
       json::array({{{"network", "global/networks/default"},
                     {"accessConfigs", json::array({{{"type", "ONE_TO_ONE_NAT"}, {"name", "External NAT"}}})}}})},
      {"metadata", {{"items", items}}},
  };
  // Nested virtualisation needs a CPU with VMX passthrough: Haswell or later.
  if (spec.nested_virt) body["minCpuPlatform"] = "Intel Haswell";
  return body;
}

std::string operation_errors(const json& op) {
  if (!op.contains("error") || !op["error"].is_object()) return "";
  std::string out;
  const auto& errors = op["error"].value("errors", json::array());
  for (const auto& e : errors) {
    if (!out.empty()) out += "\n";
    out += e.value("code", "ERROR") + ": " + e.value("message", "(no message)");
  }
  return out.empty() ? "the operation failed without a message" : out;
}

bool valid_resource_name(const std::string& name) {
  static const std::regex re("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");
  return std::regex_match(name, re);
}

std::string Compute::project_url() const { return base_ + "/projects/" + http::url_escape(project_); }

void Compute::check_project() {
  http::Request req;
  req.url = project_url();
  auto resp = api_.send("projects.get", req);
  if (resp.status == 404 || resp.status == 403)
    throw InputError("project \"" + project_ + "\" does not exist or is not visible to these credentials (HTTP " +
                     std::to_string(resp.status) + ": " + error_message(resp) +
                     "); set --project or CLOUDSDK_CORE_PROJECT");
  if (resp.status != 200) throw http_error("projects.get", resp);
}

void Compute::check_zone(const std::string& zone) {
  http::Request req;
  req.url = project_url() + "/zones/" + http::url_escape(zone);
  auto resp = api_.send("zones.get", req);
  if (resp.status == 404)
    throw InputError("zone \"" + zone + "\" does not exist in project \"" + project_ +
                     "\" (HTTP 404: " + error_message(resp) + "); set --zone or CLOUDSDK_COMPUTE_ZONE");
  if (resp.status != 200) throw http_error("zones.get", resp);
}

std::optional<json> Compute::get_image(const std::string& name) {
  return api_.get_if_exists("images.get", project_url() + "/global/images/" + http::url_escape(name));
}

void Compute::insert_image(const ImageSpec& spec) {
  // requestId makes a retried insert the same request, not a second image.
  auto op =
      api_.call("images.insert", "POST", project_url() + "/global/images?requestId=" + random_uuid(), image_body(spec));
  wait("images.insert", op, "");
}

void Compute::delete_image(const std::string& name) {
  auto op = api_.call("images.delete", "DELETE",
                      project_url() + "/global/images/" + http::url_escape(name) + "?requestId=" + random_uuid());
  wait("images.delete", op, "");
}

void Compute::insert_instance(const InstanceSpec& spec) {
  auto op = api_.call("instances.insert", "POST",
                      project_url() + "/zones/" + http::url_escape(spec.zone) + "/instances?requestId=" + random_uuid(),
                      instance_body(spec, project_));
  wait("instances.insert", op, spec.zone);
}

std::optional<json> Compute::get_instance(const std::string& zone, const std::string& name) {
  return api_.get_if_exists(
      "instances.get", project_url() + "/zones/" + http::url_escape(zone) + "/instances/" + http::url_escape(name));
}

void Compute::delete_instance(const std::string& zone, const std::string& name) {
  auto op = api_.call("instances.delete", "DELETE",
                      project_url() + "/zones/" + http::url_escape(zone) + "/instances/" + http::url_escape(name) +
                          "?requestId=" + random_uuid());
  wait("instances.delete", op, zone);
}

std::optional<SerialOutput> Compute::serial_output(const std::string& zone, const std::string& name, long long start) {
  const std::string what = "instances.getSerialPortOutput";
  http::Request req;
  req.url = project_url() + "/zones/" + http::url_escape(zone) + "/instances/" + http::url_escape(name) +
            "/serialPort?port=1&start=" + std::to_string(start);
  req.headers = {"Accept: application/json"};
  auto resp = api_.send(what, req);
  if (resp.status == 400) return std::nullopt;  // the instance is not running (yet)
  if (resp.status != 200) throw http_error(what, resp);
  auto j = parse_json_body(what, resp);
  // int64 fields come as JSON strings in Google's REST encoding; accept numbers too.
  auto number = [&](const char* key, long long fallback) -> long long {
    if (!j.contains(key)) return fallback;
    if (j[key].is_number_integer()) return j[key].get<long long>();
    if (j[key].is_string()) return std::stoll(j[key].get<std::string>());
    return fallback;
  };
  SerialOutput out;
  out.contents = j.value("contents", "");
  out.start = number("start", start);
  out.next = number("next", out.start + static_cast<long long>(out.contents.size()));
  return out;
}

void Compute::wait(const std::string& what, json op, const std::string& zone) {
  const std::string name = op.value("name", "");
  if (name.empty()) throw RuntimeError(what + ": the response is not an operation");
  const std::string url = project_url() + (zone.empty() ? "/global" : "/zones/" + http::url_escape(zone)) +
                          "/operations/" + http::url_escape(name);
  const auto deadline = std::chrono::steady_clock::now() + polling_.timeout;
  for (;;) {
    if (op.value("status", "") == "DONE") {
      auto errors = operation_errors(op);
      if (!errors.empty()) throw RuntimeError(what + ": operation " + name + " failed:\n" + errors);
      return;
    }
    if (std::chrono::steady_clock::now() >= deadline)
      throw RuntimeError(what + ": operation " + name + " not done after " + std::to_string(polling_.timeout.count()) +
                         " s (status " + op.value("status", "?") + ")");
    std::this_thread::sleep_for(polling_.interval);
    op = api_.call(zone.empty() ? "globalOperations.get" : "zoneOperations.get", "GET", url);
  }
}

}  // namespace lk::gcp
