// at_least_as_strict: when a commit already on one protected ref may skip another ref's rule.
// Every requirement is varied on its own, in both directions.

#include <catch2/catch.hpp>

#include <string>

#include "policy/policy_loader.h"
#include "policy/strictness.h"

namespace {

using trailgate::at_least_as_strict;
using trailgate::parse_policy;
using trailgate::Policy;

// Two rules: refs/heads/a with `a` appended, refs/heads/b with `b` appended.
Policy two_rules(const std::string& a, const std::string& b) {
  return parse_policy(
      "[review]\nverification = \"roster\"\n"
      "[[protect]]\nrefs = [\"refs/heads/a\"]\n" +
          a + "\n" + "[[protect]]\nrefs = [\"refs/heads/b\"]\n" + b + "\n",
      "test.toml");
}

// {a as strict as b, b as strict as a}
std::pair<bool, bool> compare(const std::string& a, const std::string& b) {
  Policy p = two_rules(a, b);
  const auto& ra = p.protect.at(0);
  const auto& rb = p.protect.at(1);
  return {at_least_as_strict(ra, rb, p), at_least_as_strict(rb, ra, p)};
}

}  // namespace

TEST_CASE("equal rules are as strict as each other, and a rule as itself") {
  CHECK(compare("", "") == std::make_pair(true, true));
  Policy p = two_rules("approvals = 2", "");
  CHECK(at_least_as_strict(p.protect[0], p.protect[0], p));
}

TEST_CASE("each requirement on its own orders two rules one way only") {
  // `stricter` asks more than `laxer` in exactly one requirement.
  struct Case {
    const char* stricter;
    const char* laxer;
  };
  const Case cases[] = {
      {"approvals = 2", "approvals = 1"},
      {"min_level = \"principal\"", "min_level = \"senior\""},
      {"review_all = true", ""},
      {"require_declaration = true", ""},
      {"", "allow_delete = true"},
      {"", "allow_force_push = true"},
      {"", "break_glass = [\"alice\"]"},
      {"break_glass = [\"alice\"]", "break_glass = [\"alice\", \"bob\"]"},
      {"[[protect.sensitive]]\npaths = [\"infra/**\"]", ""},
      {"[[protect.sensitive]]\npaths = [\"infra/**\"]\napprovals = 3",
       "[[protect.sensitive]]\npaths = [\"infra/**\"]\napprovals = 2"},
      {"[[protect.sensitive]]\npaths = [\"infra/**\"]\nmin_level = \"principal\"",
       "[[protect.sensitive]]\npaths = [\"infra/**\"]"},
      {"", "[protect.mass_change]\nenabled = false"},
      {"[protect.mass_change]\ndeleted_files = 10", ""},
      {"[protect.mass_change]\ndeleted_share = 0.1", ""},
      {"[protect.mass_change]\napprovals = 3", ""},
      {"[protect.mass_change]\nmin_level = \"principal\"", ""},
      {"[protect.mass_change]\napplies_to = \"all\"", ""},
      {"", "[protect.mass_change]\nrecreated_dir_files = 0"},
      {"[protect.mass_change]\nrecreated_dir_files = 1", ""},
  };
  for (const Case& c : cases) {
    INFO("stricter: " << c.stricter << "\nlaxer: " << c.laxer);
    CHECK(compare(c.stricter, c.laxer) == std::make_pair(true, false));
  }
}

TEST_CASE("break_glass lists compare ignoring ASCII case") {
  CHECK(compare("break_glass = [\"Alice\"]", "break_glass = [\"alice\"]") ==
        std::make_pair(true, true));
}

TEST_CASE("sensitive rules over different paths are not comparable") {
  CHECK(compare("[[protect.sensitive]]\npaths = [\"infra/**\"]",
                "[[protect.sensitive]]\npaths = [\"db/**\"]") == std::make_pair(false, false));
}

TEST_CASE("a rule stricter in one requirement and laxer in another is not as strict") {
  CHECK(compare("approvals = 2\nallow_force_push = true", "") == std::make_pair(false, false));
}
