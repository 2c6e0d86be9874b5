#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "base/fs.h"
#include "streams/compress.h"
#include "streams/sparse_tar.h"

namespace {

constexpr uint64_t kMiB = 1 << 20;
constexpr uint64_t kGiB = kMiB << 10;

std::string tmp_parent() {
  const char* t = std::getenv("TMPDIR");
  return t && *t ? t : "/tmp";
}

struct Piece {
  uint64_t offset;
  std::string data;
};

// A file of SIZE bytes, all hole but the pieces.
void make_sparse(const std::string& path, uint64_t size, const std::vector<Piece>& pieces) {
  lk::Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  REQUIRE(fd);
  REQUIRE(::fchmod(fd.get(), 0644) == 0);  // GNU tar copies the mode; ours is always 0644
  REQUIRE(::ftruncate(fd.get(), static_cast<off_t>(size)) == 0);
  for (const auto& p : pieces)
    REQUIRE(::pwrite(fd.get(), p.data.data(), p.data.size(), static_cast<off_t>(p.offset)) ==
            static_cast<ssize_t>(p.data.size()));
}

void archive(const std::string& src, const std::string& tar, int64_t mtime = 0) {
  lk::Fd in(::open(src.c_str(), O_RDONLY | O_CLOEXEC));
  REQUIRE(in);
  lk::Fd out(::open(tar.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  REQUIRE(out);
  lk::streams::FdSink sink(out.get(), tar);
  lk::streams::write_sparse_tar(in.get(), "disk.raw", mtime, sink);
}

std::vector<lk::SparseRegion> regions(const std::string& path) {
  lk::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  REQUIRE(fd);
  return lk::data_regions(fd.get(), "test file");
}

struct Ran {
  int status;
  std::string out;  // stdout and stderr
};

Ran run(const std::string& cmd) {
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  REQUIRE(p);
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  int st = ::pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, std::move(out)};
}

std::string q(const std::string& s) { return "'" + s + "'"; }

// A temp dir holding src/disk.raw, ours.tar (write_sparse_tar), ref.tar (GNU tar).
struct Case {
  lk::TempDir dir{tmp_parent(), "lk-sparse-tar-test"};
  std::string src = dir.path() + "/src/disk.raw";
  std::string ours = dir.path() + "/ours.tar";
  std::string ref = dir.path() + "/ref.tar";

  Case(uint64_t size, const std::vector<Piece>& pieces) {
    REQUIRE(::mkdir((dir.path() + "/src").c_str(), 0755) == 0);
    make_sparse(src, size, pieces);
    archive(src, ours);
  }

  // GNU tar agrees on every byte: mode, owners, mtime, sparse map, data, padding.
  void check_same_as_gnu_tar() {
    Ran r = run("tar --format=oldgnu -S --mtime=@0 --owner=root:0 --group=root:0 -C " + q(dir.path() + "/src") +
                " -cf " + q(ref) + " disk.raw");
    REQUIRE_MESSAGE(r.status == 0, r.out);
    std::string a = lk::read_file(ours), b = lk::read_file(ref);
    size_t at = 0;
    while (at < a.size() && at < b.size() && a[at] == b[at]) ++at;
    CHECK_MESSAGE((a.size() == b.size() && at == a.size()),
                  "sizes " << a.size() << " and " << b.size() << ", first difference at byte " << at);
  }

  // GNU tar lists the real size and restores the file, holes and all.
  void check_extracts(uint64_t size, bool compare = true) {
    Ran r = run("tar -tvf " + q(ours));
    REQUIRE_MESSAGE(r.status == 0, r.out);
    CHECK(r.out.find(" " + std::to_string(size) + " ") != std::string::npos);
    CHECK(r.out.find(" disk.raw\n") != std::string::npos);
    std::string x = dir.path() + "/x";
    REQUIRE(::mkdir(x.c_str(), 0755) == 0);
    r = run("tar -xSf " + q(ours) + " -C " + q(x));
    REQUIRE_MESSAGE(r.status == 0, r.out);
    struct stat st {};
    REQUIRE(::stat((x + "/disk.raw").c_str(), &st) == 0);
    CHECK(static_cast<uint64_t>(st.st_size) == size);
    if (compare) {
      r = run("cmp " + q(src) + " " + q(x + "/disk.raw"));
      CHECK_MESSAGE(r.status == 0, r.out);
    }
  }
};

std::string header(const std::string& tar, size_t block = 0) { return lk::read_file(tar).substr(block * 512, 512); }

}  // namespace

TEST_CASE("sparse tar: data at the start, mid-block and the end; GNU tar reads it back") {
  const uint64_t size = 64 * kMiB;
  std::string big(3 * kMiB + 100, '\0');  // spans several read chunks
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i * 7 % 26);
  Case c(size, {{0, "hello"}, {kMiB + 5, "world"}, {8 * kMiB, big}, {size - 3, "end"}});

  auto r = regions(c.src);
  REQUIRE(r.size() == 4);
  CHECK(r[0].offset == 0);
  CHECK(r[1].offset <= kMiB + 5);
  CHECK(r[1].offset + r[1].length >= kMiB + 10);
  CHECK(r[3].offset + r[3].length == size);  // ends in data: no empty region
  for (const auto& g : r) CHECK(g.offset % 512 == 0);

  std::string h = header(c.ours);
  CHECK(h.substr(0, 9) == std::string("disk.raw\0", 9));
  CHECK(h[156] == 'S');
  CHECK(h.substr(257, 8) == std::string("ustar  \0", 8));
  CHECK(h.substr(265, 5) == std::string("root\0", 5));
  CHECK(h[482] == 1);  // GNU tar's closing (size, 0) entry is the 5th: one extension block
  std::string ext = header(c.ours, 1);
  CHECK(ext.substr(0, 24) == std::string("00400000000\0"
                                         "00000000000\0",
                                         24));
  CHECK(ext[504] == 0);
  CHECK(h.substr(483, 12) == std::string("00400000000\0", 12));  // realsize 64 MiB
  CHECK(lk::read_file(c.ours).size() % 10240 == 0);

  c.check_extracts(size);
  c.check_same_as_gnu_tar();
}

TEST_CASE("sparse tar: 30 regions need two extension blocks") {
  std::vector<Piece> pieces;
  for (uint64_t i = 0; i < 30; ++i) pieces.push_back({i * kMiB + 4096 * (i % 3), "region " + std::to_string(i)});
  Case c(30 * kMiB + 12345, pieces);  // ends in a hole at an odd size

  auto r = regions(c.src);
  REQUIRE(r.size() == 31);
  CHECK(r.back().offset == 30 * kMiB + 12345);
  CHECK(r.back().length == 0);

  CHECK(header(c.ours)[482] == 1);
  std::string ext1 = header(c.ours, 1), ext2 = header(c.ours, 2);
  CHECK(ext1[504] == 1);
  CHECK(ext2[504] == 0);
  CHECK(ext2.substr(6 * 24, 24) == std::string(24, '\0'));  // 31 = 4 + 21 + 6 entries

  c.check_extracts(30 * kMiB + 12345);
  c.check_same_as_gnu_tar();
}

TEST_CASE("sparse tar: a file that is all hole, and one ending in a hole") {
  SUBCASE("all hole") {
    Case c(16 * kMiB, {});
    auto r = regions(c.src);
    REQUIRE(r.size() == 1);
    CHECK(r[0].offset == 16 * kMiB);
    CHECK(r[0].length == 0);
    CHECK(header(c.ours).substr(124, 12) == std::string("00000000000\0", 12));  // nothing stored
    CHECK(lk::read_file(c.ours).size() == 10240);
    c.check_extracts(16 * kMiB);
    c.check_same_as_gnu_tar();
  }
  SUBCASE("ends in a hole") {
    Case c(8 * kMiB, {{0, "boot sector"}});
    auto r = regions(c.src);
    REQUIRE(r.size() == 2);
    CHECK(r[0].offset == 0);
    CHECK(r[1].offset == 8 * kMiB);
    CHECK(r[1].length == 0);
    c.check_extracts(8 * kMiB);
    c.check_same_as_gnu_tar();
  }
  SUBCASE("empty") {  // GNU tar would not call it sparse; ours still reads back
    Case c(0, {});
    auto r = regions(c.src);
    REQUIRE(r.size() == 1);
    CHECK(r[0].offset == 0);
    CHECK(r[0].length == 0);
    c.check_extracts(0);
  }
}

TEST_CASE("sparse tar: the same input gives the same bytes") {
  Case c(32 * kMiB, {{0, "a"}, {5 * kMiB, "b"}});
  std::string again = c.dir.path() + "/again.tar";
  archive(c.src, again);
  CHECK(lk::read_file(again) == lk::read_file(c.ours));
  archive(c.src, again, 1700000000);  // and only mtime changes with mtime
  std::string a = lk::read_file(again), b = lk::read_file(c.ours);
  CHECK(a.size() == b.size());
  CHECK(a.substr(512) == b.substr(512));
  CHECK(a.substr(136, 12) == std::string("14524770400\0", 12));
}

TEST_CASE("sparse tar: offsets and sizes past 8 GiB use GNU base-256") {
  const uint64_t size = 20 * kGiB + 4096;
  Case c(size, {{0, "start"}, {9 * kGiB, "nine"}, {size - 4, "end!"}});
  std::string h = header(c.ours);
  CHECK(static_cast<unsigned char>(h[483]) == 0x80);       // realsize
  CHECK(static_cast<unsigned char>(h[386 + 24]) == 0x80);  // second region's offset
  c.check_same_as_gnu_tar();
  c.check_extracts(size, false);  // cmp would read 20 GiB of zeros; spot-check instead
  lk::Fd x(::open((c.dir.path() + "/x/disk.raw").c_str(), O_RDONLY | O_CLOEXEC));
  REQUIRE(x);
  char buf[5] = {};
  REQUIRE(::pread(x.get(), buf, 4, static_cast<off_t>(9 * kGiB)) == 4);
  CHECK(std::string(buf) == "nine");
  REQUIRE(::pread(x.get(), buf, 4, static_cast<off_t>(size - 4)) == 4);
  CHECK(std::string(buf) == "end!");
}

TEST_CASE("sparse tar: bad input") {
  lk::TempDir dir(tmp_parent(), "lk-sparse-tar-test");
  std::string src = dir.path() + "/f";
  make_sparse(src, 4096, {{0, "x"}});
  lk::Fd in(::open(src.c_str(), O_RDONLY | O_CLOEXEC));
  REQUIRE(in);
  lk::Fd out(::open((dir.path() + "/o.tar").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  REQUIRE(out);
  lk::streams::FdSink sink(out.get(), "o.tar");
  CHECK_THROWS_AS(lk::streams::write_sparse_tar(in.get(), std::string(100, 'n'), 0, sink), lk::InputError);
  CHECK_THROWS_AS(lk::streams::write_sparse_tar(in.get(), "", 0, sink), lk::InputError);
  CHECK_THROWS_AS(lk::streams::write_sparse_tar(in.get(), "disk.raw", -1, sink), lk::InputError);
  int p[2];
  REQUIRE(::pipe(p) == 0);
  lk::Fd r(p[0]), w(p[1]);
  CHECK_THROWS_AS(lk::streams::write_sparse_tar(r.get(), "disk.raw", 0, sink), lk::InputError);
  CHECK_THROWS_AS(lk::data_regions(r.get(), "pipe"), lk::InputError);
}
