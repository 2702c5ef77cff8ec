// Tests of requirements by author level and class: [[protect.author_level]] entries and
// agent_approvals, as the loader reads them (with file:line:column errors), what
// ProtectRule::requirement_for makes of them, and how they count in at_least_as_strict.

#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "model/requirement.h"
#include "policy/policy.h"
#include "policy/policy_loader.h"
#include "policy/strictness.h"

namespace {

using trailgate::at_least_as_strict;
using trailgate::AuthorLevelRule;
using trailgate::parse_policy;
using trailgate::Policy;
using trailgate::policy_warnings;
using trailgate::PolicyDiagnostic;
using trailgate::PolicyError;
using trailgate::ProtectRule;
using trailgate::Requirement;

// The policy of the issue's item 3, exactly as written there. Line 21 is [[protect]], line 27
// [[protect.author_level]].
constexpr std::string_view kItem3 = R"([[person]]
name = "Mid One"
emails = ["mid@example.com"]
level = "mid"

[[person]]
name = "Senior One"
emails = ["senior@example.com"]
level = "senior"

[[person]]
name = "Senior Two"
emails = ["senior2@example.com"]
level = "senior"

[[person]]
name = "Principal One"
emails = ["principal@example.com"]
level = "principal"

[[protect]]
refs = ["refs/heads/main"]
approvals = 1
min_level = "senior"       # juniors' and mids' AI-assisted work: a senior signs off
agent_approvals = 2        # a commit an agent wrote on its own: two reviews

  [[protect.author_level]] # seniors and principals: one peer review is enough
  levels = ["senior", "principal"]
  min_level = "mid"
)";

// A rule's head for error tests: 3 lines, so what follows starts on line 4.
constexpr std::string_view kHead = R"([review]
verification = "roster"
[[protect]]
)";

std::vector<PolicyDiagnostic> errors_of(std::string_view text) {
  try {
    parse_policy(text, "policy.toml");
  } catch (const PolicyError& e) {
    return e.diagnostics();
  }
  return {};
}

// The only diagnostic of `text`, which must have exactly one.
PolicyDiagnostic only_error(std::string_view text) {
  std::vector<PolicyDiagnostic> errors = errors_of(text);
  INFO(text);
  REQUIRE(errors.size() == 1);
  return errors.front();
}

std::string with_head(std::string_view rest) {
  return std::string(kHead) + "refs = [\"refs/heads/main\"]\n" + std::string(rest);
}

}  // namespace

TEST_CASE("the item-3 policy loads and means what its comments say", "[policy][author-level]") {
  const Policy policy = parse_policy(kItem3, "policy.toml");
  REQUIRE(policy.protect.size() == 1);
  const ProtectRule& rule = policy.protect.front();
  CHECK(rule.approvals == 1);
  CHECK(rule.min_level == "senior");
  CHECK(rule.agent_approvals == 2);
  REQUIRE(rule.author_levels.size() == 1);
  const AuthorLevelRule& seniors = rule.author_levels.front();
  CHECK(seniors.levels == std::vector<std::string>{"senior", "principal"});
  CHECK(seniors.min_level == "mid");
  CHECK_FALSE(seniors.approvals);
  CHECK_FALSE(seniors.agent_approvals);
  CHECK(seniors.source_line == 27);

  // Every level x class. Juniors' and mids' AI-assisted work: one review by a senior. Seniors
  // and principals: one peer review (mid or above). An agent's commit: two reviews; its level
  // is the lowest, but whatever level, the agent requirement is at least two.
  struct Row {
    const char* level;
    bool agent;
    Requirement expected;
  };
  const Row rows[] = {
      {"junior", false, {1, "senior"}}, {"junior", true, {2, "senior"}},
      {"mid", false, {1, "senior"}},    {"mid", true, {2, "senior"}},
      {"senior", false, {1, "mid"}},    {"senior", true, {2, "mid"}},
      {"principal", false, {1, "mid"}}, {"principal", true, {2, "mid"}},
  };
  for (const Row& row : rows) {
    INFO(row.level << (row.agent ? " agent" : " assisted"));
    CHECK(rule.requirement_for(row.level, row.agent) == row.expected);
  }
}

TEST_CASE("ProtectRule::requirement_for", "[policy][author-level]") {
  ProtectRule rule;
  rule.approvals = 2;
  rule.min_level = "senior";

  SECTION("no entries and no agent_approvals: the rule's own, for every class") {
    for (const char* level : {"junior", "mid", "senior", "principal"}) {
      CHECK(rule.requirement_for(level, false) == Requirement{2, "senior"});
      CHECK(rule.requirement_for(level, true) == Requirement{2, "senior"});
    }
  }
  SECTION("agent_approvals below approvals never lowers the requirement") {
    rule.agent_approvals = 1;
    CHECK(rule.requirement_for("junior", true) == Requirement{2, "senior"});
  }
  SECTION("the first entry that lists the level applies; missing keys come from the rule") {
    rule.agent_approvals = 3;
    AuthorLevelRule juniors;
    juniors.levels = {"junior"};
    juniors.approvals = 4;
    AuthorLevelRule seniors;
    seniors.levels = {"senior", "principal"};
    seniors.min_level = "mid";
    seniors.agent_approvals = 1;
    AuthorLevelRule later;  // the loader refuses a second listing; the first must still win
    later.levels = {"senior"};
    later.approvals = 9;
    rule.author_levels = {juniors, seniors, later};

    CHECK(rule.requirement_for("junior", false) == Requirement{4, "senior"});
    CHECK(rule.requirement_for("junior", true) == Requirement{4, "senior"});  // max(4, 3)
    CHECK(rule.requirement_for("mid", false) == Requirement{2, "senior"});    // no entry
    CHECK(rule.requirement_for("mid", true) == Requirement{3, "senior"});
    CHECK(rule.requirement_for("senior", false) == Requirement{2, "mid"});
    CHECK(rule.requirement_for("senior", true) == Requirement{2, "mid"});  // max(2, 1)
    CHECK(rule.requirement_for("principal", true) == Requirement{2, "mid"});
    // Level names compare exactly, as the loader checks them.
    CHECK(rule.requirement_for("Senior", false) == Requirement{2, "senior"});
  }
}

TEST_CASE("[[protect.author_level]] and agent_approvals errors", "[policy][author-level]") {
  SECTION("a level listed twice in one entry") {
    PolicyDiagnostic e = only_error(
        with_head("[[protect.author_level]]\nlevels = [\"senior\", \"mid\", \"senior\"]\n"));
    CHECK(e.line == 6);
    CHECK(e.column == 28);
    CHECK_THAT(e.message, Catch::StartsWith("protect[0].author_level[0].levels[2]: \"senior\" is "
                                            "listed twice: protect[0].author_level[0].levels[0]"));
  }
  SECTION("a level listed in two entries of a rule") {
    PolicyDiagnostic e = only_error(with_head(
        "[[protect.author_level]]\nlevels = [\"mid\"]\n[[protect.author_level]]\nlevels = "
        "[\"principal\", \"mid\"]\n"));
    CHECK(e.line == 8);
    CHECK(e.column == 24);
    CHECK_THAT(e.message,
               Catch::StartsWith("protect[0].author_level[1].levels[1]: \"mid\" is listed twice: "
                                 "protect[0].author_level[0].levels[0] (line 6)"));
  }
  SECTION("the same level in two rules is fine") {
    CHECK(errors_of(with_head("[[protect.author_level]]\nlevels = [\"mid\"]\n[[protect]]\nrefs = "
                              "[\"refs/heads/dev\"]\n[[protect.author_level]]\nlevels = "
                              "[\"mid\"]\n"))
              .empty());
  }
  SECTION("an unknown level") {
    PolicyDiagnostic e =
        only_error(with_head("[[protect.author_level]]\nlevels = [\"senior\", \"staff\"]\n"));
    CHECK(e.line == 6);
    CHECK(e.column == 21);
    CHECK(e.message ==
          "protect[0].author_level[0].levels[1]: unknown level \"staff\" (levels: "
          "junior, mid, senior, principal)");
  }
  SECTION("an unknown min_level in an entry") {
    PolicyDiagnostic e = only_error(
        with_head("[[protect.author_level]]\nlevels = [\"senior\"]\nmin_level = \"lead\"\n"));
    CHECK(e.line == 7);
    CHECK(e.column == 13);
    CHECK_THAT(e.message, Catch::StartsWith("protect[0].author_level[0].min_level: unknown level"));
  }
  SECTION("levels missing") {
    PolicyDiagnostic e = only_error(with_head("[[protect.author_level]]\napprovals = 2\n"));
    CHECK(e.line == 5);
    CHECK_THAT(e.message, Catch::StartsWith("protect[0].author_level[0].levels: missing"));
  }
  SECTION("an empty levels list") {
    PolicyDiagnostic e = only_error(with_head("[[protect.author_level]]\nlevels = []\n"));
    CHECK(e.line == 6);
    CHECK(e.column == 10);
    CHECK_THAT(e.message, Catch::StartsWith("protect[0].author_level[0].levels: must list at "
                                            "least one level"));
  }
  SECTION("levels that are not strings") {
    PolicyDiagnostic e = only_error(with_head("[[protect.author_level]]\nlevels = [1]\n"));
    CHECK(e.line == 6);
  }
  SECTION("approvals below one: no level is exempt from review") {
    for (const char* key : {"approvals", "agent_approvals"}) {
      PolicyDiagnostic e = only_error(with_head(std::string("[[protect.author_level]]\nlevels = "
                                                            "[\"senior\"]\n") +
                                                key + " = 0\n"));
      CHECK(e.line == 7);
      CHECK(e.column == static_cast<int>(std::string(key).size()) + 4);
      CHECK(e.message == std::string("protect[0].author_level[0].") + key +
                             ": must be between 1 and 2147483647, got 0");
    }
  }
  SECTION("the rule's agent_approvals below one, or not an integer") {
    PolicyDiagnostic e = only_error(with_head("agent_approvals = 0\n"));
    CHECK(e.line == 5);
    CHECK(e.column == 19);
    CHECK(e.message == "protect[0].agent_approvals: must be between 1 and 2147483647, got 0");
    e = only_error(with_head("agent_approvals = \"2\"\n"));
    CHECK(e.line == 5);
    CHECK_THAT(e.message, Catch::StartsWith("protect[0].agent_approvals:"));
  }
  SECTION("an unknown key in an entry") {
    PolicyDiagnostic e = only_error(
        with_head("[[protect.author_level]]\nlevels = [\"senior\"]\nmin_levle = \"mid\"\n"));
    CHECK(e.line == 7);
    CHECK_THAT(e.message, Catch::Contains("min_levle"));
  }
  SECTION("every problem is reported in one run") {
    std::vector<PolicyDiagnostic> errors = errors_of(with_head(
        "agent_approvals = 0\n[[protect.author_level]]\nlevels = [\"x\", \"mid\", \"mid\"]\n"
        "approvals = 0\n"));
    CHECK(errors.size() == 4);
  }
  SECTION("a custom levels list") {
    CHECK(errors_of("levels = [\"a\", \"b\"]\n[review]\nverification = \"roster\"\n[[protect]]\n"
                    "refs = [\"refs/heads/main\"]\nmin_level = \"b\"\n[[protect.author_level]]\n"
                    "levels = [\"b\"]\nmin_level = \"a\"\n")
              .empty());
  }
}

TEST_CASE("at_least_as_strict compares what each author level and class needs",
          "[policy][author-level]") {
  Policy policy;
  ProtectRule item3 = parse_policy(kItem3, "policy.toml").protect.front();
  ProtectRule plain;  // 1 by senior for everyone
  plain.refs = {"refs/heads/release/*"};

  CHECK(at_least_as_strict(item3, item3, policy));
  // item3 lets seniors' commits in with a mid's review: less than "1 by senior".
  CHECK_FALSE(at_least_as_strict(item3, plain, policy));
  // plain asks one review of an agent's commit: less than item3's two.
  CHECK_FALSE(at_least_as_strict(plain, item3, policy));

  ProtectRule strict = plain;
  strict.agent_approvals = 2;
  CHECK(at_least_as_strict(strict, item3, policy));
  CHECK(at_least_as_strict(strict, plain, policy));
  CHECK_FALSE(at_least_as_strict(plain, strict, policy));

  // An entry raising one level's approvals makes the rule stricter for that level only.
  ProtectRule juniors = plain;
  AuthorLevelRule raise;
  raise.levels = {"junior"};
  raise.approvals = 2;
  juniors.author_levels = {raise};
  CHECK(at_least_as_strict(juniors, plain, policy));
  CHECK_FALSE(at_least_as_strict(plain, juniors, policy));
}

TEST_CASE("policy check warns about keyless people an author-level entry lets review",
          "[policy][author-level]") {
  // Under signature verification Mid One, whom the seniors' entry accepts, has no key.
  const std::vector<PolicyDiagnostic> warnings =
      policy_warnings(parse_policy(kItem3, "policy.toml"));
  REQUIRE(warnings.size() == 4);
  CHECK_THAT(warnings[0].message, Catch::StartsWith("person[0] (Mid One): no keys"));
  CHECK(warnings[0].line == 1);
}
