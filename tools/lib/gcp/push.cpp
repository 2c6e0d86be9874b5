#include "gcp/push.h"

#include <unistd.h>

#include "base/error.h"
#include "base/fs.h"
#include "gcp/image_file.h"
#include "gcp/storage.h"

namespace lk::gcp {

namespace {

std::string mib(int64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(n) / (1024.0 * 1024.0));
  return buf;
}

// A progress line rewritten in place on a terminal; per-chunk lines with -v otherwise.
std::function<void(int64_t, int64_t)> progress_printer(const Log& log) {
  bool tty = ::isatty(STDERR_FILENO) && log.level() >= Log::kNormal;
  return [tty, &log](int64_t done, int64_t total) {
    int pct = total ? static_cast<int>(done * 100 / total) : 100;
    std::string line = "uploaded " + mib(done) + " / " + mib(total) + " MiB (" + std::to_string(pct) + "%)";
    if (!tty) return log.verbose(line);
    try {
      write_all(STDERR_FILENO, "\r" + log.tool() + ": " + line + (done == total ? "\n" : ""), "stderr");
    } catch (const Error&) {
      // A progress line that cannot be shown is no reason to stop the upload.
    }
  };
}

}  // namespace

std::string push_image(Session& s, const PushOptions& o, const Log& log) {
  if (o.bucket.empty()) throw InputError("no bucket: give --bucket B or set CLOUDSDK_IMAGE_BUCKET");
  auto info = o.checked ? *o.checked : check_image_tarball(o.file);
  const int64_t gib = int64_t(1) << 30;
  if (info.disk_size % gib != 0)
    log.warn(o.file + ": disk.raw is " + std::to_string(info.disk_size) +
             " bytes, not a whole number of GiB; GCE may refuse it");
  std::string name = o.name.empty() ? image_name_from_path(o.file) : o.name;
  if (!valid_resource_name(name))
    throw InputError("\"" + name + "\" is not a valid GCE image name (lower-case letters, digits and '-', " +
                     "starting with a letter, at most 63); choose one with --name");
  std::string object = o.file.substr(o.file.rfind('/') == std::string::npos ? 0 : o.file.rfind('/') + 1);

  s.compute.check_project();
  check_bucket(s.api, s.config.storage_url, o.bucket);
  bool exists = s.compute.get_image(name).has_value();
  if (exists && !o.replace)
    throw InputError("image \"" + name + "\" already exists in project \"" + s.compute.project() +
                     "\"; add --replace to replace it, or choose another --name");

  log.info("uploading " + o.file + " (" + mib(info.file_size) + " MiB) to gs://" + o.bucket + "/" + object);
  UploadOptions up;
  up.chunk_size = o.chunk_size;
  up.public_read = o.public_read;
  up.progress = progress_printer(log);
  upload_resumable(s.api, s.config.storage_url, o.bucket, object, o.file, up);

  if (exists) {
    log.info("deleting the existing image " + name);
    s.compute.delete_image(name);
  }
  ImageSpec spec;
  spec.name = name;
  spec.source_url = object_url(s.config.storage_url, o.bucket, object);
  spec.family = o.family;
  spec.uefi = o.uefi;
  spec.nested_virt = o.nested_virt;
  log.info("creating image " + name + " in project " + s.compute.project());
  s.compute.insert_image(spec);
  log.info("image " + name + " is ready");
  return name;
}

}  // namespace lk::gcp
