#include "streams/segments.h"

#include <fcntl.h>
#include <libdeflate.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>

#include "base/error.h"
#include "base/sha256.h"
#include "base/tool_main.h"

namespace lk::streams {

using nlohmann::json;

namespace {

// Bumped whenever what lk-rootfs writes for an image, or how lk-initrd turns a
// segment into cpio, changes: a stored segment of the old layout is then never found.
constexpr int kLayout = 1;
constexpr const char* kIndexSchema = "lk.initrd-segment/v1";

bool is_key(const std::string& k) {
  if (k.size() != 64) return false;
  for (char c : k)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Fd open_part(const TempDir& dir, const char* name) {
  std::string path = dir.path() + "/" + name;
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd) throw_errno("segment cache: create " + path);
  return fd;
}

std::string temp_prefix(const std::string& key) { return ".tmp-" + key.substr(0, 16); }

// The store's folder, made if need be, without what killed writers of KEY left.
const std::string& prepared(const SegmentStore& store, const std::string& key) {
  std::filesystem::create_directories(store.dir());
  remove_stale_temps(store.dir(), temp_prefix(key) + "-");
  return store.dir();
}

}  // namespace

std::string mark_text(const SegmentMark& m) {
  json j;
  switch (m.kind) {
    case SegmentMark::kBegin: j = {{"begin", m.key}, {"prefix", m.prefix}}; break;
    case SegmentMark::kEnd: j = {{"end", m.key}}; break;
    case SegmentMark::kCached: j = {{"cached", m.key}, {"prefix", m.prefix}, {"codec", m.codec}}; break;
    case SegmentMark::kCodec: j = {{"codec", m.codec}}; break;
  }
  return j.dump();
}

SegmentMark parse_mark(const std::string& text, const std::string& where) {
  auto bad = [&](const std::string& why) { return RuntimeError(where + ": segment mark " + text + ": " + why); };
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) throw bad("not a JSON object");
  SegmentMark m;
  auto str = [&](const char* field) {
    if (!j.contains(field) || !j[field].is_string()) throw bad(std::string("no \"") + field + "\" string");
    return j[field].get<std::string>();
  };
  if (j.contains("begin")) {
    m.kind = SegmentMark::kBegin;
    m.key = str("begin");
  } else if (j.contains("end")) {
    m.kind = SegmentMark::kEnd;
    m.key = str("end");
  } else if (j.contains("cached")) {
    m.kind = SegmentMark::kCached;
    m.key = str("cached");
    m.codec = str("codec");
  } else if (j.contains("codec")) {
    m.kind = SegmentMark::kCodec;
    m.codec = str("codec");
    try {
      parse_codec_id(m.codec);
    } catch (const InputError& e) {
      throw bad(e.what());
    }
    return m;
  } else {
    throw bad("neither begin, end, cached nor codec");
  }
  if (!is_key(m.key)) throw bad("the key is not 64 hex digits");
  if (m.kind != SegmentMark::kEnd) {
    m.prefix = str("prefix");
    if (!m.prefix.empty() && m.prefix.back() != '/') throw bad("the prefix does not end in /");
  }
  return m;
}

std::string segment_key(const json& identity) {
  json all = {{"lk", kVersion}, {"layout", kLayout}, {"segment", identity}};
  return sha256_hex(all.dump());
}

std::string SegmentStore::folder(const std::string& key, const std::string& codec) const {
  return dir_ + "/" + key + "." + codec;
}

std::string SegmentStore::kernel_codec_note(const std::string& digest) const {
  return dir_ + "/kernel-" + digest.substr(digest.find(':') + 1) + ".codec";
}

std::optional<StoredSegment> SegmentStore::find(const std::string& key, const std::string& codec) const {
  StoredSegment s;
  s.dir = folder(key, codec);
  std::string text = read_or_empty(s.dir + "/index.json");
  if (text.empty()) return std::nullopt;
  const std::string where = "segment cache: " + s.dir + "/index.json";
  try {
    json j = json::parse(text);
    if (j.at("schema").get<std::string>() != kIndexSchema) throw RuntimeError("unknown schema");
    for (const auto& p : j.at("paths")) s.paths.emplace_back(p.at(0).get<std::string>(), p.at(1).get<int>());
    s.dirs = j.at("dirs").get<std::vector<std::string>>();
    s.entries = j.at("entries").get<uint64_t>();
    s.run.length = j.at("length").get<uint64_t>();
    s.run.crc = j.at("crc").get<uint32_t>();
    s.run_size = j.at("run_size").get<uint64_t>();
    s.run_check = j.at("run_check").get<uint32_t>();
    s.kernel = j.at("kernel").get<bool>();
    s.ucode = j.at("ucode").get<bool>();
    s.cmdline = j.at("cmdline").get<std::string>();
  } catch (const json::exception& e) {
    throw RuntimeError(where + ": " + e.what() + " (remove the folder to rebuild the segment)");
  }
  return s;
}

void SegmentStore::copy_run(const StoredSegment& s, ByteSink& out) {
  const std::string path = s.dir + "/run";
  uint64_t got = 0;
  uint32_t crc = 0;
  read_chunks(path, [&](const char* data, size_t n) {
    crc = libdeflate_crc32(crc, data, n);
    got += n;
    if (got <= s.run_size) out.write(data, n);
  });
  if (got != s.run_size || crc != s.run_check) {
    // Removed, so that the next build compresses the segment afresh.
    std::error_code ec;
    std::filesystem::remove_all(s.dir, ec);
    throw RuntimeError("segment cache: " + path + " does not match its index (damaged?); removed it: build again");
  }
}

void SegmentStore::copy_part(const StoredSegment& s, const char* part, ByteSink& out) {
  read_chunks(s.dir + "/" + part, [&](const char* data, size_t n) { out.write(data, n); });
}

void SegmentStore::Writer::Checked::write(const void* data, size_t len) {
  written_ += len;
  crc_ = libdeflate_crc32(crc_, data, len);
  next_.write(data, len);
}

SegmentStore::Writer::Writer(const SegmentStore& store, const std::string& key, const std::string& codec)
    : final_(store.folder(key, codec)),
      tmp_(prepared(store, key), temp_prefix(key)),
      kernel_fd_(open_part(tmp_, "kernel")),
      ucode_fd_(open_part(tmp_, "ucode")),
      run_fd_(open_part(tmp_, "run")),
      kernel_(kernel_fd_.get(), "segment cache: kernel"),
      ucode_(ucode_fd_.get(), "segment cache: ucode"),
      run_file_(run_fd_.get(), "segment cache: run"),
      run_(run_file_) {}

void SegmentStore::Writer::commit(StoredSegment s) {
  kernel_.finish();
  ucode_.finish();
  run_.finish();
  json paths = json::array();
  for (const auto& [p, t] : s.paths) paths.push_back({p, t});
  json j = {{"schema", kIndexSchema},   {"entries", s.entries}, {"length", s.run.length},
            {"crc", s.run.crc},         {"run_size", run_.written()}, {"run_check", run_.crc()},
            {"kernel", s.kernel},       {"ucode", s.ucode},     {"cmdline", s.cmdline},
            {"dirs", s.dirs},           {"paths", paths}};
  {
    AtomicFile index(tmp_.path() + "/index.json");
    index.write(j.dump());
    index.commit();
  }
  for (const Fd* fd : {&kernel_fd_, &ucode_fd_, &run_fd_})
    if (::fsync(fd->get()) != 0) throw_errno("segment cache: fsync");
  // Another build may have stored the same segment meanwhile: its copy is as good.
  if (::rename(tmp_.path().c_str(), final_.c_str()) != 0 && errno != EEXIST && errno != ENOTEMPTY)
    throw_errno("segment cache: rename into " + final_);
}

}  // namespace lk::streams
