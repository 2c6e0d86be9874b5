// lk-run gcp: start an instance of a GCE image (pushing a local image tarball first
// when given one), stream its serial console until it stops, then delete it.
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "base/fs.h"
#include "base/tool_main.h"
#include "gcp/config.h"
#include "gcp/console.h"
#include "gcp/image_file.h"
#include "gcp/push.h"
#include "subcommands.h"

namespace {

using lk::gcp::flag_or_env;

constexpr int kExitInterrupted = 130;  // what a shell reports for Ctrl-C

bool is_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// The user-data metadata. LinuxKit's --data is the text itself and --data-file a file;
// lk's --data used to be a file, so a value naming one (a pipe from <(...) included) is
// still read from it, with a warning: a LinuxKit user's text is rarely a file's name.
void user_data(const cxxopts::ParseResult& args, const lk::Log& log, lk::gcp::InstanceSpec& spec) {
  if (args.count("data") && args.count("data-file")) throw lk::InputError("give --data or --data-file, not both");
  if (args.count("data-file")) {
    spec.user_data = lk::read_file(args["data-file"].as<std::string>());
  } else if (args.count("data")) {
    std::string data = args["data"].as<std::string>();
    struct stat st {};
    if (!data.empty() && ::stat(data.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) {
      log.warn("--data " + data + ": reading the file, as lk's --data did; LinuxKit's --data is the user-data " +
               "itself: give a file with --data-file");
      data = lk::read_file(data);
    }
    spec.user_data = data;
  } else {
    return;
  }
  spec.has_user_data = true;
}

int run_gcp(const lk::ToolContext& ctx) {
  const auto& args = ctx.args;
  const auto& log = ctx.log;
  const auto env = lk::gcp::process_env;
  if (!args.count("image")) throw lk::InputError("no image given (usage: lk-run gcp [options] IMAGE)");
  std::string image = args["image"].as<std::string>();

  lk::gcp::InstanceSpec spec;
  spec.zone = flag_or_env(args, "zone", {"CLOUDSDK_COMPUTE_ZONE"}, env, "europe-west1-d");
  spec.machine_type = flag_or_env(args, "machine", {"CLOUDSDK_COMPUTE_MACHINE"}, env, "g1-small");
  spec.disk_size_gb = args["disk-size"].as<long>();
  if (spec.disk_size_gb < 0) throw lk::InputError("--disk-size: not negative");
  spec.nested_virt = args.count("nested-virt") > 0;
  user_data(args, log, spec);

  // A local tarball is pushed first, as `moby run gcp image.img.tar.gz` did.
  const bool push = is_file(image);
  lk::gcp::PushOptions push_opts;
  if (push) {
    push_opts.file = image;
    push_opts.bucket = flag_or_env(args, "bucket", {"CLOUDSDK_IMAGE_BUCKET"}, env);
    push_opts.family = flag_or_env(args, "family", {"CLOUDSDK_IMAGE_FAMILY"}, env);
    push_opts.uefi = args.count("uefi") > 0;
    push_opts.nested_virt = spec.nested_virt;
    push_opts.replace = args.count("replace") > 0;
    push_opts.public_read = args.count("public") > 0;
    if (push_opts.bucket.empty())
      throw lk::InputError(image + " is a file: give --bucket B (or CLOUDSDK_IMAGE_BUCKET) to push it first");
    push_opts.name = flag_or_env(args, "img-name", {"CLOUDSDK_IMAGE_NAME"}, env);
    push_opts.checked = lk::gcp::check_image_tarball(image);
    image = push_opts.name.empty() ? lk::gcp::image_name_from_path(image) : push_opts.name;
  }
  spec.image = image;
  // moby's -img-name named the instance too, when IMAGE was already in the project.
  spec.name = args.count("name")       ? args["name"].as<std::string>()
              : args.count("img-name") ? args["img-name"].as<std::string>()
                                       : image;
  if (!lk::gcp::valid_resource_name(spec.name))
    throw lk::InputError("\"" + spec.name + "\" is not a valid GCE instance name; choose one with --name");

  lk::gcp::Session s(lk::gcp::config_from_args(args, env), log);
  s.compute.check_project();
  s.compute.check_zone(spec.zone);
  if (push) {
    lk::gcp::push_image(s, push_opts, log);
  } else if (!s.compute.get_image(image)) {
    throw lk::InputError("image \"" + image + "\" does not exist in project \"" + s.compute.project() +
                         "\"; push it with `lk push gcp --bucket B " + image + ".img.tar.gz`");
  }

  lk::gcp::InterruptWatch interrupt;
  log.info("creating instance " + spec.name + " (" + spec.machine_type + ") in " + spec.zone);
  s.compute.insert_instance(spec);
  auto interval = s.config.polling.interval;
  if (args.count("console-interval")) interval = std::chrono::milliseconds(args["console-interval"].as<long>());

  lk::gcp::ConsoleEnd end = lk::gcp::ConsoleEnd::kInterrupted;
  try {
    end = lk::gcp::follow_console(s.compute, spec.zone, spec.name, STDOUT_FILENO, interval, interrupt, log);
  } catch (const std::exception& e) {
    // The instance costs money: delete it even when following it failed.
    if (!args.count("skip-cleanup")) {
      log.warn(std::string("console: ") + e.what() + "; deleting instance " + spec.name);
      s.compute.delete_instance(spec.zone, spec.name);
    }
    throw;
  }
  if (end == lk::gcp::ConsoleEnd::kInterrupted) log.info("interrupted");
  if (args.count("skip-cleanup")) {
    log.info("leaving instance " + spec.name + " in place (--skip-cleanup)");
  } else if (end != lk::gcp::ConsoleEnd::kGone) {
    log.info("deleting instance " + spec.name);
    s.compute.delete_instance(spec.zone, spec.name);
  }
  return end == lk::gcp::ConsoleEnd::kInterrupted ? kExitInterrupted : lk::kExitOk;
}

}  // namespace

namespace lk::run {

int gcp_main(int argc, char** argv) {
  std::string examples =
      "  lk-run gcp --project my-proj --zone europe-west1-d myimage\n"
      "  lk-run gcp --bucket my-bucket --data-file user-data.json myimage.img.tar.gz   # push, then run\n"
      "  lk-run gcp -project my-proj -zone us-central1-a -data '{\"a\":1}' myimage    # LinuxKit's spelling\n"
      "  CLOUDSDK_CORE_PROJECT=my-proj lk-run gcp --machine e2-small --skip-cleanup myimage\n\n"
      "The console is printed on stdout until the instance stops or Ctrl-C (exit status 130);\n"
      "the instance is then deleted unless --skip-cleanup.\n\n" +
      std::string(lk::gcp::kCommonEnvHelp) +
      "  CLOUDSDK_COMPUTE_ZONE          --zone\n"
      "  CLOUDSDK_COMPUTE_MACHINE       --machine\n"
      "  CLOUDSDK_IMAGE_BUCKET, CLOUDSDK_IMAGE_FAMILY, CLOUDSDK_IMAGE_NAME   --bucket, --family, --img-name\n";
  lk::ToolSpec spec{
      "lk-run gcp",
      "Start a Google Compute Engine instance from an image and follow its serial console.",
      "[options] IMAGE   (an image name in the project, or a NAME.img.tar.gz to push first)",
      examples,
      [](cxxopts::Options& o) {
        o.add_options()("name", "instance name (default: the image's)", cxxopts::value<std::string>(), "N")(
            "zone", "zone (default europe-west1-d)", cxxopts::value<std::string>(), "Z")(
            "machine", "machine type (default g1-small)", cxxopts::value<std::string>(), "T")(
            "disk-size", "boot disk size in GB (default: the image's)", cxxopts::value<long>()->default_value("0"),
            "G")("data",
                 "the instance's user-data metadata, as LinuxKit's --data (a value naming an existing file is read "
                 "from it, as lk's --data did before --data-file)",
                 cxxopts::value<std::string>(), "STRING")(
            "data-file", "file whose content becomes the user-data metadata", cxxopts::value<std::string>(), "FILE")(
            "skip-cleanup", "leave the instance running afterwards")(
            "nested-virt", "allow nested virtualisation (Haswell or later CPU, enable-vmx image)")(
            "console-interval", "milliseconds between console polls (default: --poll-interval)", cxxopts::value<long>(),
            "MS")("bucket", "when IMAGE is a file: the bucket to upload it to", cxxopts::value<std::string>(), "B")(
            "family", "when IMAGE is a file: the image family", cxxopts::value<std::string>(), "F")(
            "img-name",
            "when IMAGE is a file: the image's name (default NAME from NAME.img.tar.gz); also the "
            "instance's default name, as in moby",
            cxxopts::value<std::string>(), "N")("uefi", "when IMAGE is a file: mark the image UEFI_COMPATIBLE")(
            "public", "when IMAGE is a file: make the uploaded object publicly readable")(
            "replace", "when IMAGE is a file: replace an existing image of the same name")(
            "image", "image", cxxopts::value<std::string>());
        lk::gcp::add_common_options(o);
        o.parse_positional({"image"});
      },
      [](const lk::ToolContext& ctx) { return run_gcp(ctx); },
      // `linuxkit run gcp`'s flags that lk has, and the 2017 `moby run gcp`'s.
      {"bucket", "data", "data-file", "disk-size", "family", "img-name", "keys", "machine", "name", "nested-virt",
       "project", "public", "skip-cleanup", "zone"}};
  return lk::run_tool(spec, argc, argv);
}

}  // namespace lk::run
