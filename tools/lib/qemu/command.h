#pragma once
// What `lk-run qemu` boots and how: the artifact kinds it recognises by name, and the
// qemu command line for them (a pure function, so it is unit-tested).
#include <string>
#include <vector>

namespace lk::qemu {

enum class ArtifactKind { kKernelInitrd, kIso, kRawDisk, kQcow2Disk, kGceTarball };

struct Artifact {
  ArtifactKind kind;
  std::string path;         // PREFIX for kernel+initrd, else the file
  bool wants_uefi = false;  // "-efi" in the name
  std::string kernel;       // for kernel+initrd: PREFIX-kernel, or PREFIX-bzImage
};

// PATH is a kernel+initrd prefix (PATH-kernel exists, or PATH-bzImage as the 2017
// moby tool named it), or a file named *.iso, *.raw, *.img, *.qcow2, *.img.tar.gz.
// Throws InputError otherwise.
Artifact detect_artifact(const std::string& path);

struct Publish {
  std::string host_addr = "127.0.0.1";
  int host_port = 0;
  int guest_port = 0;
  bool udp = false;
};
// "[ADDR:]HOST:GUEST[/tcp|/udp]"; throws InputError.
Publish parse_publish(const std::string& spec);

struct Disk {
  std::string path;
  std::string size;  // e.g. "1G": create the file when it does not exist
  std::string format = "raw";
};
// "FILE[,size=S][,format=F]"; throws InputError.
Disk parse_disk(const std::string& spec);

struct Options {
  std::string qemu = "qemu-system-x86_64";
  std::string accel = "tcg";  // already resolved from auto
  int mem_mb = 1024;
  int cpus = 1;
  bool uefi = false;
  std::string ovmf = "/usr/share/ovmf/OVMF.fd";
  std::string networking = "user";  // user | none
  std::vector<Publish> publish;
  std::vector<Disk> disks;
  std::string kernel, initrd, cmdline;  // for kernel+initrd (kernel may be the PVH vmlinux)
  std::string boot_disk;                // raw/qcow2 disk to boot from (format from kind)
  std::string boot_disk_format = "raw";
  std::string iso;
  // More discs, after the boot medium: the metadata disc of --data.
  std::vector<std::string> cdroms;

  std::string console = "stdio";   // "stdio" (Ctrl-A X works on a terminal) or a log file path
  std::string qmp_socket;          // for a clean shutdown on SIGTERM
  std::vector<std::string> extra;  // passed through
};

std::vector<std::string> command_line(const Options& o);

}  // namespace lk::qemu
