// End-to-end attacks of issue 12, class 4: who is the same person. Real pushes into a bare
// repository: a senior who reviews his own commit written under an address the roster does not
// know and pushes it himself; a mass deletion split into commits that each stay under the
// mass-change guard; a backdated commit that a date baseline grandfathers. Each attack is its
// own TEST_CASE; the non-regression cases pass on the baseline too.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "support/fixtures.h"
#include "support/temp_repo.h"

using trailgate::testing::ident;
using trailgate::testing::kClaudeTrailer;
using trailgate::testing::kJuniorOne;
using trailgate::testing::kRosterReview;
using trailgate::testing::kSeniorOne;
using trailgate::testing::kSeniorTwo;
using trailgate::testing::people_toml;
using trailgate::testing::ProcessResult;
using trailgate::testing::protect;
using trailgate::testing::protect_toml;
using trailgate::testing::reviewed_by;
using trailgate::testing::roster_policy;
using trailgate::testing::RosterPerson;
using trailgate::testing::run;
using trailgate::testing::signature_policy;
using trailgate::testing::TempDir;
using trailgate::testing::TempRepo;
using trailgate::testing::trailgate_binary;
using trailgate::testing::write_file;
namespace fs = std::filesystem;

namespace {

using Env = std::map<std::string, std::string>;

const std::string kJunior = ident(kJuniorOne);
const std::string kAi = "\n\n" + kClaudeTrailer + "\n";

std::string server_rev(const TempRepo& repo, const std::string& ref) {
  ProcessResult r = run({"git", "rev-parse", "--verify", "-q", ref}, repo.server());
  return r.exit_code == 0 ? r.out.substr(0, r.out.find('\n')) : "";
}

ProcessResult push_as(TempRepo& repo, const std::string& refspec, const Env& env) {
  return run({"git", "push", "origin", refspec}, repo.clone(), "", env);
}

// ---- Self-review under an address the roster does not know -----------------------------------

struct Keys {
  TempDir dir;
  trailgate::testing::SshKey sam = trailgate::testing::make_ssh_key(dir.path(), "sam", "ed25519");
  trailgate::testing::SshKey two = trailgate::testing::make_ssh_key(dir.path(), "two", "ed25519");
};

std::string signed_policy(const Keys& k) {
  return signature_policy(
      {RosterPerson{"Sam Senior", {"sam@example.com"}, "senior", {"sam"}, {k.sam.public_key}},
       kSeniorTwo.with_usernames({"two"}).with_keys({k.two.public_key}), kJuniorOne},
      {protect({"refs/heads/main"}, std::nullopt, "")});
}

void approve(TempRepo& repo, const trailgate::testing::SshKey& key, const std::string& as) {
  ProcessResult r =
      run({trailgate_binary(), "approve", "--key", key.path, "--as", as}, repo.clone());
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
}

const char* const kSamAtHome = "Sam Senior <sam@home.example>";
const char* const kSam = "Sam Senior <sam@example.com>";

void require_self_review_rejected(const ProcessResult& r, const TempRepo& repo,
                                  const std::string& main_before) {
  INFO(r.err);
  CHECK(r.exit_code != 0);
  CHECK(server_rev(repo, "refs/heads/main") == main_before);
  CHECK_THAT(r.err, Catch::Contains("ai-review-required"));
  CHECK_THAT(r.err, Catch::Contains("(self-review)"));
  CHECK_THAT(r.err, Catch::Contains("Sam Senior is the pusher"));
  CHECK_THAT(r.err, Catch::Contains("<sam@home.example> is not on the roster"));
}

}  // namespace

TEST_CASE("attack: Sam authors as sam@home.example, approves as sam@example.com and pushes",
          "[e2e][attack][identity]") {
  Keys k;
  TempRepo repo(signed_policy(k));
  std::string main_before = server_rev(repo, "refs/heads/main");
  repo.commit("Add retry logic" + kAi, kSamAtHome, kSam);
  approve(repo, k.sam, kSam);
  require_self_review_rejected(push_as(repo, "HEAD:refs/heads/main", {{"REMOTE_USER", "sam"}}),
                               repo, main_before);
}

TEST_CASE("attack: self-review by an unknown address, committer unknown too",
          "[e2e][attack][identity]") {
  Keys k;
  TempRepo repo(signed_policy(k));
  std::string main_before = server_rev(repo, "refs/heads/main");
  repo.commit("Add retry logic" + kAi, kSamAtHome, kSamAtHome);
  approve(repo, k.sam, kSam);
  require_self_review_rejected(push_as(repo, "HEAD:refs/heads/main", {{"REMOTE_USER", "sam"}}),
                               repo, main_before);
}

TEST_CASE("attack: self-review by an unknown address, pusher named by GitLab's GL_USERNAME",
          "[e2e][attack][identity]") {
  Keys k;
  TempRepo repo(signed_policy(k));
  std::string main_before = server_rev(repo, "refs/heads/main");
  repo.commit("Add retry logic" + kAi, kSamAtHome);
  approve(repo, k.sam, kSam);
  require_self_review_rejected(
      push_as(repo, "HEAD:refs/heads/main", {{"GL_USERNAME", "Sam"}, {"GL_ID", "user-7"}}), repo,
      main_before);
}

// Not attacks: passes on the baseline too.
TEST_CASE("non-regression: an unknown author's commit reviewed by another senior, Sam pushes",
          "[e2e][attack][identity]") {
  Keys k;
  TempRepo repo(signed_policy(k));
  repo.commit("Add retry logic" + kAi, kSamAtHome);
  approve(repo, k.two, "Senior Two <senior2@example.com>");
  ProcessResult r = push_as(repo, "HEAD:refs/heads/main", {{"REMOTE_USER", "sam"}});
  INFO(r.err);
  CHECK(r.exit_code == 0);
}

TEST_CASE("non-regression: Sam reviews a known junior's commit and pushes it",
          "[e2e][attack][identity]") {
  Keys k;
  TempRepo repo(signed_policy(k));
  repo.commit("Add retry logic" + kAi, kJunior);
  approve(repo, k.sam, kSam);
  ProcessResult r = push_as(repo, "HEAD:refs/heads/main", {{"REMOTE_USER", "sam"}});
  INFO(r.err);
  CHECK(r.exit_code == 0);
}

// ---- A mass deletion split into small commits ------------------------------------------------

namespace {

const char* const kMassChange = R"(
  [protect.mass_change]
  deleted_share = 0.5
  approvals = 2
)";

const std::string kMassPolicy =
    roster_policy({kSeniorOne, kSeniorTwo}, {protect({"refs/heads/main"}, 1, "", kMassChange)});

const std::string kOneReview = reviewed_by(kSeniorOne) + "\n";

// Commits every change in the clone's work tree with `message`, as Dev One.
void commit_all(TempRepo& repo, const std::string& message) {
  repo.git({"add", "-A"});
  repo.git(
      {"commit", "-q", "--cleanup=verbatim", "--author", "Dev One <dev@example.com>", "-F", "-"},
      message);
}

// main holds 20 files (the initial commit's file1.txt among them after this).
struct Tree20 {
  TempRepo repo{kMassPolicy};
  std::string main_before;
  Tree20() {
    // The initial commit has one file; 19 more make 20.
    for (int i = 0; i < 19; ++i)
      write_file(repo.clone() / fmt::format("src/f{:02}.c", i), fmt::format("file {}\n", i));
    commit_all(repo, "Add the project\n");
    ProcessResult r = repo.push("HEAD:refs/heads/main");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    main_before = server_rev(repo, "refs/heads/main");
  }
  void remove(int from, int to) {
    for (int i = from; i < to; ++i)
      fs::remove(repo.clone() / fmt::format("src/f{:02}.c", i));
  }
};

}  // namespace

TEST_CASE("attack: 75% of the tree deleted in five commits of 15%, one review each",
          "[e2e][attack][identity]") {
  Tree20 t;
  // 3 of 20, 3 of 17, 3 of 14, 3 of 11, 3 of 8: each under deleted_share = 0.5; 15 of 20 in all.
  for (int c = 0; c < 5; ++c) {
    t.remove(3 * c, 3 * c + 3);
    commit_all(t.repo, fmt::format("Remove part {}", c) + kAi + kOneReview);
  }
  ProcessResult r = t.repo.push("HEAD:refs/heads/main");
  INFO(r.err);
  CHECK(r.exit_code != 0);
  CHECK(server_rev(t.repo, "refs/heads/main") == t.main_before);
  CHECK_THAT(r.err, Catch::Contains("blast-radius-review"));
  CHECK_THAT(r.err, Catch::Contains("refs/heads/main"));
}

TEST_CASE("attack: a mass deletion split across two branches, merged into main",
          "[e2e][attack][identity]") {
  Tree20 t;
  // Two branches each delete 6 of 20 (30%), merged: the merge deletes nothing against its first
  // parent, and each side stays under the guard; together 12 of 20 go.
  std::string base = t.repo.git({"rev-parse", "HEAD"}).substr(0, 40);
  t.remove(0, 6);
  commit_all(t.repo, "Remove the first part" + kAi + kOneReview);
  t.repo.branch("side", base);
  t.remove(6, 12);
  commit_all(t.repo, "Remove the second part" + kAi + kOneReview);
  t.repo.git({"checkout", "-q", "main"});
  t.repo.git({"merge", "-q", "--no-ff", "-m",
              "Merge side\n\nReviewed-by: Senior One <senior@example.com>", "side"});
  REQUIRE_FALSE(fs::exists(t.repo.clone() / "src/f09.c"));
  ProcessResult r = t.repo.push("HEAD:refs/heads/main");
  INFO(r.err);
  CHECK(r.exit_code != 0);
  CHECK(server_rev(t.repo, "refs/heads/main") == t.main_before);
  CHECK_THAT(r.err, Catch::Contains("blast-radius-review"));
}

// The guard itself: passes on the baseline too.
TEST_CASE("non-regression: the same deletion as one commit with one review is rejected",
          "[e2e][attack][identity]") {
  Tree20 t;
  t.remove(0, 15);
  commit_all(t.repo, "Remove most of it" + kAi + kOneReview);
  ProcessResult r = t.repo.push("HEAD:refs/heads/main");
  INFO(r.err);
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.err, Catch::Contains("blast-radius-review"));
}

// ---- A date baseline and the dates the pusher writes -----------------------------------------

namespace {

const std::string kDatePolicy = kRosterReview + people_toml({kSeniorOne}) +
                                "[baseline]\ndate = 2026-01-01\n\n" +
                                protect_toml({protect({"refs/heads/main"}, std::nullopt, "")});

const Env kIn2001 = {{"GIT_AUTHOR_DATE", "2001-01-01T12:00:00Z"},
                     {"GIT_COMMITTER_DATE", "2001-01-01T12:00:00Z"}};

// A commit whose author and committer dates say 2001.
void backdated_commit(TempRepo& repo, const std::string& message) {
  write_file(repo.clone() / "old.txt", message);
  repo.git({"add", "old.txt"});
  repo.git({"commit", "-q", "--author", kJunior, "-F", "-"}, message, kIn2001);
  REQUIRE(repo.git({"log", "-1", "--format=%ad", "--date=short"}) == "2001-01-01\n");
}

}  // namespace

TEST_CASE("attack: a backdated unreviewed AI commit pushed today under a date baseline",
          "[e2e][attack][identity]") {
  TempRepo repo(kDatePolicy);
  std::string main_before = server_rev(repo, "refs/heads/main");
  backdated_commit(repo, "Backdated change" + kAi);
  ProcessResult r = repo.push("HEAD:refs/heads/main");
  INFO(r.err);
  CHECK(r.exit_code != 0);
  CHECK(server_rev(repo, "refs/heads/main") == main_before);
  CHECK_THAT(r.err, Catch::Contains("ai-review-required"));
  CHECK_THAT(r.err, Catch::Contains("\"Backdated change\""));
}

TEST_CASE("attack: a backdated AI commit pushed to an unprotected branch first, then to main",
          "[e2e][attack][identity]") {
  TempRepo repo(kDatePolicy);
  std::string main_before = server_rev(repo, "refs/heads/main");
  backdated_commit(repo, "Backdated change" + kAi);
  REQUIRE(repo.push("HEAD:refs/heads/feature").exit_code == 0);
  ProcessResult r = repo.push("HEAD:refs/heads/main");
  INFO(r.err);
  CHECK(r.exit_code != 0);
  CHECK(server_rev(repo, "refs/heads/main") == main_before);
  CHECK_THAT(r.err, Catch::Contains("ai-review-required"));
  CHECK_THAT(r.err, Catch::Contains("\"Backdated change\""));
}

// Not an attack: history from before the baseline that main already holds stays exempt when
// main moves on. Passes on the baseline too.
TEST_CASE("non-regression: a pre-baseline commit already on main stays exempt as main moves on",
          "[e2e][attack][identity]") {
  TempRepo repo(kDatePolicy);
  backdated_commit(repo, "Old history" + kAi);
  REQUIRE(repo.push("HEAD:refs/heads/import").exit_code == 0);
  repo.server_git({"update-ref", "refs/heads/main", "refs/heads/import"});  // the admin's import
  repo.commit("Human change\n", kJunior);
  ProcessResult r = repo.push("HEAD:refs/heads/main");
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("1 commit checked"));
}
