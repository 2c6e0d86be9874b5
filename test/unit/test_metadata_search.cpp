// pkg/metadata's search: LinuxKit's order, and the bounded wait for a network that is
// not up yet, run on a fake clock.
#include <doctest/doctest.h>

#include <deque>

#include "metadata/search.h"

using namespace lk::metadata;

namespace {

class FakeClock final : public Clock {
public:
  double now() override { return t; }
  void sleep(double s) override {
    t += s;
    ++sleeps;
  }
  double t = 100;
  int sleeps = 0;
};

// Answers from a list, the last one repeated; counts its looks.
class Fake final : public Provider {
public:
  Fake(std::string name, Kind kind, std::deque<Probe> answers)
      : name_(std::move(name)), kind_(kind), answers_(std::move(answers)) {}
  std::string name() const override { return name_; }
  Kind kind() const override { return kind_; }
  Outcome look() override {
    ++looks;
    Outcome o;
    o.probe = answers_.front();
    if (answers_.size() > 1) answers_.pop_front();
    o.why = "scripted";
    if (o.probe == Probe::kFound) o.found.provider = name_;
    return o;
  }
  int looks = 0;

private:
  std::string name_;
  Kind kind_;
  std::deque<Probe> answers_;
};

struct Run {
  std::vector<std::string> info;
  FakeClock clock;
  std::optional<Found> operator()(const std::vector<Provider*>& ps, Waits w = {}) {
    Report r{[this](const std::string& s) { info.push_back(s); }, [](const std::string&) {}};
    return search(ps, w, clock, r);
  }
};

using K = Provider::Kind;
using P = Probe;

}  // namespace

TEST_CASE("metadata search: network providers first, then discs, then files, whatever the order given") {
  Fake file("file=/x", K::kFile, {P::kFound});
  Fake cd("cdrom", K::kCdrom, {P::kFound});
  Fake gcp("gcp", K::kNetwork, {P::kAbsent});
  Fake aws("aws", K::kNetwork, {P::kFound});
  Run run;
  auto f = run({&file, &cd, &gcp, &aws});
  REQUIRE(f);
  CHECK(f->provider == "aws");
  CHECK(gcp.looks == 1);
  CHECK(cd.looks == 0);
  CHECK(file.looks == 0);
  CHECK(run.clock.sleeps == 0);
  CHECK(run.info == std::vector<std::string>{"gcp: not found (scripted)", "aws: found metadata, no user-data"});
}

TEST_CASE("metadata search: servers that answer no are not waited for") {
  Fake aws("aws", K::kNetwork, {P::kAbsent});
  Fake gcp("gcp", K::kNetwork, {P::kAbsent});
  Fake cd("cdrom", K::kCdrom, {P::kAbsent});
  Fake file("file=/x", K::kFile, {P::kFound});
  Run run;
  auto f = run({&aws, &gcp, &cd, &file});
  REQUIRE(f);
  CHECK(f->provider == "file=/x");
  CHECK(aws.looks == 1);
  CHECK(run.clock.sleeps == 0);
}

TEST_CASE("metadata search: a network that comes up late is waited for") {
  Fake aws("aws", K::kNetwork, {P::kNoNetwork, P::kNoNetwork, P::kNoNetwork, P::kAbsent});
  Fake gcp("gcp", K::kNetwork, {P::kNoNetwork, P::kNoNetwork, P::kNoNetwork, P::kFound});
  Fake cd("cdrom", K::kCdrom, {P::kAbsent});
  Run run;
  auto f = run({&aws, &gcp, &cd});
  REQUIRE(f);
  CHECK(f->provider == "gcp");
  CHECK(run.clock.sleeps == 3);
  CHECK(gcp.looks == 4);
  CHECK(cd.looks == 3);  // looked at while waiting, in case the metadata was local
  CHECK(run.clock.t == doctest::Approx(103));
}

TEST_CASE("metadata search: while the network is down, a disc with metadata ends the wait") {
  Fake aws("aws", K::kNetwork, {P::kNoNetwork});
  Fake cd("cdrom", K::kCdrom, {P::kFound});
  Run run;
  auto f = run({&aws, &cd});
  REQUIRE(f);
  CHECK(f->provider == "cdrom");
  CHECK(run.clock.sleeps == 0);
}

TEST_CASE("metadata search: the wait is bounded") {
  Fake aws("aws", K::kNetwork, {P::kNoNetwork});
  Fake file("file=/x", K::kFile, {P::kAbsent});
  Run run;
  Waits w;
  w.net_wait_s = 5;
  w.retry_s = 1;
  auto f = run({&aws, &file}, w);
  CHECK_FALSE(f);
  CHECK(run.clock.t - 100 <= 5);
  CHECK(run.clock.sleeps == 5);
  CHECK(aws.looks == 6);
  CHECK(file.looks == 7);  // each round, and once more at the end
  // What the console shows: each provider once, the wait, the giving up; no repeats.
  CHECK(run.info == std::vector<std::string>{"aws: no network yet (scripted)", "file=/x: not found (scripted)",
                                             "waiting up to 5 s for the network",
                                             "the network is not up after 5 s: giving up on the metadata servers"});
  Waits none;
  none.net_wait_s = 0;
  Run quick;
  CHECK_FALSE(quick({&aws, &file}, none));
  CHECK(quick.clock.sleeps == 0);
}

TEST_CASE("metadata search: nothing to search") {
  Run run;
  CHECK_FALSE(run({}));
}
