// End-to-end attacks of issue 12, class 2: which rule judges a commit. A commit already
// reachable from some protected ref used to be exempt from every rule, whatever that ref's rule
// was: a lax rule (or break-glass) let a commit in, and a stricter ref then took it unjudged.
// The fixed hook exempts a commit from a ref's rule only when it was already reachable from
// that ref, or from a ref whose rule is at least as strict in every requirement, and never
// because break-glass let it in. Each attack is its own TEST_CASE; the non-regression cases
// pass on the baseline too.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "support/fixtures.h"
#include "support/temp_repo.h"

using trailgate::testing::ident;
using trailgate::testing::kClaudeTrailer;
using trailgate::testing::kJuniorOne;
using trailgate::testing::kMidOne;
using trailgate::testing::kPrincipalOne;
using trailgate::testing::kRosterReview;
using trailgate::testing::kSeniorOne;
using trailgate::testing::kSeniorTwo;
using trailgate::testing::people_toml;
using trailgate::testing::ProcessResult;
using trailgate::testing::reviewed_by;
using trailgate::testing::run;
using trailgate::testing::TempRepo;

namespace {

using Env = std::map<std::string, std::string>;

const std::string kJunior = ident(kJuniorOne);
const std::string kAi = "\n\n" + kClaudeTrailer + "\n";
const std::string kMidReview = reviewed_by(kMidOne) + "\n";
const std::string kSeniorReview = reviewed_by(kSeniorOne) + "\n";
const std::string kTwoSeniors = kSeniorReview + reviewed_by(kSeniorTwo) + "\n";

const std::string kRoster = kRosterReview + people_toml({kSeniorOne.with_usernames({"alice"}),
                                                         kSeniorTwo, kMidOne, kPrincipalOne});

std::string server_rev(const TempRepo& repo, const std::string& ref) {
  ProcessResult r = run({"git", "rev-parse", "--verify", "-q", ref}, repo.server());
  return r.exit_code == 0 ? r.out.substr(0, r.out.find('\n')) : "";
}

// git push [-o OPTION] origin REFSPEC as a pusher the host names through `env`.
ProcessResult push_as(TempRepo& repo, const std::string& refspec, const Env& env,
                      const std::vector<std::string>& options = {}) {
  std::vector<std::string> argv = {"git", "push"};
  for (const auto& o : options) {
    argv.push_back("-o");
    argv.push_back(o);
  }
  argv.push_back("origin");
  argv.push_back(refspec);
  return run(argv, repo.clone(), "", env);
}

void require_rejected_for(const ProcessResult& r, const std::string& ref,
                          const std::string& subject) {
  INFO(r.err);
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.err, Catch::Contains("(entering " + ref + ")"));
  CHECK_THAT(r.err, Catch::Contains("\"" + subject + "\""));
}

// ---- Break-glass on one ref is not protection for another ------------------------------------

const std::string kBreakGlassRules = R"(
[[protect]]
refs = ["refs/heads/main"]
break_glass = ["alice"]

[[protect]]
refs = ["refs/heads/release/*"]
break_glass = ["ops"]

[[protect]]
refs = ["refs/tags/v*"]
)";

struct BreakGlassServer {
  TempRepo repo{std::string(kRoster) + kBreakGlassRules};
  BreakGlassServer() {
    repo.server_git({"config", "receive.advertisePushOptions", "true"});
    repo.server_git({"update-ref", "refs/heads/release/1.0", "refs/heads/main"});
    repo.git({"fetch", "-q", "origin"});
    repo.commit("Hotfix" + kAi, kJunior);
    ProcessResult r = push_as(repo, "HEAD:refs/heads/main", {{"REMOTE_USER", "alice"}},
                              {"trailgate.break-glass=db down, INC-7"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE_THAT(r.err, Catch::Contains("break-glass"));
  }
};

}  // namespace

TEST_CASE("attack: break glass on main, then the same commit to release/1.0 without the option",
          "[e2e][attack][rules]") {
  BreakGlassServer s;
  std::string before = server_rev(s.repo, "refs/heads/release/1.0");
  ProcessResult r = push_as(s.repo, "HEAD:refs/heads/release/1.0", {{"REMOTE_USER", "alice"}});
  require_rejected_for(r, "refs/heads/release/1.0", "Hotfix");
  CHECK_THAT(r.err, Catch::Contains("ai-review-required"));
  CHECK(server_rev(s.repo, "refs/heads/release/1.0") == before);
}

TEST_CASE("attack: break glass on main, then a new release branch created at that commit",
          "[e2e][attack][rules]") {
  BreakGlassServer s;
  ProcessResult r = push_as(s.repo, "HEAD:refs/heads/release/2.0", {{"REMOTE_USER", "alice"}});
  require_rejected_for(r, "refs/heads/release/2.0", "Hotfix");
  CHECK(server_rev(s.repo, "refs/heads/release/2.0").empty());
}

TEST_CASE("attack: break glass on main, then a protected tag on that commit",
          "[e2e][attack][rules]") {
  BreakGlassServer s;
  s.repo.git({"tag", "v1.0"});
  ProcessResult r = push_as(s.repo, "refs/tags/v1.0", {{"REMOTE_USER", "bob"}});
  require_rejected_for(r, "refs/tags/v1.0", "Hotfix");
  CHECK(server_rev(s.repo, "refs/tags/v1.0").empty());
}

// ---- A lax rule's commits taken by a stricter ref --------------------------------------------

namespace {

const std::string kLaxRules = R"(
[[protect]]
refs = ["refs/heads/main", "refs/heads/release/*"]
approvals = 2
min_level = "senior"

[[protect]]
refs = ["refs/heads/stable/*"]
approvals = 2
min_level = "senior"

[[protect]]
refs = ["refs/heads/dev/*"]
approvals = 1
min_level = "mid"
)";

// A server whose dev/x holds an AI commit with one mid-level review: enough for dev/*, not for
// main.
struct LaxServer {
  TempRepo repo{std::string(kRoster) + kLaxRules};
  std::string main_before;
  LaxServer() {
    main_before = server_rev(repo, "refs/heads/main");
    repo.branch("dev/x");
    repo.commit("Lax change" + kAi + kMidReview, kJunior);
    ProcessResult r = repo.push("HEAD:refs/heads/dev/x");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
};

}  // namespace

TEST_CASE("attack: AI commit with one mid review on lax dev/x, then main fast-forwarded to it",
          "[e2e][attack][rules]") {
  LaxServer s;
  ProcessResult r = s.repo.push("HEAD:refs/heads/main");
  require_rejected_for(r, "refs/heads/main", "Lax change");
  CHECK_THAT(r.err, Catch::Contains("ai-review-required"));
  CHECK_THAT(r.err, Catch::Contains("needs 2 verified reviews by senior or above"));
  CHECK(server_rev(s.repo, "refs/heads/main") == s.main_before);
}

TEST_CASE("non-regression: one push moves lax dev/y and main to the same AI commit",
          "[e2e][attack][rules]") {
  // Guards the once-per-rule sharing inside a push (the old hook never shared, so this passed
  // there too): a ref judged earlier exempts commits for a later one only under a rule at least
  // as strict, so dev/y, listed first and passing its lax rule, must not let main skip its own.
  TempRepo repo(std::string(kRoster) + kLaxRules);
  const std::string main_before = server_rev(repo, "refs/heads/main");
  repo.commit("Lax change" + kAi + kMidReview, kJunior);
  ProcessResult r = repo.push("HEAD:refs/heads/main", {"HEAD:refs/heads/dev/y"});
  require_rejected_for(r, "refs/heads/main", "Lax change");
  CHECK_THAT(r.err, Catch::Contains("needs 2 verified reviews by senior or above"));
  CHECK(server_rev(repo, "refs/heads/main") == main_before);
}

TEST_CASE("attack: a merge commit brings lax dev/x's commits into main", "[e2e][attack][rules]") {
  LaxServer s;
  s.repo.git({"checkout", "-q", "-B", "main", "origin/main"});
  s.repo.commit("Human work on main\n", "Senior One <senior@example.com>");
  s.repo.git({"merge", "-q", "--no-ff", "-m", "Merge dev/x", "dev/x"});
  ProcessResult r = s.repo.push("HEAD:refs/heads/main");
  require_rejected_for(r, "refs/heads/main", "Lax change");
  CHECK(server_rev(s.repo, "refs/heads/main") == s.main_before);
}

TEST_CASE("attack: a new protected release branch created at lax dev/x's tip",
          "[e2e][attack][rules]") {
  LaxServer s;
  ProcessResult r = s.repo.push("HEAD:refs/heads/release/2.0");
  require_rejected_for(r, "refs/heads/release/2.0", "Lax change");
  CHECK(server_rev(s.repo, "refs/heads/release/2.0").empty());
}

// Not an attack: exemption by an equally strict rule. Passes on the baseline too.
TEST_CASE("non-regression: a commit on main is exempt for release/* under the same rule",
          "[e2e][attack][rules]") {
  TempRepo repo(std::string(kRoster) + kLaxRules);
  repo.commit("Reviewed change" + kAi + kTwoSeniors, kJunior);
  REQUIRE(repo.push("HEAD:refs/heads/main").exit_code == 0);
  // Exempt: main, under the same rule, already holds it.
  ProcessResult r = repo.push("HEAD:refs/heads/release/1.0");
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("0 commits checked"));
}

TEST_CASE("non-regression: a commit on main is exempt for stable/* under an equally strict rule",
          "[e2e][attack][rules]") {
  TempRepo repo(std::string(kRoster) + kLaxRules);
  repo.commit("Reviewed change" + kAi + kTwoSeniors, kJunior);
  REQUIRE(repo.push("HEAD:refs/heads/main").exit_code == 0);
  ProcessResult r = repo.push("HEAD:refs/heads/stable/1");
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("0 commits checked"));
}

// ---- examples/policy.toml's release-tag rule -------------------------------------------------

namespace {

const std::string kReleaseTagRules = R"(
[[protect]]
refs = ["refs/heads/main"]
approvals = 1
min_level = "senior"

# As in examples/policy.toml: release tags need two principal reviews of every commit.
[[protect]]
refs = ["refs/tags/v*"]
approvals = 2
min_level = "principal"
review_all = true
)";

}  // namespace

TEST_CASE("attack: a release tag on an AI commit already on main (one senior review)",
          "[e2e][attack][rules]") {
  TempRepo repo(std::string(kRoster) + kReleaseTagRules);
  std::string initial = server_rev(repo, "refs/heads/main");
  repo.set_policy(std::string(kRoster) + fmt::format("\n[baseline]\ncommit = \"{}\"\n", initial) +
                  kReleaseTagRules);
  repo.commit("Reviewed once" + kAi + kSeniorReview, kJunior);
  REQUIRE(repo.push("HEAD:refs/heads/main").exit_code == 0);
  repo.git({"tag", "v1.0"});
  ProcessResult r = repo.push("refs/tags/v1.0");
  require_rejected_for(r, "refs/tags/v1.0", "Reviewed once");
  CHECK_THAT(r.err, Catch::Contains("needs 2 verified reviews by principal or above"));
  CHECK(server_rev(repo, "refs/tags/v1.0").empty());
}

TEST_CASE("attack: a release tag on a human commit already on main (review_all on tags)",
          "[e2e][attack][rules]") {
  TempRepo repo(std::string(kRoster) + kReleaseTagRules);
  std::string initial = server_rev(repo, "refs/heads/main");
  repo.set_policy(std::string(kRoster) + fmt::format("\n[baseline]\ncommit = \"{}\"\n", initial) +
                  kReleaseTagRules);
  repo.commit("Human change\n", kJunior);
  REQUIRE(repo.push("HEAD:refs/heads/main").exit_code == 0);
  repo.git({"tag", "-a", "-m", "Release 1.1", "v1.1"});
  ProcessResult r = repo.push("refs/tags/v1.1");
  require_rejected_for(r, "refs/tags/v1.1", "Human change");
  CHECK_THAT(r.err, Catch::Contains("review-required"));
  CHECK(server_rev(repo, "refs/tags/v1.1").empty());
}
