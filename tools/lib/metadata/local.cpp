#include "metadata/local.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "metadata/ssh_keys.h"

namespace lk::metadata {

namespace {

bool ci_label(const std::string& id) {
  return id == "cidata" || id == "CIDATA" || id == "config-2" || id == "CONFIG-2";
}

std::string trim(std::string s) {
  const char* blanks = " \t\r\n";
  size_t b = s.find_first_not_of(blanks);
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(blanks) - b + 1);
}

// A config drive's meta_data.json: {"hostname": "...", "public_keys": {"name": "ssh-rsa ..."}}.
void config_drive_meta(const std::string& text, const std::string& provider, Outcome& out) {
  auto md = nlohmann::json::parse(text, nullptr, false);
  if (!md.is_object()) {
    out.notes.push_back(provider + ": openstack/latest/meta_data.json is not a JSON object");
    return;
  }
  if (md.contains("hostname") && md["hostname"].is_string()) {
    std::string h = md["hostname"];
    if (plausible_hostname(trim(h)))
      out.found.files.push_back({"hostname", h, 0644});
    else
      out.notes.push_back(provider + ": meta_data.json's hostname is not a host name");
  }
  std::vector<std::string> keys;
  if (md.contains("public_keys") && md["public_keys"].is_object())
    for (const auto& [name, key] : md["public_keys"].items())
      if (key.is_string() && !trim(key.get<std::string>()).empty()) keys.push_back(trim(key.get<std::string>()));
  if (!keys.empty()) out.found.files.push_back({"ssh/authorized_keys", authorized_keys(keys), 0600});
}

class Cdrom final : public Provider {
public:
  Cdrom(std::vector<std::string> devices, std::string dev, std::string sys_block)
      : fixed_(std::move(devices)), dev_(std::move(dev)), sys_block_(std::move(sys_block)) {}
  std::string name() const override { return fixed_.size() == 1 ? "cdrom=" + fixed_[0] : "cdrom"; }
  Kind kind() const override { return Kind::kCdrom; }

  Outcome look() override {
    Outcome out;
    auto devices = fixed_.empty() ? cdrom_candidates(dev_, sys_block_) : fixed_;
    if (devices.empty()) {
      out.why = "no CD-ROM drive";
      return out;
    }
    std::vector<std::string> why;
    for (const auto& d : devices) {
      const std::string provider = "CDROM " + d;
      Fd fd(::open(d.c_str(), O_RDONLY | O_CLOEXEC));
      if (!fd) {
        why.push_back(d + ": " + (errno == ENOMEDIUM ? "no disc" : strerror(errno)));
        continue;
      }
      try {
        IsoImage disc(std::move(fd), d);
        Outcome o = read_disc(disc, provider);
        if (o.probe == Probe::kFound) {
          o.notes.insert(o.notes.begin(), why.begin(), why.end());
          return o;
        }
        why.push_back(d + ": " + o.why);
      } catch (const Error& e) {
        why.push_back(e.what());
      }
    }
    for (size_t i = 0; i < why.size(); ++i) out.why += (i ? "; " : "") + why[i];
    return out;
  }

private:
  std::vector<std::string> fixed_;
  std::string dev_, sys_block_;
};

class File final : public Provider {
public:
  explicit File(std::string path) : path_(std::move(path)) {}
  std::string name() const override { return "file=" + path_; }
  Kind kind() const override { return Kind::kFile; }

  Outcome look() override {
    Outcome out;
    Fd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (!fd) {
      out.why = path_ + ": " + strerror(errno);
      return out;
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
      out.why = path_ + ": not a regular file";
      return out;
    }
    if (static_cast<uint64_t>(st.st_size) > kMaxUserData) {
      out.why = path_ + ": " + std::to_string(st.st_size) + " bytes, more than lk takes as user-data";
      return out;
    }
    try {
      out.found.user_data = read_stream(fd.get());
    } catch (const Error& e) {
      out.why = e.what();
      return out;
    }
    out.probe = Probe::kFound;
    out.found.provider = path_;  // LinuxKit's file provider names itself by its path
    return out;
  }

private:
  std::string path_;
};

}  // namespace

std::vector<std::string> cdrom_candidates(const std::string& dev, const std::string& sys_block) {
  std::vector<std::string> out;
  for (const auto& e : list_dir_or_empty(sys_block)) {
    // Drives (sr*) are looked at anyway, below; reading an empty one only fills the
    // kernel log with I/O errors.
    if (e.name.rfind("loop", 0) == 0 || e.name.rfind("ram", 0) == 0 || e.name.rfind("sr", 0) == 0) continue;
    std::string path = dev + "/" + e.name;
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd && ci_label(iso_volume_id(fd.get()))) out.push_back(path);
  }
  for (const auto& e : list_dir_or_empty(dev)) {
    if (e.name.size() < 3 || e.name.rfind("sr", 0) != 0 ||
        e.name.find_first_not_of("0123456789", 2) != std::string::npos)
      continue;
    std::string path = dev + "/" + e.name;
    if (std::find(out.begin(), out.end(), path) == out.end()) out.push_back(path);
  }
  return out;
}

Outcome read_disc(const IsoImage& disc, const std::string& provider) {
  Outcome out;
  std::optional<std::string> user;
  for (const char* name : {"user-data", "config", "openstack/latest/user_data"}) {
    user = disc.read(name, kMaxUserData);
    if (user) break;
  }
  if (auto md = disc.read("openstack/latest/meta_data.json", kMaxUserData)) config_drive_meta(*md, provider, out);
  if ((!user || user->empty()) && out.found.files.empty()) {
    out.why = user ? "its user-data is empty" : "no user-data, config or openstack/latest/user_data on it";
    return out;
  }
  out.probe = Probe::kFound;
  out.found.provider = provider;
  if (user) out.found.user_data = std::move(user);
  return out;
}

std::unique_ptr<Provider> cdrom_provider(std::vector<std::string> devices, std::string dev, std::string sys_block) {
  return std::make_unique<Cdrom>(std::move(devices), std::move(dev), std::move(sys_block));
}

std::unique_ptr<Provider> file_provider(std::string path) { return std::make_unique<File>(std::move(path)); }

}  // namespace lk::metadata
