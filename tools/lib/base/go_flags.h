#pragma once
// LinuxKit (until its 2022 move to cobra) and the 2017 moby tool read their flags with
// Go's flag package, which takes a long flag after one dash as well as two (-mem 512,
// -project=P) and a switch as -uefi, -uefi=true or -uefi=false; scripts written for them
// use all of these. cxxopts reads -project as the short options -p -r -o ..., so
// run_tool() first passes the arguments through go_style_args(), which turns the
// LinuxKit spellings into cxxopts' and leaves everything lk accepted meaning what it did.
#include <string>
#include <vector>

namespace lk {

// What the rewrite needs to know of one option.
struct OptionShape {
  std::string short_name;               // "" or one letter
  std::vector<std::string> long_names;  // lk's name, then any aliases
  bool is_switch = false;               // on or off, no value
  bool takes_next = true;               // `--NAME VALUE`: the next argument is its value
};

// ARGS (without argv[0]) as cxxopts should read them. ONE_DASH: the long names that may
// also be given after one dash. Up to a `--`:
//  - -NAME and -NAME=VALUE, NAME in ONE_DASH, are --NAME and --NAME=VALUE, unless every
//    letter of NAME is also one of lk's short options: then the word could be either,
//    and it is refused;
//  - any other word after one dash is lk's short options (-q, -qv, -fiso-bios, -i FILE)
//    when it reads as them, else it is refused, with the right spelling when NAME is a
//    long option (lk's own long options take two dashes);
//  - a switch given =true is --NAME; =false turns it off again, mentions before it
//    included (Go keeps the last value); any other value is refused.
// An option's value is never rewritten (--qemu-arg -smp). Throws InputError, and
// std::logic_error for a ONE_DASH name that is none of OPTIONS' long names.
std::vector<std::string> go_style_args(const std::vector<std::string>& args, const std::vector<OptionShape>& options,
                                       const std::vector<std::string>& one_dash);

}  // namespace lk
