#include "pkg/deb.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>

#include "base/error.h"
#include "base/fs.h"
#include "base/path_norm.h"
#include "base/process.h"
#include "base/sha256.h"
#include "streams/archive_handle.h"

namespace lk::pkg {

namespace fs = std::filesystem;

namespace {

std::string run_capture(const std::vector<std::string>& argv) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) throw_errno("pipe");
  Fd rd(p[0]), wr(p[1]);
  Fd devnull(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  SpawnOptions o;
  o.stdout_fd = wr.get();
  o.stderr_fd = devnull.get();
  Child c(argv, o);
  wr.reset();
  std::string out = read_stream(rd.get());
  if (c.wait() != 0) throw RuntimeError(argv[0] + " " + argv[1] + " failed");
  return out;
}

// What apt-cache's answers depend on: the package indexes and apt's configuration, by
// name, size and modification time.
std::string apt_state() {
  std::string state;
  auto add = [&](const fs::path& p) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) return;
    state += p.string() + " " + std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
             std::to_string(st.st_mtim.tv_nsec) + "\n";
  };
  for (const char* dir :
       {"/var/lib/apt/lists", "/etc/apt/preferences.d", "/etc/apt/sources.list.d", "/etc/apt/apt.conf.d"}) {
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir, ec)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) add(f);
  }
  for (const char* f : {"/etc/apt/preferences", "/etc/apt/sources.list", "/var/lib/dpkg/status"}) add(f);
  return state;
}

// apt-cache takes 0.5-1 s to load its cache for every call, and a build asks it a few
// dozen questions; answers are kept in the lk cache, keyed by the question and apt's
// state, so they are reused exactly until an apt-get update or a config change.
std::string capture(const std::vector<std::string>& argv) {
  std::string question;
  for (const auto& a : argv) question += a + '\0';
  const std::string dir = default_cache_dir() + "/apt-answers";
  const std::string path = dir + "/" + sha256_hex(question + apt_state());
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return read_file(path);
  std::string answer = run_capture(argv);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!ec) write_output(path, answer);
  return answer;
}

std::string field(const std::string& stanza, const std::string& name) {
  std::istringstream in(stanza);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(name + ": ", 0) == 0) return line.substr(name.size() + 2);
  return "";
}

// The inner data.tar is read straight out of the outer ar archive, never copied.
struct MemberSource {
  archive* outer;
  char block[1 << 16];
};
la_ssize_t read_member(archive*, void* source, const void** buf) {
  auto* s = static_cast<MemberSource*>(source);
  *buf = s->block;
  return archive_read_data(s->outer, s->block, sizeof s->block);
}

}  // namespace

std::vector<DebPackage> resolve_debs(const std::vector<std::string>& names) {
  if (names.empty()) return {};
  std::vector<std::string> cmd = {"apt-cache", "policy"};
  cmd.insert(cmd.end(), names.begin(), names.end());
  std::map<std::string, std::string> candidate;
  std::istringstream policy(capture(cmd));
  std::string line, current;
  while (std::getline(policy, line)) {
    if (!line.empty() && line[0] != ' ' && line.back() == ':') current = line.substr(0, line.size() - 1);
    if (auto p = line.find("Candidate: "); p != std::string::npos && !candidate.count(current))
      candidate[current] = line.substr(p + 11);
  }
  cmd = {"apt-cache", "show", "--no-all-versions"};
  for (const auto& n : names) {
    auto it = candidate.find(n);
    if (it == candidate.end() || it->second == "(none)")
      throw InputError("Debian package \"" + n + "\" has no installable version (unknown, or run apt-get update)");
    cmd.push_back(n + "=" + it->second);
  }
  std::map<std::string, std::string> sha;
  std::istringstream show(capture(cmd));
  std::string stanza;
  auto flush = [&] {
    if (!stanza.empty()) sha[field(stanza, "Package") + "=" + field(stanza, "Version")] = field(stanza, "SHA256");
    stanza.clear();
  };
  while (std::getline(show, line)) {
    if (line.empty())
      flush();
    else
      stanza += line + "\n";
  }
  flush();
  std::vector<DebPackage> out;
  for (const auto& n : names) {
    std::string key = n + "=" + candidate[n];
    if (sha[key].empty()) throw RuntimeError("apt-cache show " + key + ": no SHA256 in the index");
    out.push_back({n, candidate[n], sha[key], ""});
  }
  return out;
}

std::vector<std::string> direct_depends(const std::vector<std::string>& names) {
  if (names.empty()) return {};
  std::vector<std::string> cmd = {"apt-cache", "depends", "--important", "--no-pre-depends"};
  cmd.insert(cmd.end(), names.begin(), names.end());
  std::istringstream in(capture(cmd));
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    const std::string tag = "  Depends: ";
    if (line.rfind(tag, 0) != 0) continue;  // " |Depends:" are alternatives
    std::string dep = line.substr(tag.size());
    if (dep.empty() || dep[0] == '<') continue;  // virtual
    if (std::find(out.begin(), out.end(), dep) == out.end()) out.push_back(dep);
  }
  return out;
}

void fetch_deb(DebPackage& pkg, const std::string& cache_dir) {
  fs::create_directories(cache_dir);
  std::string ver = pkg.version;
  for (size_t p; (p = ver.find(':')) != std::string::npos;) ver.replace(p, 1, "%3a");
  std::string prefix = pkg.name + "_" + ver + "_";
  for (const auto& e : fs::directory_iterator(cache_dir)) {
    std::string f = e.path().filename().string();
    if (f.rfind(prefix, 0) == 0 && f.size() > 4 && f.substr(f.size() - 4) == ".deb") {
      if (sha256_file(e.path().string()) == pkg.sha256) {
        pkg.path = e.path().string();
        return;
      }
      fs::remove(e.path());  // damaged or stale: fetch again
    }
  }
  std::string tmpl = cache_dir + "/.dl-XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw_errno("mkdtemp in " + cache_dir);
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{tmpl};
  std::vector<std::string> cmd = {"apt-get", "download", "-q", pkg.name + "=" + pkg.version};
  // As root, apt's _apt sandbox user cannot write into a private directory.
  if (::geteuid() == 0) cmd.insert(cmd.begin() + 2, {"-o", "APT::Sandbox::User=root"});
  Fd devnull(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  SpawnOptions o;
  o.stdout_fd = devnull.get();
  o.cwd = tmpl;
  int status = Child(cmd, o).wait();
  if (status != 0) throw RuntimeError("apt-get download " + pkg.name + "=" + pkg.version + " failed");
  for (const auto& e : fs::directory_iterator(tmpl)) {
    std::string got = e.path().string();
    if (sha256_file(got) != pkg.sha256)
      throw RuntimeError(pkg.name + " " + pkg.version + ": downloaded .deb does not match the archive's SHA256");
    std::string dest = cache_dir + "/" + e.path().filename().string();
    if (::rename(got.c_str(), dest.c_str()) != 0) throw_errno("rename " + got);
    pkg.path = dest;
    return;
  }
  throw RuntimeError("apt-get download " + pkg.name + " produced no file");
}

void unpack_deb(const std::string& deb, const std::string& root, const std::function<bool(const std::string&)>& keep) {
  streams::ArchiveRead outer = streams::new_archive_read();
  archive_read_support_format_ar(outer.get());
  if (archive_read_open_filename(outer.get(), deb.c_str(), 1 << 16) != ARCHIVE_OK)
    throw RuntimeError(deb + ": " + archive_error_string(outer.get()));
  archive_entry* e;
  while (archive_read_next_header(outer.get(), &e) == ARCHIVE_OK) {
    if (std::string(archive_entry_pathname(e)).rfind("data.tar", 0) != 0) continue;
    streams::ArchiveRead inner = streams::new_archive_read();
    archive_read_support_filter_all(inner.get());
    archive_read_support_format_tar(inner.get());
    auto source = std::make_unique<MemberSource>();
    source->outer = outer.get();
    if (archive_read_open(inner.get(), source.get(), nullptr, read_member, nullptr) != ARCHIVE_OK)
      throw RuntimeError(deb + ": data.tar: " + archive_error_string(inner.get()));
    streams::ArchiveWrite disk = streams::new_archive_write_disk();
    // Paths are made absolute under ROOT here, so only ".." and symlink tricks remain
    // for libarchive to refuse.
    archive_write_disk_set_options(disk.get(), ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                                   ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_UNLINK);
    archive_entry* f;
    int rc;
    while ((rc = archive_read_next_header(inner.get(), &f)) == ARCHIVE_OK) {
      std::string path = clean_member_path(archive_entry_pathname(f), deb + ": data.tar");
      if (path.empty() || !keep(path)) continue;
      archive_entry_set_pathname(f, (root + "/" + path).c_str());
      if (const char* hl = archive_entry_hardlink(f))
        archive_entry_set_hardlink(f, (root + "/" + clean_member_path(hl, deb + ": data.tar")).c_str());
      archive_entry_set_uid(f, ::geteuid());
      archive_entry_set_gid(f, ::getegid());
      if (archive_write_header(disk.get(), f) != ARCHIVE_OK)
        throw RuntimeError(deb + ": " + path + ": " + archive_error_string(disk.get()));
      const void* buf;
      size_t size;
      la_int64_t off;
      while ((rc = archive_read_data_block(inner.get(), &buf, &size, &off)) == ARCHIVE_OK)
        if (archive_write_data_block(disk.get(), buf, size, off) != ARCHIVE_OK)
          throw RuntimeError(deb + ": " + path + ": " + archive_error_string(disk.get()));
      if (rc != ARCHIVE_EOF) throw RuntimeError(deb + ": " + path + ": " + archive_error_string(inner.get()));
      archive_write_finish_entry(disk.get());
    }
    if (rc != ARCHIVE_EOF) throw RuntimeError(deb + ": data.tar: " + archive_error_string(inner.get()));
    return;
  }
  throw RuntimeError(deb + ": no data.tar member (not a Debian package?)");
}

}  // namespace lk::pkg
