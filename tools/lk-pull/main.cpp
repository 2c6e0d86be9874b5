// lk-pull: plan JSON -> lock JSON, every image pinned to a digest and verified in the
// OCI cache; or pull, import, push and check images by name.
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "base/error.h"
#include "base/fs.h"
#include "base/progress.h"
#include "base/tool_main.h"
#include "oci/layout.h"
#include "pull/archive_import.h"
#include "pull/docker_config.h"
#include "pull/image_pull.h"
#include "pull/pinning.h"
#include "pull/push.h"
#include "pull/registry.h"
#include "spec/plan.h"

namespace {

// The numeric flag NAME, refused (exit 2) outside LO..HI: a negative retry count or
// timeout means nothing, and 0 would switch curl's limits off.
template <class T>
T bounded(const cxxopts::ParseResult& args, const std::string& name, T lo, T hi) {
  T v = args[name].as<T>();
  if (v < lo || v > hi)
    throw lk::InputError("--" + name + " " + std::to_string(v) + ": must be between " + std::to_string(lo) + " and " +
                         std::to_string(hi));
  return v;
}

lk::pull::Options registry_options(const cxxopts::ParseResult& args) {
  lk::pull::Options o;
  if (args.count("insecure-registry"))
    for (const auto& h : args["insecure-registry"].as<std::vector<std::string>>()) o.insecure.insert(h);
  if (args.count("cert-file")) {
    o.ca_file = args["cert-file"].as<std::string>();
    if (::access(o.ca_file.c_str(), R_OK) != 0) throw lk::InputError("--cert-file " + o.ca_file + ": cannot read it");
  }
  if (args.count("mirror"))
    for (auto m : args["mirror"].as<std::vector<std::string>>()) {
      std::string domain = "docker.io";
      auto eq = m.find('=');
      if (eq != std::string::npos) {
        domain = m.substr(0, eq);
        m = m.substr(eq + 1);
      }
      if (m.find("://") == std::string::npos) m = lk::pull::base_url(m, o);
      while (!m.empty() && m.back() == '/') m.pop_back();
      o.mirrors[domain].push_back(m);
    }
  o.stall_timeout_s = bounded<long>(args, "stall-timeout", 1, 3600);
  o.request_timeout_s = bounded<long>(args, "request-timeout", 1, 3600);
  o.attempts = bounded<int>(args, "retries", 0, 100) + 1;
  o.trace = args.count("verbose") > 2;
  return o;
}

int run(const lk::ToolContext& ctx) {
  const auto& args = ctx.args;
  std::string cache_dir = args.count("cache") ? args["cache"].as<std::string>() : lk::default_cache_dir();
  lk::pull::PullOptions opts;
  opts.jobs = bounded<int>(args, "jobs", 1, 64);
  opts.offline = args.count("offline") > 0;
  opts.always_resolve = args.count("pull") > 0;
  if (opts.offline && opts.always_resolve) throw lk::InputError("--offline and --pull contradict each other");

  lk::oci::OciLayout cache(cache_dir);
  if (args.count("verify")) {
    auto problems = cache.verify();
    for (const auto& p : problems) std::cerr << "lk-pull: " << cache_dir << ": " << p << "\n";
    if (!problems.empty()) return lk::kExitRuntime;
    ctx.log.info(cache_dir + ": every blob and name checks");
    return lk::kExitOk;
  }

  if (args.count("import")) {
    std::string out;
    for (const auto& file : args["import"].as<std::vector<std::string>>())
      for (const auto& p : lk::pull::import_archive(cache, file, ctx.log)) out += p.reference + " " + p.digest + "\n";
    lk::write_output(args["output"].as<std::string>(), out);
    return lk::kExitOk;
  }
  if (args.count("push")) {
    if (opts.offline) throw lk::InputError("--push needs the network; drop --offline");
    std::string source = lk::oci::parse_reference(args["push"].as<std::string>()).str();
    lk::oci::Reference dest = lk::oci::parse_reference(args.count("to") ? args["to"].as<std::string>() : source);
    lk::pull::PushOptions popts;
    popts.chunk_size = bounded<int64_t>(args, "chunk-size", 1, int64_t{1} << 40);
    if (args.count("platform")) popts.platform = lk::oci::parse_platform(args["platform"].as<std::string>());
    lk::pull::DockerConfig creds;
    lk::pull::Registry reg(registry_options(args), creds, ctx.log);
    lk::Progress progress(ctx.log.level() >= lk::Log::kNormal);
    std::string digest = lk::pull::push_image(cache, reg, source, dest, popts, ctx.log, progress);
    lk::write_output(args["output"].as<std::string>(), dest.str() + " " + digest + "\n");
    return lk::kExitOk;
  }

  auto refs = args.count("refs") ? args["refs"].as<std::vector<std::string>>() : std::vector<std::string>{};
  lk::spec::Plan plan;
  std::vector<lk::spec::ImageSlot> images;
  if (refs.empty()) {
    std::string in = args["input"].as<std::string>();
    std::string text = in == "-" ? lk::read_stream(STDIN_FILENO) : lk::read_file(in);
    plan = lk::spec::parse_document(text, lk::spec::Stage::kPlan, in == "-" ? "<stdin>" : in);
    images = lk::spec::images_of(plan);
    opts.platform =
        lk::oci::parse_platform(args.count("platform") ? args["platform"].as<std::string>() : plan.platform);
  } else {
    opts.platform =
        lk::oci::parse_platform(args.count("platform") ? args["platform"].as<std::string>() : "linux/amd64");
  }
  lk::pull::DockerConfig creds;
  std::unique_ptr<lk::pull::Registry> reg;
  if (!opts.offline) reg = std::make_unique<lk::pull::Registry>(registry_options(args), creds, ctx.log);
  lk::Progress progress(ctx.log.level() >= lk::Log::kNormal);
  lk::pull::Puller puller(cache, reg.get(), opts, ctx.log, progress);

  std::vector<lk::pull::PullRequest> requests;
  std::vector<size_t> owner;
  if (refs.empty()) {
    requests = lk::pull::pull_requests(
        images, opts.platform, [&](const lk::oci::Reference& r) { return puller.index_platforms(r); }, &owner);
  } else {
    std::string bad;
    for (const auto& t : refs) {
      try {
        requests.push_back({lk::oci::parse_reference(t), opts.platform});
      } catch (const lk::InputError& e) {
        bad += (bad.empty() ? "" : "\n") + std::string(e.what());
      }
    }
    if (!bad.empty()) throw lk::InputError(bad);
  }
  auto pinned = puller.pull(requests);

  if (refs.empty()) {
    lk::pull::apply_lock(plan, images, owner, pinned);
    lk::write_output(args["output"].as<std::string>(), lk::spec::document_text(plan));
  } else {
    std::string out;
    for (const auto& p : pinned) out += p.reference + " " + p.digest + "\n";
    lk::write_output(args["output"].as<std::string>(), out);
  }
  return lk::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  lk::ToolSpec spec{
      "lk-pull",
      "Pin every image of a plan to a digest and fetch it, verified, into the OCI image cache (lock JSON, schema "
      "lk.lock/v1).",
      "[options] < plan.json > lock.json  |  [options] REF...  |  --import FILE  |  --push REF  |  --verify",
      "  lk-parse examples/nginx.yml | lk-pull > nginx.lock.json\n"
      "  lk-pull alpine:3.19 127.0.0.1:5000/lk/init:v1      # prints REF DIGEST lines\n"
      "  lk-pull --offline -i plan.json -o lock.json          # the cache only, no network\n"
      "  lk-pull --import images.tar                          # docker save / OCI archive into the cache\n"
      "  lk-pull --push 127.0.0.1:5000/lk/init:v1             # copy a cached image to its registry\n"
      "  skopeo inspect oci:$HOME/.cache/lk:docker.io/library/alpine:3.19\n"
      "\nThe cache (--cache, $LK_CACHE, $XDG_CACHE_HOME/lk, ~/.cache/lk) is an OCI image layout; index.json\n"
      "is written under an flock on CACHE/index.json.lock, downloads in progress live in CACHE/ingest/.\n",
      [](cxxopts::Options& o) {
        o.add_options()("cache", "the OCI layout cache directory", cxxopts::value<std::string>(), "DIR")(
            "platform", "OS/ARCH[/VARIANT] to pull (default: the plan's, else linux/amd64)",
            cxxopts::value<std::string>(),
            "P")("j,jobs", "parallel downloads", cxxopts::value<int>()->default_value("4"), "N")(
            "offline", "resolve from the cache only")("pull", "ask the registry for tags even when they are cached")(
            "insecure-registry", "speak plain http to HOST[:PORT] (loopback is always plain)",
            cxxopts::value<std::vector<std::string>>(),
            "HOST")("cert-file", "extra CA certificate(s) in PEM to trust", cxxopts::value<std::string>(), "CA.pem")(
            "mirror", "try URL before REGISTRY (default docker.io)", cxxopts::value<std::vector<std::string>>(),
            "[REG=]URL")(
            "stall-timeout",
            "give up on a transfer under 1 KiB/s for this many seconds (it is resumed if retries are left)",
            cxxopts::value<long>()->default_value("60"),
            "S")("request-timeout",
                 "give up on a small request (manifest, token, config check) not answered in this many seconds",
                 cxxopts::value<long>()->default_value("120"), "S")(
            "retries", "retries on 408/429/5xx and connection errors", cxxopts::value<int>()->default_value("4"), "N")(
            "i,input", "read the plan from FILE", cxxopts::value<std::string>()->default_value("-"), "FILE")(
            "o,output", "write the lock (or REF DIGEST lines) to FILE, atomically",
            cxxopts::value<std::string>()->default_value("-"),
            "FILE")("verify", "check every blob's digest and every name in the cache")(
            "import", "add the images of a docker save or OCI archive to the cache",
            cxxopts::value<std::vector<std::string>>(),
            "FILE")("push", "copy the cached image REF to its registry", cxxopts::value<std::string>(), "REF")(
            "to", "with --push: the destination reference instead of REF", cxxopts::value<std::string>(), "DEST")(
            "chunk-size", "with --push: upload blobs larger than this in chunks of this size",
            cxxopts::value<int64_t>()->default_value("16777216"),
            "BYTES")("refs", "image references", cxxopts::value<std::vector<std::string>>());
        o.parse_positional({"refs"});
      },
      [](const lk::ToolContext& ctx) { return run(ctx); }};
  return lk::run_tool(spec, argc, argv);
}
