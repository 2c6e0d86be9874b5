#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/go_flags.h"

using lk::go_style_args;
using lk::OptionShape;
using Args = std::vector<std::string>;

namespace {

// Shaped like lk-run qemu's options, plus lk build's -f LIST and a stage tool's -i FILE.
const std::vector<OptionShape> kOptions = {
    {"h", {"help"}, true, false},
    {"q", {"quiet"}, true, false},
    {"v", {"verbose"}, true, false},
    {"f", {"format"}, false, true},
    {"i", {"input"}, false, true},
    {"", {"mem"}, false, true},
    {"", {"publish"}, false, true},
    {"", {"qemu-arg"}, false, true},
    {"", {"grace"}, false, true},
    {"", {"uefi"}, true, false},
    {"", {"detach", "detached"}, true, false},
    {"", {"name", "img-name"}, false, true},
};
const Args kOneDash = {"mem", "publish", "uefi", "detached", "format", "img-name", "help"};

Args rewrite(const Args& args) { return go_style_args(args, kOptions, kOneDash); }

}  // namespace

TEST_CASE("go_style_args: LinuxKit's names after one dash become long options") {
  CHECK(rewrite({"-mem", "512", "-publish=8080:80", "x"}) == Args{"--mem", "512", "--publish=8080:80", "x"});
  CHECK(rewrite({"-detached", "-img-name", "n"}) == Args{"--detached", "--img-name", "n"});
  CHECK(rewrite({"-help"}) == Args{"--help"});
  // -format is LinuxKit's --format, not lk's -f with the value "ormat"...
  CHECK(rewrite({"-format", "iso-bios"}) == Args{"--format", "iso-bios"});
  // ...and lk's -fLIST still works.
  CHECK(rewrite({"-fiso-bios", "-f", "gcp"}) == Args{"-fiso-bios", "-f", "gcp"});
}

TEST_CASE("go_style_args: lk's own spellings mean what they meant") {
  CHECK(rewrite({"--mem", "512", "--mem=256", "-q", "-v", "-", "file"}) ==
        Args{"--mem", "512", "--mem=256", "-q", "-v", "-", "file"});
  CHECK(rewrite({"-qvv"}) == Args{"-q", "-v", "-v"});
  CHECK(rewrite({"-qi", "in.tar", "-qfgcp"}) == Args{"-q", "-i", "in.tar", "-q", "-fgcp"});
  CHECK(rewrite({"--nosuch", "x"}) == Args{"--nosuch", "x"});  // cxxopts reports it
}

TEST_CASE("go_style_args: values and everything after -- are left alone") {
  CHECK(rewrite({"--qemu-arg", "-mem", "-i", "-publish", "--name", "-uefi"}) ==
        Args{"--qemu-arg", "-mem", "-i", "-publish", "--name", "-uefi"});
  CHECK(rewrite({"-mem", "-publish"}) == Args{"--mem", "-publish"});
  CHECK(rewrite({"--", "-mem", "-x"}) == Args{"--", "-mem", "-x"});
  CHECK(rewrite({"--mem"}) == Args{"--mem"});  // cxxopts says the value is missing
}

TEST_CASE("go_style_args: switches take Go's =true and =false") {
  CHECK(rewrite({"-uefi=true", "x"}) == Args{"--uefi", "x"});
  CHECK(rewrite({"-uefi", "--detach", "-detached=false", "-uefi=0"}) == Args{});
  CHECK(rewrite({"-uefi=false", "--uefi"}) == Args{"--uefi"});  // the last one wins
  CHECK(rewrite({"-qv", "--quiet=f"}) == Args{"-v"});
  CHECK_THROWS_WITH_AS(rewrite({"-uefi=yes"}), "--uefi=yes: --uefi is a switch: give it alone, or =true or =false",
                       lk::InputError);
}

TEST_CASE("go_style_args: what it refuses, and how") {
  CHECK_THROWS_WITH_AS(rewrite({"-grace", "5"}), "-grace: lk's own long options take two dashes: --grace",
                       lk::InputError);
  CHECK_THROWS_WITH_AS(rewrite({"-qemu-arg=-smp"}),
                       "-qemu-arg=-smp: lk's own long options take two dashes: --qemu-arg=-smp", lk::InputError);
  CHECK_THROWS_WITH_AS(rewrite({"-gui"}), "unknown option -gui", lk::InputError);
  CHECK_THROWS_WITH_AS(rewrite({"-qx"}), "unknown option -qx", lk::InputError);
  // A LinuxKit name made only of lk's short option letters could be either.
  auto with_qv = kOptions;
  with_qv.push_back({"", {"qv"}, true, false});
  CHECK_THROWS_WITH_AS(go_style_args({"-qv"}, with_qv, {"qv"}),
                       "-qv is ambiguous: LinuxKit's --qv or lk's -q -v; write one of those", lk::InputError);
  CHECK(go_style_args({"--qv"}, with_qv, {"qv"}) == Args{"--qv"});
  CHECK_THROWS_AS(go_style_args({}, kOptions, {"no-such-option"}), std::logic_error);
}

TEST_CASE("go_style_args: without LinuxKit names, only lk's spellings") {
  CHECK(go_style_args({"-qv", "--mem", "1"}, kOptions, {}) == Args{"-q", "-v", "--mem", "1"});
  CHECK_THROWS_WITH_AS(go_style_args({"-help"}, kOptions, {}), "-help: lk's own long options take two dashes: --help",
                       lk::InputError);
}
