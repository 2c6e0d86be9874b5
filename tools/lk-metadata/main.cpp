// lk-metadata: pkg/metadata's program (static, like lk-init), run onboot: finds the
// machine's metadata (a cloud's metadata server, a CD-ROM, a file), writes it under
// /run/config as LinuxKit's metadata package does, and sets the host name.
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <ctime>
#include <memory>

#include "base/error.h"
#include "base/tool_main.h"
#include "http/plain.h"
#include "metadata/cloud.h"
#include "metadata/local.h"
#include "metadata/search.h"
#include "metadata/write.h"

namespace {

using namespace lk::metadata;

// LinuxKit's providers that lk does not have: named, so that a spec asking for one is
// told so rather than told the name is unknown.
constexpr const char* kLinuxKitOnly[] = {"hetzner",      "scaleway", "vultr",     "digitalocean",
                                         "equinixmetal", "packet",   "metaldata", "vmware"};
constexpr const char* kProviders = "aws, gcp, openstack, cdrom, cdrom=DEVICE, file=PATH";

std::unique_ptr<Provider> make_provider(const std::string& arg, lk::http::Transport& t, const ServerOptions& so) {
  if (arg == "gcp") return gcp_provider(t, so, [] { return std::time(nullptr); });
  if (arg == "aws") return aws_provider(t, so);
  if (arg == "openstack") return openstack_provider(t, so);
  if (arg == "cdrom") return cdrom_provider({});
  if (arg.rfind("cdrom=", 0) == 0 && arg.size() > 6) return cdrom_provider({arg.substr(6)});
  if (arg.rfind("file=", 0) == 0 && arg.size() > 5) return file_provider(arg.substr(5));
  for (const char* name : kLinuxKitOnly)
    if (arg == name)
      throw lk::InputError("provider \"" + arg + "\" is one of LinuxKit's that lk does not have (lk has " + kProviders +
                           ")");
  throw lk::InputError("unknown metadata provider \"" + arg + "\" (lk has " + kProviders + ")");
}

int run(const lk::ToolContext& ctx) {
  const auto& args = ctx.args;
  std::vector<std::string> names = {"aws", "gcp", "openstack", "cdrom"};  // LinuxKit's order, of those lk has
  if (args.count("providers")) names = args["providers"].as<std::vector<std::string>>();

  ServerOptions so;
  std::string server = args["server"].as<std::string>();
  so.base = "http://" + server;
  try {  // an address that is not IPv4[:PORT] is bad input now, not a failure per request
    if (server.find_first_of("/?#") != std::string::npos) throw lk::http::PermanentError(server);
    lk::http::parse_plain_url(so.base + "/");
  } catch (const lk::http::PermanentError&) {
    throw lk::InputError("--server " + server + ": not an IPv4 address with an optional :PORT");
  }
  Waits waits;
  waits.net_wait_s = args["net-wait"].as<double>();
  if (!(waits.net_wait_s >= 0 && waits.net_wait_s <= 3600))
    throw lk::InputError("--net-wait must be 0 to 3600 seconds");

  lk::http::PlainClient transport;
  std::vector<std::unique_ptr<Provider>> owned;
  std::vector<Provider*> providers;
  for (const auto& n : names) {
    owned.push_back(make_provider(n, transport, so));
    providers.push_back(owned.back().get());
  }
  // Before looking: LinuxKit gives up (exit 1) when the folder cannot be made.
  ConfigDir dir(args["config-dir"].as<std::string>());

  std::string list;
  for (const auto& n : names) list += " " + n;
  ctx.log.info("looking for metadata:" + list);
  Report report{[&](const std::string& s) { ctx.log.info(s); }, [&](const std::string& s) { ctx.log.verbose(s); }};
  lk::metadata::SystemClock clock;
  auto found = search(providers, waits, clock, report);
  if (!found) {
    ctx.log.info("no metadata or user-data found; " + dir.path() + " left as it was");
    return lk::kExitOk;
  }

  Written w = write_found(*found, dir);
  for (const auto& n : w.notes) ctx.log.warn(n);
  std::string files;
  for (const auto& f : w.files) files += (files.empty() ? "" : ", ") + f;
  ctx.log.info("wrote " + dir.path() + ": " + files);

  // The host name is set here, as LinuxKit does, rather than in yet another container.
  auto text = dir.read({"hostname"}, 4096);
  if (!text) return lk::kExitOk;
  std::string name = hostname_for(*text);
  if (name.empty()) {
    ctx.log.warn(dir.path() + "/hostname holds no host name; the machine's name is unchanged");
  } else if (args.count("no-sethostname")) {
    ctx.log.info("host name " + name + " (not set: --no-sethostname)");
  } else if (::sethostname(name.c_str(), name.size()) != 0) {
    ctx.log.warn("sethostname " + name + ": " + strerror(errno));
  } else {
    ctx.log.info("host name set to " + name);
  }
  return lk::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  lk::ToolSpec spec{
      "lk-metadata",
      "Find this machine's metadata and user-data, write them under /run/config as LinuxKit's metadata package "
      "does, and set the host name.",
      "[options] [PROVIDER...]   (default: aws gcp openstack cdrom)",
      "  lk-metadata                          # at boot, in pkg/metadata's container\n"
      "  lk-metadata gcp                      # Compute Engine only\n"
      "  lk-metadata cdrom file=/var/config   # a disc, else a file\n"
      "  lk-metadata --config-dir /tmp/c --no-sethostname --server 127.0.0.1:8080 gcp\n"
      "Providers: gcp (Compute Engine), aws (EC2, IMDSv2), openstack (its EC2-compatible service), cdrom\n"
      "(/dev/sr* and discs labelled cidata or config-2), cdrom=DEVICE (that device or .iso file only),\n"
      "file=PATH. Network providers are tried first, then discs, then files; the first with metadata wins.\n"
      "Written: hostname, ssh/authorized_keys (0600), provider, userdata, and a JSON user-data's tree of\n"
      "files ({\"NAME\": {\"content\": \"...\", \"perm\": \"0600\"} or {\"entries\": {...}}}), never outside the\n"
      "folder. Finding nothing is not an error (exit 0); an unusable folder exits 1, bad arguments 2.\n",
      [](cxxopts::Options& o) {
        o.add_options()("config-dir", "where the metadata is written",
                        cxxopts::value<std::string>()->default_value("/run/config"),
                        "DIR")("server", "the metadata server's IPv4[:PORT]",
                               cxxopts::value<std::string>()->default_value("169.254.169.254"),
                               "ADDR")("net-wait", "seconds to wait for a network that is not up yet",
                                       cxxopts::value<double>()->default_value("20"), "SECONDS")(
            "no-sethostname", "write the hostname file but leave the machine's name alone")(
            "providers", "", cxxopts::value<std::vector<std::string>>());
        o.parse_positional({"providers"});
      },
      [](const lk::ToolContext& ctx) { return run(ctx); }};
  return lk::run_tool(spec, argc, argv);
}
