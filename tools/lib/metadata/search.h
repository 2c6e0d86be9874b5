#pragma once
// The order providers are tried in, and how long the search may wait.
//
// As LinuxKit's metadata: the network providers first (in the order given), then the
// CD-ROMs, then the files; the first that has metadata wins. lk adds the wait LinuxKit
// lacks: while no network provider can even reach its server (no route yet: DHCP still
// going), they are tried again every RETRY_S for up to NET_WAIT_S, and in between the
// discs and files are looked at, so a machine with a metadata CD and no network is not
// held up. A server that is reachable and says no, or does not answer in time, is a
// provider that is not there: no waiting for it. Every wait is bounded.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "metadata/provider.h"

namespace lk::metadata {

struct Waits {
  double net_wait_s = 20;  // how long a network that is not up yet is waited for
  double retry_s = 1;
};

// Time, injected so that the unit tests run the waiting in no time.
class Clock {
public:
  virtual ~Clock() = default;
  virtual double now() = 0;  // seconds, monotonic
  virtual void sleep(double seconds) = 0;
};

class SystemClock final : public Clock {
public:
  double now() override;
  void sleep(double seconds) override;
};

// Where the search's lines go: INFO for what a console reader wants (what was tried,
// what was found), DETAIL for the rest (-v).
struct Report {
  std::function<void(const std::string&)> info, detail;
};

// The first provider's find, or nullopt when none had any. PROVIDERS are not owned.
std::optional<Found> search(const std::vector<Provider*>& providers, const Waits& waits, Clock& clock,
                            const Report& report);

}  // namespace lk::metadata
