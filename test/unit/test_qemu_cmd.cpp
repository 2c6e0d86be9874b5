#include <doctest/doctest.h>

#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <fstream>

#include "base/error.h"
#include "qemu/command.h"

using namespace lk::qemu;

namespace {
bool has_seq(const std::vector<std::string>& v, const std::vector<std::string>& seq) {
  return std::search(v.begin(), v.end(), seq.begin(), seq.end()) != v.end();
}
}  // namespace

TEST_CASE("publish specs") {
  auto p = parse_publish("8080:80");
  CHECK(p.host_addr == "127.0.0.1");
  CHECK(p.host_port == 8080);
  CHECK(p.guest_port == 80);
  CHECK_FALSE(p.udp);
  auto u = parse_publish("0.0.0.0:5353:53/udp");
  CHECK(u.host_addr == "0.0.0.0");
  CHECK(u.udp);
  CHECK_THROWS_AS(parse_publish("80"), lk::InputError);
  CHECK_THROWS_AS(parse_publish("8080:99999"), lk::InputError);
  CHECK_THROWS_AS(parse_publish("8080:80/sctp"), lk::InputError);
  CHECK_THROWS_AS(parse_publish("x:80"), lk::InputError);
}

TEST_CASE("disk specs") {
  auto d = parse_disk("data.qcow2,size=2G,format=qcow2");
  CHECK(d.path == "data.qcow2");
  CHECK(d.size == "2G");
  CHECK(d.format == "qcow2");
  CHECK(parse_disk("x.img").format == "raw");
  CHECK_THROWS_AS(parse_disk("x.img,bogus=1"), lk::InputError);
  CHECK_THROWS_AS(parse_disk(",size=1G"), lk::InputError);
  CHECK_THROWS_AS(parse_disk("x.img,format=vmdk"), lk::InputError);
}

TEST_CASE("kernel+initrd command line with published ports") {
  Options o;
  o.kernel = "k";
  o.initrd = "i";
  o.cmdline = "console=ttyS0";
  o.publish = {parse_publish("8080:80"), parse_publish("2222:22")};
  o.qmp_socket = "/s/qmp.sock";
  auto a = command_line(o);
  CHECK(a[0] == "qemu-system-x86_64");
  CHECK(has_seq(a, {"-accel", "tcg"}));
  CHECK(has_seq(a, {"-kernel", "k", "-initrd", "i", "-append", "console=ttyS0"}));
  CHECK(has_seq(a, {"-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:8080-:80,hostfwd=tcp:127.0.0.1:2222-:22"}));
  CHECK(has_seq(a, {"-qmp", "unix:/s/qmp.sock,server=on,wait=off"}));
  CHECK(has_seq(a, {"-no-reboot"}));
}

TEST_CASE("detached VMs log the console to a file; UEFI uses OVMF; no network") {
  Options o;
  o.iso = "x.iso";
  o.uefi = true;
  o.console = "/s/console.log";
  o.networking = "none";
  auto a = command_line(o);
  CHECK(has_seq(a, {"-serial", "file:/s/console.log"}));
  CHECK(std::find(a.begin(), a.end(), "-nographic") == a.end());
  CHECK(has_seq(a, {"-bios", "/usr/share/ovmf/OVMF.fd"}));
  CHECK(has_seq(a, {"-nic", "none"}));
  CHECK(has_seq(a, {"-drive", "file=x.iso,media=cdrom,readonly=on,if=ide"}));
}

TEST_CASE("the metadata disc of --data follows the boot medium") {
  Options o;
  o.iso = "boot.iso";
  o.cdroms = {"/s/data.iso"};
  auto a = command_line(o);
  auto boot = std::find(a.begin(), a.end(), "file=boot.iso,media=cdrom,readonly=on,if=ide");
  auto data = std::find(a.begin(), a.end(), "file=/s/data.iso,media=cdrom,readonly=on,if=ide");
  REQUIRE(boot != a.end());
  REQUIRE(data != a.end());
  CHECK(boot < data);
  CHECK(*(data - 1) == "-drive");
}

TEST_CASE("artifacts are recognised by name") {
  char dir[] = "/tmp/lk-art-XXXXXX";
  REQUIRE(mkdtemp(dir));
  std::string d = dir;
  for (const char* f :
       {"/a-kernel", "/m-bzImage", "/b.iso", "/b-efi.iso", "/c.raw", "/c.qcow2", "/g.img.tar.gz", "/x.bin"})
    std::ofstream(d + f) << "x";
  CHECK(detect_artifact(d + "/a").kind == ArtifactKind::kKernelInitrd);
  CHECK(detect_artifact(d + "/a").kernel == d + "/a-kernel");
  CHECK(detect_artifact(d + "/m").kernel == d + "/m-bzImage");  // moby's 2017 name
  CHECK(detect_artifact(d + "/b.iso").kind == ArtifactKind::kIso);
  CHECK_FALSE(detect_artifact(d + "/b.iso").wants_uefi);
  CHECK(detect_artifact(d + "/b-efi.iso").wants_uefi);
  CHECK(detect_artifact(d + "/c.raw").kind == ArtifactKind::kRawDisk);
  CHECK(detect_artifact(d + "/c.qcow2").kind == ArtifactKind::kQcow2Disk);
  CHECK(detect_artifact(d + "/g.img.tar.gz").kind == ArtifactKind::kGceTarball);
  CHECK_THROWS_AS(detect_artifact(d + "/x.bin"), lk::InputError);
  CHECK_THROWS_AS(detect_artifact(d + "/missing"), lk::InputError);
  for (const char* f :
       {"/a-kernel", "/m-bzImage", "/b.iso", "/b-efi.iso", "/c.raw", "/c.qcow2", "/g.img.tar.gz", "/x.bin"})
    std::remove((d + f).c_str());
  rmdir(dir);
}
