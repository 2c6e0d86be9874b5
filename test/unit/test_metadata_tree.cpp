// pkg/metadata's config folder and the JSON user-data tree: LinuxKit's own cases, and
// hostile documents that must never write outside the folder.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "base/fs.h"
#include "metadata/config_dir.h"
#include "metadata/user_data.h"
#include "metadata/write.h"

using namespace lk::metadata;

namespace {

mode_t mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

// The plan, then its steps carried out in a fresh folder.
struct Applied {
  lk::TempDir tmp{lk::temp_root(), "lk-meta-test"};
  std::string root = tmp.path() + "/config";
  TreePlan plan;
  std::vector<std::string> failed;
  explicit Applied(std::string_view json) : plan(plan_tree(json)) {
    ConfigDir dir(root);
    failed = apply_tree(plan, dir);
  }
  std::string file(const std::string& rel) const { return lk::read_file(root + "/" + rel); }
};

}  // namespace

TEST_CASE("metadata tree: LinuxKit's sample config") {
  Applied a(R"({
    "ssh": {"entries": {"sshd_config": {"perm": "0600", "content": "PermitRootLogin yes\nPasswordAuthentication no"}}},
    "foo": {"entries": {"bar": {"content": "foobar"}, "baz": {"perm": "0600", "content": "bar"}}}
  })");
  CHECK(a.plan.is_tree);
  CHECK(a.plan.notes.empty());
  CHECK(a.failed.empty());
  CHECK(a.file("ssh/sshd_config") == "PermitRootLogin yes\nPasswordAuthentication no");
  CHECK(mode_of(a.root + "/ssh/sshd_config") == 0600);
  CHECK(a.file("foo/bar") == "foobar");
  CHECK(mode_of(a.root + "/foo/bar") == 0644);
  CHECK(mode_of(a.root + "/foo") == 0755);
  CHECK(a.file("foo/baz") == "bar");
}

TEST_CASE("metadata tree: single, empty and deep entries; permissions exactly as asked") {
  Applied a(R"({"hostname": {"content": "foobar"}, "empty": {"content": ""}, "nothing": {"entries": {}},
               "restricted": {"perm": "0700", "entries": {"password": {"perm": "0600", "content": "secret"}}},
               "open": {"perm": "0666", "content": "x"},
               "level1": {"entries": {"level2": {"entries": {"file2": {"content": "depth2"},
                          "level3": {"entries": {"file3": {"content": "depth3"}}}}}}}})");
  CHECK(a.failed.empty());
  CHECK(a.file("hostname") == "foobar");
  CHECK(a.file("empty") == "");
  CHECK(lk::list_dir(a.root + "/nothing").empty());
  CHECK(mode_of(a.root + "/restricted") == 0700);
  CHECK(mode_of(a.root + "/restricted/password") == 0600);
  CHECK(mode_of(a.root + "/open") == 0666);  // not narrowed by the umask
  CHECK(a.file("level1/level2/level3/file3") == "depth3");
  CHECK(a.file("level1/level2/file2") == "depth2");
}

TEST_CASE("metadata tree: user-data that is not a tree is only user-data") {
  for (const char* text : {"#!/bin/sh\necho hi\n", "#cloud-config\nusers: []\n", "[1, 2]", "\"a string\"", "42",
                           "{\"a\": {\"content\": \"x\"}} trailing", ""}) {
    CAPTURE(text);
    TreePlan p = plan_tree(text);
    CHECK_FALSE(p.is_tree);
    CHECK(p.steps.empty());
    CHECK(p.notes.size() == 1);
  }
  TreePlan null_doc = plan_tree("null");
  CHECK(null_doc.is_tree);  // Go decodes null into an empty map
  CHECK(null_doc.steps.empty());
}

TEST_CASE("metadata tree: one wrong type anywhere leaves the whole tree unwritten, as Go's decoder does") {
  for (const char* text :
       {R"({"ok": {"content": "x"}, "bad": {"perm": 644, "content": "x"}})",
        R"({"ok": {"content": "x"}, "bad": {"content": 5}})", R"({"ok": {"content": "x"}, "bad": "just a string"})",
        R"({"ok": {"content": "x"}, "d": {"entries": {"deep": {"content": ["x"]}}}})",
        R"({"ok": {"content": "x"}, "d": {"entries": []}})"}) {
    CAPTURE(text);
    TreePlan p = plan_tree(text);
    CHECK_FALSE(p.is_tree);
    CHECK(p.steps.empty());
    REQUIRE(p.notes.size() == 1);
    CHECK(p.notes[0].find("not a file tree") != std::string::npos);
  }
}

TEST_CASE("metadata tree: a bad entry is left out alone, the rest is written") {
  TreePlan p = plan_tree(R"({"both": {"content": "x", "entries": {}}, "neither": {"perm": "0600"},
                             "null": null, "badperm": {"perm": "0x1FF", "content": "x"},
                             "setuid": {"perm": "4755", "content": "x"}, "Caps": {"Content": "case", "PERM": "0600"},
                             "good": {"content": "y"}})");
  CHECK(p.is_tree);
  REQUIRE(p.steps.size() == 3);
  CHECK(p.steps[0].path == std::vector<std::string>{"Caps"});  // field names match regardless of case
  CHECK(p.steps[0].content == "case");
  CHECK(p.steps[0].mode == 0600);
  CHECK(p.steps[1].path == std::vector<std::string>{"good"});
  CHECK(p.steps[2].path == std::vector<std::string>{"setuid"});
  CHECK(p.steps[2].mode == 0755);  // only the rwx bits, as LinuxKit's Go code keeps
  CHECK(p.notes.size() == 5);      // both, neither, null, badperm, and setuid's dropped bits
}

TEST_CASE("metadata tree: hostile names never leave the folder") {
  Applied a(R"({"..": {"entries": {"escaped": {"content": "x"}}},
               "../../etc/passwd": {"content": "root::0:0::/:/bin/sh"},
               "a/b": {"content": "x"}, "": {"content": "x"}, ".": {"entries": {"x": {"content": "x"}}},
               "d": {"entries": {"..": {"content": "up"}, "/abs": {"content": "x"}, "fine": {"content": "ok"}}}})");
  CHECK(a.failed.empty());
  REQUIRE(a.plan.steps.size() == 2);  // d and d/fine
  CHECK(a.plan.notes.size() == 7);
  CHECK(a.file("d/fine") == "ok");
  CHECK(lk::list_dir(a.tmp.path()).size() == 1);  // only "config": nothing beside it
  auto names = lk::list_dir(a.root);
  REQUIRE(names.size() == 1);
  CHECK(names[0].name == "d");
}

TEST_CASE("metadata tree: symlinks already in the folder are replaced or refused, never followed") {
  lk::TempDir tmp(lk::temp_root(), "lk-meta-test");
  const std::string root = tmp.path() + "/config", outside = tmp.path() + "/outside";
  ConfigDir dir(root);
  REQUIRE(::mkdir(outside.c_str(), 0755) == 0);
  REQUIRE(::symlink(outside.c_str(), (root + "/link").c_str()) == 0);
  REQUIRE(::symlink((outside + "/target").c_str(), (root + "/file").c_str()) == 0);
  TreePlan p = plan_tree(R"({"link": {"entries": {"x": {"content": "through the link"}}},
                             "file": {"content": "replaces the link"}})");
  auto failed = apply_tree(p, dir);
  CHECK(failed.size() == 1);  // "link" is not a folder: refused, and so is what it would hold
  CHECK(lk::list_dir(outside).empty());
  CHECK(lk::read_file(root + "/file") == "replaces the link");
  struct stat st {};
  REQUIRE(::lstat((root + "/file").c_str(), &st) == 0);
  CHECK(S_ISREG(st.st_mode));
  CHECK_THROWS_AS(dir.write(rel_path("link/y"), "x", 0644), lk::RuntimeError);
  CHECK(lk::list_dir(outside).empty());
}

TEST_CASE("metadata tree: depth is bounded") {
  std::string doc;
  for (int i = 0; i < kMaxTreeDepth + 5; ++i) doc += R"({"d": {"entries": )";
  doc += "{}";
  for (int i = 0; i < kMaxTreeDepth + 5; ++i) doc += "}}";
  TreePlan p = plan_tree(doc);
  CHECK(p.is_tree);
  CHECK(p.steps.size() == static_cast<size_t>(kMaxTreeDepth - 1));
  CHECK(p.notes.size() == 1);
}

TEST_CASE("metadata: rel_path and safe names") {
  CHECK(rel_path("ssh/authorized_keys") == std::vector<std::string>{"ssh", "authorized_keys"});
  CHECK_THROWS_AS(rel_path("../x"), lk::InputError);
  CHECK_THROWS_AS(rel_path("a//b"), lk::InputError);
  CHECK_THROWS_AS(rel_path("/abs"), lk::InputError);
  CHECK(safe_name("authorized_keys"));
  CHECK_FALSE(safe_name(std::string(256, 'a')));
  CHECK_FALSE(safe_name(std::string("a\0b", 3)));
}

TEST_CASE("metadata write: LinuxKit's order, the tree replacing a provider's file") {
  lk::TempDir tmp(lk::temp_root(), "lk-meta-test");
  ConfigDir dir(tmp.path() + "/config");
  Found f;
  f.provider = "GCP";
  f.files = {{"hostname", "vm.c.proj.internal", 0644}, {"ssh/authorized_keys", "ssh-ed25519 AAAA one\n", 0600}};
  f.user_data = R"({"ssh": {"entries": {"authorized_keys": {"perm": "0600", "content": "ssh-ed25519 BBBB two\n"}}}})";
  Written w = write_found(f, dir);
  CHECK(w.notes.empty());
  CHECK(w.files ==
        std::vector<std::string>{"hostname", "ssh/authorized_keys", "provider", "userdata", "ssh/authorized_keys"});
  const std::string root = tmp.path() + "/config";
  CHECK(lk::read_file(root + "/provider") == "GCP");
  CHECK(lk::read_file(root + "/userdata") == *f.user_data);
  CHECK(lk::read_file(root + "/ssh/authorized_keys") == "ssh-ed25519 BBBB two\n");
  CHECK(mode_of(root + "/ssh") == 0755);
  CHECK(mode_of(root + "/ssh/authorized_keys") == 0600);
  CHECK(mode_of(root + "/userdata") == 0644);
}

TEST_CASE("metadata: the host name to set") {
  CHECK(hostname_for("web-1\n") == "web-1");
  CHECK(hostname_for("  vm.c.project.internal  ") == "vm.c.project.internal");
  std::string fqdn = std::string(40, 'a') + ".c." + std::string(40, 'p') + ".internal";
  CHECK(hostname_for(fqdn) == std::string(40, 'a'));  // over 64 bytes: its first label
  CHECK(hostname_for("") == "");
  CHECK(hostname_for("\x1b[31mred\n") == "");
  CHECK(hostname_for(std::string(70, 'a')) == "");
}
