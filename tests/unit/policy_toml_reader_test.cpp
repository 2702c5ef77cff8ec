// Tests of the TOML layer under the policy loader on its own: the typed getters record a
// problem and go on, messages name the key's path, unknown keys get a close spelling, and the
// diagnostics come out in file order whatever order they were found in. The policy's sections
// are tested through parse_policy in policy_test.

#include <catch2/catch.hpp>

#include <toml++/toml.h>

#include <string>
#include <string_view>
#include <vector>

#include "policy/policy_loader.h"
#include "policy/toml_reader.h"

namespace {

using trailgate::PolicyDiagnostic;
using trailgate::policy_load::TomlReader;

toml::table parse(std::string_view text) {
  return toml::parse(text, std::string_view("p.toml"));
}

std::vector<std::string> rendered(TomlReader& reader) {
  std::vector<std::string> out;
  for (const PolicyDiagnostic& d : reader.take())
    out.push_back(d.to_string());
  return out;
}

}  // namespace

TEST_CASE("policy::TomlReader getters", "[policy][toml]") {
  const toml::table root = parse(
      "n = 3\n"
      "s = \"x\"\n"
      "quoted = \"7\"\n"
      "empty = \"\"\n"
      "list = [\"a\", 2, \"c\"]\n"
      "when = 2026-01-02T03:04:05\n"
      "[t]\n"
      "b = true\n");
  TomlReader reader("p.toml");

  SECTION("a value of the right type is returned, an absent one is no error") {
    CHECK(reader.integer(root, "n", "", 1) == 3);
    CHECK(reader.string(root, "s", "")->value == "x");
    CHECK_FALSE(reader.string(root, "absent", ""));
    REQUIRE(reader.table(root, "t", "") != nullptr);
    CHECK(reader.boolean(*reader.table(root, "t", ""), "b", "t") == true);
    CHECK(reader.ok());
  }
  SECTION("a wrong type is recorded at the value, with the key's path") {
    CHECK_FALSE(reader.integer(root, "quoted", "", 0));
    CHECK_FALSE(reader.nonempty_string(root, "empty", ""));
    CHECK_FALSE(reader.integer(root, "n", "", 5));
    CHECK(rendered(reader) ==
          std::vector<std::string>{
              "p.toml:1:5: n: must be between 5 and 2147483647, got 3",
              "p.toml:3:10: quoted: expected an integer, got a string \"7\"; write the value "
              "without quotes",
              "p.toml:4:9: empty: must not be empty",
          });
  }
  SECTION("every non-string element of a list is reported, and the list is not returned") {
    CHECK_FALSE(reader.strings(root, "list", "t"));
    CHECK(rendered(reader) ==
          std::vector<std::string>{"p.toml:5:14: t.list[1]: expected a string, got an integer"});
  }
  SECTION("a date-time without an offset is refused") {
    CHECK_FALSE(reader.instant(root, "when", ""));
    REQUIRE_FALSE(reader.ok());
    CHECK(reader.take().front().message.starts_with("when: a date-time needs an offset"));
  }
  SECTION("a missing key is reported at its table") {
    reader.missing(*reader.table(root, "t", ""), "t", "refs", "list them");
    CHECK(rendered(reader) == std::vector<std::string>{"p.toml:7:1: t.refs: missing; list them"});
  }
}

TEST_CASE("policy::TomlReader unknown keys", "[policy][toml]") {
  const toml::table root = parse("aprovals = 1\nzzz = 2\n\"a b\" = 3\n");
  TomlReader reader("p.toml");
  constexpr std::string_view kAllowed[] = {"approvals", "refs"};
  reader.reject_unknown_keys(root, "protect[0]", kAllowed);
  CHECK(rendered(reader) ==
        std::vector<std::string>{
            "p.toml:1:1: protect[0].aprovals: unknown key; did you mean \"approvals\"? (allowed "
            "here: approvals, refs)",
            "p.toml:2:1: protect[0].zzz: unknown key (allowed here: approvals, refs)",
            "p.toml:3:1: protect[0].\"a b\": unknown key (allowed here: approvals, refs)",
        });
}

TEST_CASE("policy::TomlReader::take sorts by position and keeps ties in order", "[policy][toml]") {
  const toml::table root = parse("a = 1\nb = 2\n");
  TomlReader reader("p.toml");
  reader.error(root.get("b")->source(), "b", "second line");
  reader.error(root.get("a")->source(), "a", "first, found first");
  reader.error(root.get("a")->source(), "a", "first, found second");
  CHECK(rendered(reader) == std::vector<std::string>{"p.toml:1:5: a: first, found first",
                                                     "p.toml:1:5: a: first, found second",
                                                     "p.toml:2:5: b: second line"});
  CHECK(reader.ok());
}

TEST_CASE("policy::quoted escapes and shortens what it echoes", "[policy][toml]") {
  using trailgate::policy_load::quoted;
  CHECK(quoted("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(quoted("bell\a") == "\"bell\\u0007\"");
  const std::string long_text = std::string(119, 'x') + "\xC3\xA9" + "tail";
  CHECK(quoted(long_text) == "\"" + std::string(119, 'x') + "\"...");
}
