#include "qemu/command.h"

#include <sys/stat.h>

#include "base/error.h"
#include "base/fs.h"

namespace lk::qemu {

namespace {
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
int port(const std::string& s, const std::string& spec) {
  if (s.empty() || s.size() > 5 || s.find_first_not_of("0123456789") != std::string::npos)
    throw InputError("--publish " + spec + ": \"" + s + "\" is not a port number");
  int p = std::stoi(s);
  if (p < 1 || p > 65535) throw InputError("--publish " + spec + ": port " + s + " out of range");
  return p;
}
}  // namespace

Artifact detect_artifact(const std::string& path) {
  std::string name = path.substr(path.rfind('/') + 1);
  bool efi = name.find("-efi") != std::string::npos;
  for (const char* kernel : {"-kernel", "-bzImage"})
    if (path_exists(path + kernel)) return {ArtifactKind::kKernelInitrd, path, false, path + kernel};
  if (!path_exists(path)) throw InputError(path + ": no such file (and no " + path + "-kernel)");
  if (ends_with(name, ".img.tar.gz")) return {ArtifactKind::kGceTarball, path, efi};
  if (ends_with(name, ".iso")) return {ArtifactKind::kIso, path, efi};
  if (ends_with(name, ".qcow2")) return {ArtifactKind::kQcow2Disk, path, efi};
  if (ends_with(name, ".raw") || ends_with(name, ".img")) return {ArtifactKind::kRawDisk, path, efi};
  throw InputError(path +
                   ": cannot tell what to boot (expected PREFIX with PREFIX-kernel, or *.iso, *.raw, *.img, "
                   "*.qcow2, *.img.tar.gz)");
}

Publish parse_publish(const std::string& spec) {
  Publish p;
  std::string s = spec;
  auto slash = s.find('/');
  if (slash != std::string::npos) {
    std::string proto = s.substr(slash + 1);
    if (proto != "tcp" && proto != "udp") throw InputError("--publish " + spec + ": protocol must be tcp or udp");
    p.udp = proto == "udp";
    s = s.substr(0, slash);
  }
  auto last = s.rfind(':');
  if (last == std::string::npos) throw InputError("--publish " + spec + ": expected [ADDR:]HOST:GUEST[/udp]");
  p.guest_port = port(s.substr(last + 1), spec);
  s = s.substr(0, last);
  auto colon = s.rfind(':');
  if (colon != std::string::npos) {
    p.host_addr = s.substr(0, colon);
    s = s.substr(colon + 1);
  }
  p.host_port = port(s, spec);
  return p;
}

Disk parse_disk(const std::string& spec) {
  Disk d;
  size_t start = 0;
  bool first = true;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    std::string part = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (first) {
      d.path = part;
      first = false;
    } else if (part.rfind("size=", 0) == 0) {
      d.size = part.substr(5);
    } else if (part.rfind("format=", 0) == 0) {
      d.format = part.substr(7);
    } else {
      throw InputError("--disk " + spec + ": unknown option \"" + part + "\" (expected size= or format=)");
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (d.path.empty()) throw InputError("--disk " + spec + ": missing file name");
  if (d.format != "raw" && d.format != "qcow2") throw InputError("--disk " + spec + ": format must be raw or qcow2");
  return d;
}

std::vector<std::string> command_line(const Options& o) {
  std::vector<std::string> a = {
      o.qemu,       "-accel",    o.accel, "-m", std::to_string(o.mem_mb), "-smp", std::to_string(o.cpus),
      "-nographic", "-no-reboot"};
  if (o.console != "stdio") {
    // -nographic would put the monitor on stdio; a detached VM has no terminal.
    a = {o.qemu,     "-accel", o.accel,      "-m",      std::to_string(o.mem_mb), "-smp",     std::to_string(o.cpus),
         "-display", "none",   "-no-reboot", "-serial", "file:" + o.console,      "-monitor", "none"};
  }
  if (o.uefi) a.insert(a.end(), {"-bios", o.ovmf});
  if (!o.kernel.empty()) {
    a.insert(a.end(), {"-kernel", o.kernel});
    if (!o.initrd.empty()) a.insert(a.end(), {"-initrd", o.initrd});
    a.insert(a.end(), {"-append", o.cmdline});
  }
  if (!o.iso.empty()) a.insert(a.end(), {"-drive", "file=" + o.iso + ",media=cdrom,readonly=on,if=ide"});
  for (const auto& cd : o.cdroms) a.insert(a.end(), {"-drive", "file=" + cd + ",media=cdrom,readonly=on,if=ide"});
  if (!o.boot_disk.empty())
    a.insert(a.end(), {"-drive", "file=" + o.boot_disk + ",format=" + o.boot_disk_format + ",if=virtio"});
  for (const auto& d : o.disks) a.insert(a.end(), {"-drive", "file=" + d.path + ",format=" + d.format + ",if=virtio"});
  if (o.networking == "user") {
    std::string netdev = "user,id=n0";
    for (const auto& p : o.publish)
      netdev += std::string(",hostfwd=") + (p.udp ? "udp:" : "tcp:") + p.host_addr + ":" + std::to_string(p.host_port) +
                "-:" + std::to_string(p.guest_port);
    a.insert(a.end(), {"-netdev", netdev, "-device", "virtio-net-pci,netdev=n0"});
  } else {
    a.insert(a.end(), {"-nic", "none"});
  }
  a.insert(a.end(), {"-device", "virtio-rng-pci"});
  if (!o.qmp_socket.empty()) a.insert(a.end(), {"-qmp", "unix:" + o.qmp_socket + ",server=on,wait=off"});
  a.insert(a.end(), o.extra.begin(), o.extra.end());
  return a;
}

}  // namespace lk::qemu
