#include <doctest/doctest.h>

#include <algorithm>

#include "guest/modules.h"

namespace {
// A slice of what depmod writes for Debian's 6.1 kernel (paths shortened to the real ones).
const char* kDep =
    "kernel/drivers/virtio/virtio_ring.ko:\n"
    "kernel/drivers/virtio/virtio.ko:\n"
    "kernel/drivers/virtio/virtio_pci_modern_dev.ko:\n"
    "kernel/drivers/virtio/virtio_pci_legacy_dev.ko:\n"
    "kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio_pci_legacy_dev.ko "
    "kernel/drivers/virtio/virtio_pci_modern_dev.ko kernel/drivers/virtio/virtio.ko "
    "kernel/drivers/virtio/virtio_ring.ko\n"
    "kernel/net/core/failover.ko:\n"
    "kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko\n"
    "kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko "
    "kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko\n"
    "kernel/drivers/char/hw_random/virtio-rng.ko: kernel/drivers/virtio/virtio.ko "
    "kernel/drivers/virtio/virtio_ring.ko\n"
    "kernel/fs/overlayfs/overlay.ko:\n"
    "kernel/drivers/net/ethernet/intel/e1000/e1000.ko:\n";
const char* kAlias =
    "# Aliases extracted from modules themselves.\n"
    "alias pci:v00001AF4d*sv*sd*bc*sc*i* virtio_pci\n"
    "alias virtio:d00000001v* virtio_net\n"
    "alias virtio:d00000004v* virtio_rng\n"
    "alias fs-overlay overlay\n"
    "alias pci:v00008086d0000100Esv*sd*bc*sc*i* e1000\n"
    "alias pci:v00008086d00007010sv*sd*bc*sc*i* ata_piix\n";
const char* kBuiltin = "kernel/drivers/ata/ata_piix.ko\nkernel/fs/ext4/ext4.ko\n";

lk::guest::ModuleIndex index() {
  lk::guest::ModuleIndex i;
  i.add_dep(kDep);
  i.add_alias(kAlias);
  i.add_builtin(kBuiltin);
  return i;
}
}  // namespace

TEST_CASE("init modules: names compare with - and _ alike") {
  CHECK(lk::guest::module_name("kernel/drivers/char/hw_random/virtio-rng.ko") == "virtio_rng");
  CHECK(lk::guest::module_name("virtio_net.ko.xz") == "virtio_net");
  CHECK(lk::guest::module_name("virtio-net") == "virtio_net");
  auto i = index();
  CHECK(i.known("virtio-rng"));
  CHECK(i.path_of("virtio_rng") == "kernel/drivers/char/hw_random/virtio-rng.ko");
  CHECK(i.builtin("ext4"));
}

TEST_CASE("init modules: modalias matching (globs, built-ins left out)") {
  auto i = index();
  CHECK(i.match("pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00\n") == std::vector<std::string>{"virtio_pci"});
  CHECK(i.match("virtio:d00000001v00001AF4") == std::vector<std::string>{"virtio_net"});
  CHECK(i.match("pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00") == std::vector<std::string>{"e1000"});
  // ata_piix is built in here: nothing to load.
  CHECK(i.match("pci:v00008086d00007010sv00001AF4sd00001100bc01sc01i80").empty());
  CHECK(i.match("acpi:PNP0A03:").empty());
  CHECK(i.resolve("fs-overlay") == std::vector<std::string>{"overlay"});
  CHECK(i.resolve("virtio-net") == std::vector<std::string>{"virtio_net"});
  CHECK(i.resolve("nope").empty());
}

TEST_CASE("init modules: load order puts dependencies first, each once") {
  auto i = index();
  auto order = i.load_order({"virtio_pci", "virtio_net"}, {});
  std::vector<std::string> want = {"kernel/drivers/virtio/virtio_ring.ko",
                                   "kernel/drivers/virtio/virtio.ko",
                                   "kernel/drivers/virtio/virtio_pci_modern_dev.ko",
                                   "kernel/drivers/virtio/virtio_pci_legacy_dev.ko",
                                   "kernel/drivers/virtio/virtio_pci.ko",
                                   "kernel/net/core/failover.ko",
                                   "kernel/drivers/net/net_failover.ko",
                                   "kernel/drivers/net/virtio_net.ko"};
  CHECK(order == want);
  auto pos = [&](const std::string& p) { return std::find(order.begin(), order.end(), p) - order.begin(); };
  CHECK(pos("kernel/net/core/failover.ko") < pos("kernel/drivers/net/net_failover.ko"));

  // Already loaded modules are skipped; built-ins and unknown names are handled.
  auto rest = i.load_order({"virtio_net"}, {"virtio_ring", "virtio"});
  CHECK(rest == std::vector<std::string>{"kernel/net/core/failover.ko", "kernel/drivers/net/net_failover.ko",
                                         "kernel/drivers/net/virtio_net.ko"});
  std::vector<std::string> missing;
  CHECK(i.load_order({"ext4", "nosuch"}, {}, &missing).empty());
  CHECK(missing == std::vector<std::string>{"nosuch"});
}

TEST_CASE("init modules: /proc/modules") {
  auto m = lk::guest::parse_proc_modules("virtio_net 57344 0 - Live 0x0\nnet_failover 20480 1 virtio_net, Live 0x0\n");
  CHECK(m == std::set<std::string>{"net_failover", "virtio_net"});
}
