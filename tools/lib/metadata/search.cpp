#include "metadata/search.h"

#include <time.h>

#include <cmath>

namespace lk::metadata {

namespace {

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f s", s);
  return buf;
}

void tell(const Outcome& o, const std::string& name, const Report& report, bool loud) {
  for (const auto& n : o.notes) report.detail(n);
  if (o.probe == Probe::kFound || !loud) return;
  report.info(name + ": " + (o.probe == Probe::kNoNetwork ? "no network yet" : "not found") +
              (o.why.empty() ? "" : " (" + o.why + ")"));
}

}  // namespace

double SystemClock::now() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

void SystemClock::sleep(double seconds) {
  if (seconds <= 0) return;
  timespec t{static_cast<time_t>(seconds), static_cast<long>(std::fmod(seconds, 1.0) * 1e9)};
  while (nanosleep(&t, &t) != 0) {}
}

std::optional<Found> search(const std::vector<Provider*>& providers, const Waits& waits, Clock& clock,
                            const Report& report) {
  std::vector<Provider*> net, local;
  for (auto kind : {Provider::Kind::kNetwork, Provider::Kind::kCdrom, Provider::Kind::kFile})
    for (auto* p : providers)
      if (p->kind() == kind) (kind == Provider::Kind::kNetwork ? net : local).push_back(p);

  auto found = [&](Provider* p, Outcome& o) {
    tell(o, p->name(), report, true);
    report.info(o.found.provider + ": found" +
                (o.found.user_data ? " user-data (" + std::to_string(o.found.user_data->size()) + " bytes)"
                                   : " metadata, no user-data"));
    return std::optional<Found>(std::move(o.found));
  };
  // LOUD: the first look at each says how it went; later ones only when it changes.
  auto try_local = [&](bool loud) -> std::optional<Found> {
    for (auto* p : local) {
      Outcome o = p->look();
      if (o.probe == Probe::kFound) return found(p, o);
      tell(o, p->name(), report, loud);
    }
    return std::nullopt;
  };

  const double start = clock.now();
  bool locals_seen = false;
  for (int round = 0; !net.empty(); ++round) {
    bool no_network = false;
    for (auto* p : net) {
      Outcome o = p->look();
      if (o.probe == Probe::kFound) return found(p, o);
      no_network = no_network || o.probe == Probe::kNoNetwork;
      tell(o, p->name(), report, round == 0);
    }
    if (!no_network) break;
    // The network is not up yet, and may never be: what is on the machine counts meanwhile.
    if (auto f = try_local(!locals_seen)) return f;
    locals_seen = true;
    double waited = clock.now() - start;
    if (waited + waits.retry_s > waits.net_wait_s) {
      report.info("the network is not up after " + seconds(waited) + ": giving up on the metadata servers");
      break;
    }
    if (round == 0) report.info("waiting up to " + seconds(waits.net_wait_s) + " for the network");
    clock.sleep(waits.retry_s);
  }
  return try_local(!locals_seen);
}

}  // namespace lk::metadata
