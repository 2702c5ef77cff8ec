// End-to-end: requirements by author level and by class of AI involvement. Real pushes into a
// bare repository under the policy of the rule that motivated trailgate (support/author_levels.h:
// juniors' and mids' AI-assisted work needs a senior, seniors' and principals' a peer, an
// agent's commit two reviews), with every review signed by `trailgate approve` with real
// ssh-keygen keys and verified by the hook. Each case asserts the hook's verdict and its reason.
#include <catch2/catch.hpp>

#include "support/author_levels.h"
#include "support/fixtures.h"
#include "support/temp_repo.h"

using trailgate::testing::ai_message;
using trailgate::testing::approve_ok_as;
using trailgate::testing::kCopilotAgent;
using trailgate::testing::kLevelJunior;
using trailgate::testing::kLevelMid;
using trailgate::testing::kLevelPrincipal;
using trailgate::testing::kLevelPrincipalAlt;
using trailgate::testing::kLevelSenior;
using trailgate::testing::kLevelSenior2;
using trailgate::testing::level_policy;
using trailgate::testing::LevelKeys;
using trailgate::testing::ProcessResult;
using trailgate::testing::reset_to;
using trailgate::testing::TempRepo;

namespace {

// Pushes HEAD to main and requires the hook to reject it; returns what the pusher saw.
std::string push_rejected(TempRepo& repo) {
  ProcessResult r = repo.push("HEAD:refs/heads/main");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code != 0);
  REQUIRE_THAT(r.err, Catch::Contains("trailgate: push REJECTED"));
  return r.err;
}

// Pushes HEAD to main and requires the hook to accept it.
void push_accepted(TempRepo& repo) {
  ProcessResult r = repo.push("HEAD:refs/heads/main");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("trailgate: push passed trailgate"));
}

// "Reviewed-by: <who>" does not count, for the reason named by `status` (review::ClaimStatus).
Catch::Matchers::StdString::ContainsMatcher not_counted(const std::string& who,
                                                        const std::string& status) {
  return Catch::Contains("\"Reviewed-by: " + who + "\" does not count (" + status + ")");
}

}  // namespace

TEST_CASE("author level: a junior's AI-assisted commit needs a senior, not a mid",
          "[e2e][levels]") {
  LevelKeys k;
  TempRepo repo(level_policy(k));
  std::string id = repo.commit(ai_message("Add retry logic"), kLevelJunior);

  approve_ok_as(repo, k.mid, kLevelMid);
  std::string err = push_rejected(repo);
  CHECK_THAT(err, Catch::Contains("ai-review-required"));
  CHECK_THAT(err, Catch::Contains("needs 1 verified review by senior or above, has 0"));
  CHECK_THAT(err, not_counted(kLevelMid, "below-level"));

  reset_to(repo, id);
  approve_ok_as(repo, k.senior, kLevelSenior);
  push_accepted(repo);
}

TEST_CASE(
    "author level: a senior's AI-assisted commit needs a peer; a junior co-author "
    "brings it down to the junior's requirement",
    "[e2e][levels]") {
  LevelKeys k;
  TempRepo repo(level_policy(k));

  // Senior One alone: [[protect.author_level]] for seniors asks one review by a mid or above.
  repo.commit(ai_message("Tune the cache"), kLevelSenior);
  approve_ok_as(repo, k.mid, kLevelMid);
  push_accepted(repo);

  // The same review of Senior One's commit with Junior One as human co-author: the lowest level
  // of the responsible humans decides, so a senior must sign off.
  repo.commit(ai_message("Tune the cache again", "Co-authored-by: " + kLevelJunior + "\n"),
              kLevelSenior);
  approve_ok_as(repo, k.mid, kLevelMid);
  std::string err = push_rejected(repo);
  CHECK_THAT(err, Catch::Contains("needs 1 verified review by senior or above, has 0"));
  CHECK_THAT(err, not_counted(kLevelMid, "below-level"));
}

TEST_CASE("author level: an author off the roster is judged at the lowest level", "[e2e][levels]") {
  LevelKeys k;
  TempRepo repo(level_policy(k));
  // Were the unknown author given any level from senior up, Mid One's review would count.
  std::string id = repo.commit(ai_message("Add a flag"), "Dev Unknown <dev@unknown.example>");

  approve_ok_as(repo, k.mid, kLevelMid);
  std::string err = push_rejected(repo);
  CHECK_THAT(err, Catch::Contains("needs 1 verified review by senior or above, has 0"));
  CHECK_THAT(err, not_counted(kLevelMid, "below-level"));

  reset_to(repo, id);
  approve_ok_as(repo, k.senior, kLevelSenior);
  push_accepted(repo);
}

TEST_CASE(
    "author level: the Copilot coding agent's commit needs two senior reviews, "
    "neither by the human it names",
    "[e2e][levels][agent]") {
  LevelKeys k;
  TempRepo repo(level_policy(k));
  std::string id = repo.commit(
      "Fix the flaky upload test\n\nRetries the upload once.\n\nCo-authored-by: " + kLevelSenior +
          "\n",
      kCopilotAgent);

  // Senior One, the human the agent's commit names, cannot review it.
  approve_ok_as(repo, k.senior, kLevelSenior);
  std::string err = push_rejected(repo);
  CHECK_THAT(err, Catch::Contains("needs 2 verified reviews by senior or above, has 0"));
  CHECK_THAT(err, not_counted(kLevelSenior, "co-author"));

  // One independent senior review is not enough: an agent's commit needs two.
  reset_to(repo, id);
  approve_ok_as(repo, k.senior2, kLevelSenior2);
  err = push_rejected(repo);
  CHECK_THAT(err, Catch::Contains("needs 2 verified reviews by senior or above, has 1"));
  const std::string one_review = repo.git({"rev-parse", "HEAD"}).substr(0, 40);

  // The bot author puts the commit at the lowest level, so the second reviewer must be senior.
  approve_ok_as(repo, k.mid, kLevelMid);
  err = push_rejected(repo);
  CHECK_THAT(err, Catch::Contains("needs 2 verified reviews by senior or above, has 1"));
  CHECK_THAT(err, not_counted(kLevelMid, "below-level"));

  reset_to(repo, one_review);
  approve_ok_as(repo, k.principal, kLevelPrincipal);
  push_accepted(repo);
}

TEST_CASE("author level: a human co-author cannot review the commit, under either email",
          "[e2e][levels]") {
  LevelKeys k;
  TempRepo repo(level_policy(k));
  // Senior Two's commit, co-written by Principal One: its author level is senior, so one review
  // by a mid or above is enough, but not Principal One's.
  std::string id = repo.commit(
      ai_message("Split the parser", "Co-authored-by: " + kLevelPrincipal + "\n"), kLevelSenior2);

  approve_ok_as(repo, k.principal, kLevelPrincipal);
  std::string err = push_rejected(repo);
  CHECK_THAT(err, Catch::Contains("needs 1 verified review by mid or above, has 0"));
  CHECK_THAT(err, not_counted(kLevelPrincipal, "co-author"));

  reset_to(repo, id);
  approve_ok_as(repo, k.principal, kLevelPrincipalAlt);
  err = push_rejected(repo);
  CHECK_THAT(err, Catch::Contains("needs 1 verified review by mid or above, has 0"));
  CHECK_THAT(err, not_counted(kLevelPrincipalAlt, "co-author"));

  reset_to(repo, id);
  approve_ok_as(repo, k.mid, kLevelMid);
  push_accepted(repo);
}
