// lk-push gcp: NAME.img.tar.gz -> gs://BUCKET/NAME.img.tar.gz -> GCE image NAME.
#include <iostream>

#include "base/error.h"
#include "base/tool_main.h"
#include "gcp/config.h"
#include "gcp/image_file.h"
#include "gcp/push.h"

namespace {

using lk::gcp::flag_or_env;

int run(const lk::ToolContext& ctx) {
  const auto& args = ctx.args;
  const auto env = lk::gcp::process_env;
  if (!args.count("file"))
    throw lk::InputError("no image file given (usage: lk-push gcp --bucket B [options] NAME.img.tar.gz)");
  lk::gcp::PushOptions o;
  o.file = args["file"].as<std::string>();
  o.bucket = flag_or_env(args, "bucket", {"CLOUDSDK_IMAGE_BUCKET"}, env);
  o.name = flag_or_env(args, "name", {"CLOUDSDK_IMAGE_NAME"}, env);
  o.family = flag_or_env(args, "family", {"CLOUDSDK_IMAGE_FAMILY"}, env);
  o.public_read = lk::gcp::flag_or_env_bool(args, "public", "CLOUDSDK_IMAGE_PUBLIC", env);
  o.nested_virt = args.count("nested-virt") > 0;
  o.uefi = args.count("uefi") > 0;
  o.replace = args.count("replace") > 0;
  long chunk_kib = args["chunk-size"].as<long>();
  if (chunk_kib < 256 || chunk_kib % 256 != 0) throw lk::InputError("--chunk-size: a multiple of 256 (KiB)");
  o.chunk_size = static_cast<int64_t>(chunk_kib) * 1024;
  if (o.bucket.empty()) throw lk::InputError("no bucket: give --bucket B or set CLOUDSDK_IMAGE_BUCKET");
  // The file is checked before credentials are looked for: the cheapest mistake first.
  o.checked = lk::gcp::check_image_tarball(o.file);
  lk::gcp::Session s(lk::gcp::config_from_args(args, env), ctx.log);
  std::cout << lk::gcp::push_image(s, o, ctx.log) << "\n";
  return lk::kExitOk;
}

}  // namespace

namespace lk::push {

int gcp_main(int argc, char** argv) {
  std::string examples =
      "  lk-push gcp --project my-proj --bucket my-bucket nginx.img.tar.gz\n"
      "  lk-push gcp --keys sa.json --bucket b --family lk --uefi --replace nginx.img.tar.gz\n\n"
      "Prints the image name on stdout. The upload resumes where it stopped after a dropped\n"
      "connection; the image is made with images.insert (rawDisk.source) and waited for.\n\n" +
      std::string(lk::gcp::kCommonEnvHelp) +
      "  CLOUDSDK_IMAGE_BUCKET, CLOUDSDK_IMAGE_NAME, CLOUDSDK_IMAGE_FAMILY, CLOUDSDK_IMAGE_PUBLIC\n"
      "                                 --bucket, --name, --family, --public\n";
  lk::ToolSpec spec{
      "lk-push gcp",
      "Upload a GCE image tarball to Cloud Storage and create a Compute Engine image from it.",
      "--bucket B [options] NAME.img.tar.gz",
      examples,
      [](cxxopts::Options& o) {
        o.add_options()("bucket", "Cloud Storage bucket to upload to", cxxopts::value<std::string>(), "B")(
            "name,img-name", "image name (default: NAME from NAME.img.tar.gz; LinuxKit: --img-name)",
            cxxopts::value<std::string>(), "N")("family", "image family", cxxopts::value<std::string>(), "F")(
            "public", "make the uploaded object publicly readable (predefinedAcl=publicRead)")(
            "nested-virt", "license the image for nested virtualisation (enable-vmx)")(
            "uefi,uefi-compatible", "mark the image UEFI_COMPATIBLE (LinuxKit: --uefi-compatible)")(
            "replace", "replace an existing image of the same name")(
            "chunk-size", "upload chunk size in KiB, a multiple of 256", cxxopts::value<long>()->default_value("16384"),
            "KIB")("file", "image tarball", cxxopts::value<std::string>());
        lk::gcp::add_common_options(o);
        o.parse_positional({"file"});
      },
      [](const lk::ToolContext& ctx) { return run(ctx); },
      // `linuxkit push gcp`'s flags (and the 2017 `moby push gcp`'s).
      {"bucket", "family", "img-name", "keys", "nested-virt", "project", "public", "uefi-compatible"}};
  return lk::run_tool(spec, argc, argv);
}

}  // namespace lk::push
