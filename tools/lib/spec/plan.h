#pragma once
// The contract between the stages: plan.json (lk-parse's output, "lk.plan/v1") and
// lock.json ("lk.lock/v1", the same document after lk-pull pinned every image). Each
// tool reads the file once, here, into these types and works on them; nothing else in
// lk reads a plan or lock key. docs/plan-lock.md describes the format for other tools.
//
// Reading is strict, as lk-parse is with a spec: a wrong type, a missing required
// field or a key lk does not know is an InputError naming the file and the field
// ("lock.json: services[0].command: expected a list of strings, got a string"). The
// files are generated, so an unknown key is most likely a typo or an edit meant for
// another tool, and a silent default would build a different system than asked.
//
// std::optional fields are written only when set ("only the keys the spec set"); the
// others are always written. to_json(from_json(x)) gives x's bytes back for every
// document lk writes.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace lk::spec {

inline constexpr const char* kPlanSchema = "lk.plan/v1";
inline constexpr const char* kLockSchema = "lk.lock/v1";

enum class Stage { kPlan, kLock };  // which schema a document has

using Strings = std::vector<std::string>;
using StringMap = std::map<std::string, std::string>;

// --- the container fields of LinuxKit's Image type that lk supports ----------------
struct IdMapping {
  int64_t container_id = 0, host_id = 0, size = 0;
};
struct Mount {
  std::optional<std::string> destination, type, source;
  std::optional<Strings> options;
  std::optional<std::vector<IdMapping>> uid_mappings, gid_mappings;
};
struct Rlimit {
  std::string type;             // RLIMIT_NOFILE
  uint64_t soft = 0, hard = 0;  // "unlimited" is UINT64_MAX
};
struct Device {
  std::string path, type;
  std::optional<int64_t> major, minor, mode;
};
struct DeviceRule {
  bool allow = false;
  std::optional<std::string> type;
  std::optional<int64_t> major, minor;
  std::optional<std::string> access;
};
struct Memory {
  std::optional<int64_t> limit, reservation, swap, kernel, kernel_tcp, swappiness;
  std::optional<bool> disable_oom_killer, use_hierarchy;
};
struct Cpu {
  std::optional<int64_t> shares, quota, period, realtime_runtime, realtime_period;
  std::optional<std::string> cpus, mems;
  std::optional<int64_t> idle;
};
struct Pids {
  int64_t limit = 0;
};
struct WeightDevice {
  int64_t major = 0, minor = 0;
  std::optional<int64_t> weight, leaf_weight;
};
struct ThrottleDevice {
  int64_t major = 0, minor = 0, rate = 0;
};
struct BlockIo {
  std::optional<int64_t> weight, leaf_weight;
  std::optional<std::vector<WeightDevice>> weight_device;
  std::optional<std::vector<ThrottleDevice>> throttle_read_bps, throttle_write_bps, throttle_read_iops,
      throttle_write_iops;
};
struct HugepageLimit {
  std::string page_size;
  int64_t limit = 0;
};
struct NetPriority {
  std::string name;
  int64_t priority = 0;
};
struct Network {
  std::optional<int64_t> class_id;
  std::optional<std::vector<NetPriority>> priorities;
};
struct Resources {
  std::optional<std::vector<DeviceRule>> devices;
  std::optional<Memory> memory;
  std::optional<Cpu> cpu;
  std::optional<Pids> pids;
  std::optional<BlockIo> blockio;
  std::optional<std::vector<HugepageLimit>> hugepage_limits;
  std::optional<Network> network;
  std::optional<StringMap> rdma;
};
struct Interface {
  std::string name;
  std::optional<std::string> add, peer;
  std::optional<bool> create_in_root;
};
struct BindNs {
  std::optional<std::string> cgroup, ipc, mnt, net, pid, user, uts;
};
struct Runtime {  // runtime.json: what lk-init does around runc
  std::optional<Strings> cgroups;
  std::optional<std::vector<Mount>> mounts;
  std::optional<Strings> mkdir;
  std::optional<std::vector<Interface>> interfaces;
  std::optional<BindNs> bind_ns;
  std::optional<std::string> name_space;  // "namespace"
};
// One container's settings as the spec (or an image's org.mobyproject.config label)
// gave them: uid/gid names resolved, sysctl a map, rlimits parsed.
struct ContainerConfig {
  std::optional<Strings> capabilities, capabilities_add, ambient;
  std::optional<std::vector<Mount>> mounts;
  std::optional<Strings> binds, binds_add, tmpfs, command, env;
  std::optional<std::string> cwd, net, pid, ipc, uts, userns, hostname;
  std::optional<bool> readonly;
  std::optional<Strings> masked_paths, readonly_paths;
  std::optional<int64_t> uid, gid;
  std::optional<std::vector<int64_t>> additional_gids;
  std::optional<bool> no_new_privileges;
  std::optional<int64_t> oom_score_adj;
  std::optional<bool> disable_oom_killer;  // April 2017 moby form
  std::optional<std::string> rootfs_propagation, cgroups_path;
  std::optional<Resources> resources;
  std::optional<StringMap> sysctl;
  std::optional<std::vector<Rlimit>> rlimits;
  std::optional<std::vector<IdMapping>> uid_mappings, gid_mappings;
  std::optional<StringMap> annotations;
  std::optional<std::vector<Device>> devices;
  std::optional<Runtime> runtime;
};

// --- the document ------------------------------------------------------------------
struct PlatformManifest {  // one platform an oci volume keeps
  std::string digest;
  std::string platform;  // linux/arm64
};
// What every image object has: the reference as the spec wrote it, where, and in a
// lock what lk-pull pinned: the normalised reference, the manifest's digest and its
// platform, or for a `format: oci` volume the digest the name points to (an index)
// and the manifests kept.
struct ImageEntry {
  std::string image;
  std::optional<std::string> at;  // spec.yml:LINE:COL
  std::optional<std::string> reference, digest, platform;
  std::optional<std::vector<PlatformManifest>> manifests;
};
struct Kernel : ImageEntry {
  std::string cmdline;
  Strings binaries = {"kernel"};   // the file names tried, in order
  std::optional<std::string> tar;  // the modules tarball; written as null when none
  std::optional<std::string> ucode;
};
struct Container : ImageEntry {  // an onboot, onshutdown or services entry
  std::string name;
  std::optional<StringMap> field_at;  // key -> spec.yml:LINE:COL
  ContainerConfig config;
};
struct Volume : ImageEntry {  // image is "" for a volume without one
  std::string name;
  std::optional<bool> readonly;
  std::optional<std::string> format;  // filesystem (default) or oci
  std::optional<Strings> platforms;
  std::optional<StringMap> field_at;
  bool is_oci() const { return format == "oci"; }
};
struct FileEntry {
  std::string path;  // relative to the root
  std::optional<bool> directory;
  std::optional<std::string> symlink, contents, source, metadata;
  std::optional<bool> optional;
  int64_t mode = 0600, uid = 0, gid = 0;
  std::optional<std::string> at;
  std::optional<StringMap> field_at;
  std::optional<std::string> source_path;  // source resolved against the spec's folder
  std::optional<std::string> source_home;  // source under ~/, resolved by lk-rootfs
};

struct Plan {
  Stage stage = Stage::kPlan;
  Strings specs;  // the spec files, as given
  std::string platform = "linux/amd64";
  std::optional<Kernel> kernel;  // written as null when the spec has none
  std::vector<ImageEntry> init;
  std::vector<Container> onboot, onshutdown, services;
  std::vector<Volume> volumes;
  std::vector<FileEntry> files;
  Strings formats;                     // the 2017 outputs: section
  StringMap packages;                  // image reference -> @pkg: folder
  std::map<std::string, int64_t> ids;  // container name -> uid/gid
  std::optional<nlohmann::json> spec;  // the merged spec, for files[].metadata
};
using Lock = Plan;  // stage == Stage::kLock

// The three sections of containers, in the order their bundles are laid out.
struct ContainerSection {
  const char* name;
  std::vector<Container> Plan::*list;
};
const std::vector<ContainerSection>& container_sections();

// Every image object in plan order (kernel, init, onboot, onshutdown, services, the
// volumes that have an image), with WHERE ("services[2]") and the volume if it is one.
struct ImageSlot {
  std::string where;
  ImageEntry* image;
  const Volume* volume;
};
std::vector<ImageSlot> images_of(Plan& plan);

// Reads a document of the stage EXPECTED; FILE starts every message. InputError when
// it is another document, or any field is wrong.
Plan from_json(const nlohmann::json& j, Stage expected, const std::string& file);
// TEXT (a whole file) as JSON, then from_json.
Plan parse_document(const std::string& text, Stage expected, const std::string& file);
nlohmann::json to_json(const Plan& plan);
std::string document_text(const Plan& plan);  // the bytes a tool writes: to_json, 2-space indent, newline

// Pieces of a plan from JSON in plan form, for lk-parse (which builds the plan from
// the spec checker's output) and for an image's label. PATH starts every message.
Container container_from_json(const nlohmann::json& j, const std::string& path);
Volume volume_from_json(const nlohmann::json& j, const std::string& path);
FileEntry file_from_json(const nlohmann::json& j, const std::string& path);
ContainerConfig config_from_json(const nlohmann::json& j, const std::string& path);

// A piece of a container's config with its keys in the runtime-spec's order, for
// config.json: IdMapping, Rlimit, DeviceRule, Memory, Cpu, Pids, BlockIo,
// HugepageLimit, Network.
template <class T>
nlohmann::ordered_json to_oci_json(const T& x);

}  // namespace lk::spec
