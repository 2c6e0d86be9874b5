#include <doctest/doctest.h>

#include "base/error.h"
#include "spec/container_id.h"

using namespace std::string_literals;

TEST_CASE("a container id is runc's: letters, digits, _ + - ., not . or ..") {
  for (const char* good : {"getty", "sshd-1", "a.b", "A_b+c", "..a", "a..", "...", "0"})
    CHECK(lk::spec::is_container_id(good));
  for (std::string bad :
       {""s, "."s, ".."s, "a/b"s, "../x"s, "/abs"s, "a b"s, "a:b"s, "get\0ty"s, "a\tb"s, "caf\xc3\xa9"s, "a\\b"s})
    CHECK_FALSE(lk::spec::is_container_id(bad));
  CHECK(lk::spec::is_container_id(std::string(250, 'a')));
  CHECK_FALSE(lk::spec::is_container_id(std::string(251, 'a')));
}

TEST_CASE("the refusal names the character and says why the rule exists") {
  CHECK(lk::spec::container_id_problem("web", "container name") == "");
  auto msg = lk::spec::container_id_problem("get\0ty"s, "container name");
  CHECK(msg.rfind("container name \"get\\x00ty\" has the character \"\\x00\"; it must be a runc container id", 0) == 0);
  CHECK(msg.find("it names a folder under /containers and a container's runc id") != std::string::npos);
  CHECK(lk::spec::container_id_problem("..", "volume name").rfind("volume name \"..\" means the parent folder;", 0) ==
        0);
  CHECK(lk::spec::container_id_problem("", "x").rfind("x \"\" is empty;", 0) == 0);
}

TEST_CASE("require_container_id throws an InputError at the place it is given") {
  CHECK_NOTHROW(lk::spec::require_container_id("sshd", "container name", "lock.json: services[0].name"));
  CHECK_THROWS_AS(lk::spec::require_container_id("../x", "container name", "w"), lk::InputError);
  CHECK_THROWS_WITH(lk::spec::require_container_id("a/b", "container name", "lock.json: services[2].name"),
                    doctest::Contains("lock.json: services[2].name: container name \"a/b\" has the character \"/\""));
}
