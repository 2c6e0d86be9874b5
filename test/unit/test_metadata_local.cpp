// pkg/metadata's CD-ROM and file providers, against ISO images xorriso makes the ways
// cloud-init, OpenStack and `linuxkit run --data` make theirs.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <filesystem>

#include "base/error.h"
#include "base/fs.h"
#include "base/process.h"
#include "metadata/iso9660.h"
#include "metadata/local.h"

using namespace lk::metadata;

namespace {

// DIR/NAME.iso made by xorriso from the files in FILES (path in the disc -> contents).
std::string make_iso(const std::string& dir, const std::string& name, const std::string& label,
                     const std::vector<std::pair<std::string, std::string>>& files,
                     const std::vector<std::string>& options) {
  std::string tree = dir + "/" + name + ".d";
  for (const auto& [path, data] : files) {
    std::string full = tree + "/" + path;
    std::filesystem::create_directories(std::filesystem::path(full).parent_path());
    lk::write_output(full, data);
  }
  std::string iso = dir + "/" + name + ".iso";
  std::vector<std::string> argv = {"xorriso", "-as", "mkisofs", "-quiet", "-V", label, "-o", iso};
  argv.insert(argv.end(), options.begin(), options.end());
  argv.push_back(tree);
  lk::run_checked(argv);
  return iso;
}

IsoImage open_iso(const std::string& path) {
  return IsoImage(lk::Fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)), path);
}

const ConfigFile* file(const Found& f, const std::string& path) {
  for (const auto& c : f.files)
    if (c.path == path) return &c;
  return nullptr;
}

}  // namespace

TEST_CASE("metadata iso9660: Rock Ridge, Joliet and plain names, folders, labels") {
  lk::TempDir tmp(lk::temp_root(), "lk-iso-test");
  const std::string big(70000, 'x');  // several sectors
  const std::vector<std::pair<std::string, std::string>> files = {{"user-data", "#cloud-config\n"},
                                                                  {"meta-data", "instance-id: i-1\n"},
                                                                  {"Mixed.Case-Name.txt", big},
                                                                  {"openstack/latest/user_data", "nested"}};
  SUBCASE("Rock Ridge and Joliet (cloud-localds, Nova)") {
    IsoImage iso = open_iso(make_iso(tmp.path(), "rr", "cidata", files, {"-r", "-J"}));
    CHECK(iso.volume_id() == "cidata");
    CHECK(iso.has_joliet());
    CHECK(iso.read("user-data", 1 << 20) == "#cloud-config\n");
    CHECK(iso.read("Mixed.Case-Name.txt", 1 << 20) == big);
    CHECK(iso.read("openstack/latest/user_data", 1 << 20) == "nested");
    CHECK_FALSE(iso.read("openstack/latest", 1 << 20).has_value());  // a folder is no file
    CHECK_FALSE(iso.read("nothing", 1 << 20).has_value());
    CHECK_THROWS_AS(iso.read("Mixed.Case-Name.txt", 1000), lk::RuntimeError);
  }
  SUBCASE("Joliet only") {
    IsoImage iso = open_iso(make_iso(tmp.path(), "joliet", "config-2", files, {"-J"}));
    CHECK(iso.volume_id() == "config-2");
    CHECK(iso.read("user-data", 1 << 20) == "#cloud-config\n");
    CHECK(iso.read("openstack/latest/user_data", 1 << 20) == "nested");
  }
  SUBCASE("plain ISO 9660 names, shown as Linux shows them") {
    IsoImage iso = open_iso(make_iso(tmp.path(), "plain", "config", {{"config", "from linuxkit run --data"}}, {}));
    CHECK_FALSE(iso.has_joliet());
    CHECK(iso.read("config", 1 << 20) == "from linuxkit run --data");
  }
  SUBCASE("not ISO 9660") {
    lk::write_output(tmp.path() + "/junk.img", std::string(40000, '\0'));
    CHECK_THROWS_AS(open_iso(tmp.path() + "/junk.img"), lk::InputError);
    lk::Fd fd(::open((tmp.path() + "/junk.img").c_str(), O_RDONLY));
    CHECK(iso_volume_id(fd.get()) == "");
  }
}

TEST_CASE("metadata cdrom: user-data, LinuxKit's config, a config drive") {
  lk::TempDir tmp(lk::temp_root(), "lk-iso-test");
  SUBCASE("cidata: user-data wins over config") {
    auto iso =
        make_iso(tmp.path(), "a", "cidata", {{"user-data", "UD"}, {"config", "CFG"}, {"meta-data", "m"}}, {"-r"});
    Outcome o = read_disc(open_iso(iso), "CDROM /dev/sr0");
    REQUIRE(o.probe == Probe::kFound);
    CHECK(o.found.provider == "CDROM /dev/sr0");
    CHECK(o.found.user_data == "UD");
    CHECK(o.found.files.empty());
  }
  SUBCASE("lk run qemu --data: a file named config") {
    auto iso = make_iso(tmp.path(), "b", "config", {{"config", "{\"a\": {\"content\": \"b\"}}"}}, {"-r", "-J"});
    Outcome o = read_disc(open_iso(iso), "CDROM /dev/sr1");
    REQUIRE(o.probe == Probe::kFound);
    CHECK(o.found.user_data == "{\"a\": {\"content\": \"b\"}}");
  }
  SUBCASE("OpenStack config drive: user_data, hostname and keys") {
    auto iso = make_iso(
        tmp.path(), "c", "config-2",
        {{"openstack/latest/user_data", "#!/bin/sh\n"},
         {"openstack/latest/meta_data.json",
          R"({"uuid": "u", "hostname": "vm-9.novalocal", "public_keys": {"k1": "ssh-rsa AAA k1\n", "k2": "ssh-ed25519 BBB k2"}})"}},
        {"-r", "-J"});
    Outcome o = read_disc(open_iso(iso), "CDROM /dev/sr0");
    REQUIRE(o.probe == Probe::kFound);
    CHECK(o.found.user_data == "#!/bin/sh\n");
    REQUIRE(file(o.found, "hostname"));
    CHECK(file(o.found, "hostname")->data == "vm-9.novalocal");
    REQUIRE(file(o.found, "ssh/authorized_keys"));
    CHECK(file(o.found, "ssh/authorized_keys")->data == "ssh-rsa AAA k1\nssh-ed25519 BBB k2\n");
    CHECK(file(o.found, "ssh/authorized_keys")->mode == 0600);
  }
  SUBCASE("a config drive without user_data still gives its metadata") {
    auto iso = make_iso(tmp.path(), "d", "config-2",
                        {{"openstack/latest/meta_data.json", R"({"hostname": "only-md"})"}}, {"-r"});
    Outcome o = read_disc(open_iso(iso), "CDROM /dev/sr0");
    REQUIRE(o.probe == Probe::kFound);
    CHECK_FALSE(o.found.user_data.has_value());
    CHECK(file(o.found, "hostname")->data == "only-md");
  }
  SUBCASE("an empty user-data is none, as in LinuxKit; so is a disc without it") {
    auto empty = make_iso(tmp.path(), "e", "cidata", {{"user-data", ""}, {"config", "not reached"}}, {"-r"});
    Outcome o = read_disc(open_iso(empty), "CDROM /dev/sr0");
    CHECK(o.probe == Probe::kAbsent);
    CHECK(o.why == "its user-data is empty");
    auto other = make_iso(tmp.path(), "f", "DATA", {{"readme.txt", "hi"}}, {"-r"});
    CHECK(read_disc(open_iso(other), "CDROM /dev/sr0").probe == Probe::kAbsent);
  }
}

TEST_CASE("metadata cdrom: the devices looked at, labelled ones first") {
  lk::TempDir tmp(lk::temp_root(), "lk-iso-test");
  const std::string dev = tmp.path() + "/dev", sys = tmp.path() + "/sys/class/block";
  std::filesystem::create_directories(dev);
  std::filesystem::create_directories(sys);
  auto ci = make_iso(tmp.path(), "ci", "CIDATA", {{"user-data", "from vdb"}}, {"-r"});
  auto plain = make_iso(tmp.path(), "sr", "whatever", {{"config", "from sr0"}}, {"-r"});
  std::filesystem::copy_file(ci, dev + "/vdb");
  std::filesystem::copy_file(ci, dev + "/loop0");  // loop and ram devices are never looked at
  std::filesystem::copy_file(plain, dev + "/sr0");
  lk::write_output(dev + "/vda", std::string(40000, 'z'));
  lk::write_output(dev + "/srx", "not a drive's name");
  for (const char* n : {"vda", "vdb", "loop0", "sr0"}) std::filesystem::create_directories(sys + "/" + n);
  CHECK(cdrom_candidates(dev, sys) == std::vector<std::string>{dev + "/vdb", dev + "/sr0"});

  auto p = cdrom_provider({}, dev, sys);
  CHECK(p->kind() == Provider::Kind::kCdrom);
  Outcome o = p->look();
  REQUIRE(o.probe == Probe::kFound);
  CHECK(o.found.provider == "CDROM " + dev + "/vdb");
  CHECK(o.found.user_data == "from vdb");

  // One device named on the command line (cdrom=PATH): only that one.
  Outcome only = cdrom_provider({dev + "/sr0"})->look();
  REQUIRE(only.probe == Probe::kFound);
  CHECK(only.found.user_data == "from sr0");
  Outcome none = cdrom_provider({dev + "/vda", dev + "/missing"})->look();
  CHECK(none.probe == Probe::kAbsent);
  CHECK(none.why.find("no ISO 9660") != std::string::npos);
  CHECK(none.why.find("No such file") != std::string::npos);
  CHECK(cdrom_provider({}, tmp.path() + "/nodev", sys + "/none")->look().why == "no CD-ROM drive");
}

TEST_CASE("metadata file: the whole file is the user-data") {
  lk::TempDir tmp(lk::temp_root(), "lk-file-test");
  lk::write_output(tmp.path() + "/ud", "line 1\nline 2\n");
  auto p = file_provider(tmp.path() + "/ud");
  CHECK(p->name() == "file=" + tmp.path() + "/ud");
  CHECK(p->kind() == Provider::Kind::kFile);
  Outcome o = p->look();
  REQUIRE(o.probe == Probe::kFound);
  CHECK(o.found.provider == tmp.path() + "/ud");
  CHECK(o.found.user_data == "line 1\nline 2\n");
  lk::write_output(tmp.path() + "/empty", "");
  Outcome e = file_provider(tmp.path() + "/empty")->look();
  CHECK(e.probe == Probe::kFound);  // LinuxKit: the file is there, so it is the provider
  CHECK(e.found.user_data == "");
  CHECK(file_provider(tmp.path() + "/missing")->look().probe == Probe::kAbsent);
  CHECK(file_provider(tmp.path())->look().why.find("not a regular file") != std::string::npos);
}
