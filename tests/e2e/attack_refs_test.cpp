// End-to-end attacks of issue 12, class 1: which ref really moves. Each attack is a real push
// into a bare repository that moves a protected ref, or what git shows as one, by another name:
// a symbolic ref on the server, a refs/replace/ ref, a protected tag moved onto a tree or blob,
// and the update hook's view of a non-atomic push. Each TEST_CASE is named after its attack;
// each attack got through the hook before the fix (the push was accepted and the protected ref
// moved), and must now be rejected with a message that names the ref git would move.
#include <catch2/catch.hpp>

#include <string>

#include "support/fixtures.h"
#include "support/temp_repo.h"

using trailgate::testing::ident;
using trailgate::testing::kClaudeTrailer;
using trailgate::testing::kJuniorOne;
using trailgate::testing::kMidOne;
using trailgate::testing::kSeniorOne;
using trailgate::testing::ProcessResult;
using trailgate::testing::protect;
using trailgate::testing::roster_policy;
using trailgate::testing::run;
using trailgate::testing::TempRepo;
using trailgate::testing::trailgate_binary;

namespace {

const std::string kPolicy = roster_policy(
    {kSeniorOne, kMidOne}, {protect({"refs/heads/main", "refs/tags/v*"}, std::nullopt, ""),
                            protect({"refs/heads/dev/*"}, std::nullopt, "mid")});

const std::string kJunior = ident(kJuniorOne);
const std::string kAi = "Add retry logic\n\n" + kClaudeTrailer + "\n";

// The server's id of `ref` (peeled to a commit when `peel`), "" when it does not exist.
std::string server_rev(const TempRepo& repo, const std::string& ref) {
  ProcessResult r = run({"git", "rev-parse", "--verify", "-q", ref}, repo.server());
  return r.exit_code == 0 ? r.out.substr(0, r.out.find('\n')) : "";
}

std::string object_type(const TempRepo& repo, const std::string& ref) {
  ProcessResult r = run({"git", "cat-file", "-t", ref}, repo.server());
  return r.exit_code == 0 ? r.out.substr(0, r.out.find('\n')) : "";
}

// A repository whose server has `symref` pointing at `target`, and a clone that knows it.
void add_server_symref(TempRepo& repo, const std::string& symref, const std::string& target) {
  repo.server_git({"symbolic-ref", symref, target});
  repo.git({"fetch", "-q", "origin"});
}

// The push was refused and the protected ref did not move.
void require_rejected(const ProcessResult& r, const TempRepo& repo, const std::string& ref,
                      const std::string& tip_before) {
  INFO(r.err);
  CHECK(r.exit_code != 0);
  CHECK(server_rev(repo, ref) == tip_before);
}

}  // namespace

// ---- Symbolic refs on the server -------------------------------------------------------------

TEST_CASE("attack: push to symref master -> main moves main; judged as main and rejected",
          "[e2e][attack][refs]") {
  TempRepo repo(kPolicy);
  add_server_symref(repo, "refs/heads/master", "refs/heads/main");
  std::string main_before = server_rev(repo, "refs/heads/main");
  repo.commit(kAi, kJunior);
  ProcessResult r = repo.push("HEAD:refs/heads/master");
  require_rejected(r, repo, "refs/heads/main", main_before);
  CHECK_THAT(r.err, Catch::Contains("ai-review-required"));
  CHECK_THAT(r.err, Catch::Contains("refs/heads/main"));
}

TEST_CASE("attack: main is a symref to unprotected trunk; a push to trunk is judged as main",
          "[e2e][attack][refs]") {
  TempRepo repo(kPolicy);
  repo.server_git({"update-ref", "refs/heads/trunk", "refs/heads/main"});
  add_server_symref(repo, "refs/heads/main", "refs/heads/trunk");
  std::string main_before = server_rev(repo, "refs/heads/main");
  repo.commit(kAi, kJunior);
  ProcessResult r = repo.push("HEAD:refs/heads/trunk");
  require_rejected(r, repo, "refs/heads/main", main_before);
  CHECK_THAT(r.err, Catch::Contains("ai-review-required"));
  CHECK_THAT(r.err, Catch::Contains("refs/heads/main"));
}

TEST_CASE("attack: a chain of symrefs a -> b -> main; a push to a is judged as main",
          "[e2e][attack][refs]") {
  TempRepo repo(kPolicy);
  repo.server_git({"symbolic-ref", "refs/heads/b", "refs/heads/main"});
  add_server_symref(repo, "refs/heads/a", "refs/heads/b");
  std::string main_before = server_rev(repo, "refs/heads/main");
  repo.commit(kAi, kJunior);
  ProcessResult r = repo.push("HEAD:refs/heads/a");
  require_rejected(r, repo, "refs/heads/main", main_before);
  CHECK_THAT(r.err, Catch::Contains("ai-review-required"));
  CHECK_THAT(r.err, Catch::Contains("refs/heads/main"));
}

TEST_CASE("attack: a symref under refs/tags pointing at main; a forced tag push moves main",
          "[e2e][attack][refs]") {
  TempRepo repo(kPolicy);
  add_server_symref(repo, "refs/tags/latest", "refs/heads/main");
  std::string main_before = server_rev(repo, "refs/heads/main");
  repo.commit(kAi, kJunior);
  ProcessResult r = repo.push("HEAD:refs/tags/latest", {"--force"});
  require_rejected(r, repo, "refs/heads/main", main_before);
  CHECK_THAT(r.err, Catch::Contains("ai-review-required"));
  CHECK_THAT(r.err, Catch::Contains("refs/heads/main"));
}

TEST_CASE("attack: deleting symref master deletes main; judged as deleting main",
          "[e2e][attack][refs]") {
  TempRepo repo(kPolicy);
  add_server_symref(repo, "refs/heads/master", "refs/heads/main");
  std::string main_before = server_rev(repo, "refs/heads/main");
  ProcessResult r = repo.push(":refs/heads/master");
  require_rejected(r, repo, "refs/heads/main", main_before);
  CHECK_FALSE(main_before.empty());
  CHECK_THAT(r.err, Catch::Contains("protected-ref-delete"));
  CHECK_THAT(r.err, Catch::Contains("refs/heads/main"));
}

// ---- refs/replace/ ---------------------------------------------------------------------------

TEST_CASE("attack: refs/replace/<main's tip> pointing at an unreviewed AI commit is rejected",
          "[e2e][attack][refs]") {
  TempRepo repo(kPolicy);
  std::string main_tip = server_rev(repo, "refs/heads/main");
  repo.commit(kAi, kJunior);
  ProcessResult r = repo.push("HEAD:refs/replace/" + main_tip);
  INFO(r.err);
  CHECK(r.exit_code != 0);
  CHECK(server_rev(repo, "refs/replace/" + main_tip).empty());
  CHECK_THAT(r.err, Catch::Contains("refs/replace/"));
  // What the attack would have done: git log main on the server shows the AI commit.
  CHECK_THAT(run({"git", "log", "-1", "--format=%s", "main"}, repo.server()).out,
             !Catch::Contains("Add retry logic"));
}

TEST_CASE("attack: refs/replace/ for an ancestor of main's tip is rejected",
          "[e2e][attack][refs]") {
  TempRepo repo(kPolicy);
  std::string first = server_rev(repo, "refs/heads/main");
  repo.commit("Human change\n", "Senior One <senior@example.com>");
  REQUIRE(repo.push("HEAD:refs/heads/main").exit_code == 0);
  repo.branch("evil", first);
  repo.commit(kAi, kJunior);
  ProcessResult r = repo.push("HEAD:refs/replace/" + first);
  INFO(r.err);
  CHECK(r.exit_code != 0);
  CHECK(server_rev(repo, "refs/replace/" + first).empty());
  CHECK_THAT(r.err, Catch::Contains("refs/replace/"));
}

TEST_CASE("attack: updating an existing refs/replace/ ref is rejected", "[e2e][attack][refs]") {
  TempRepo repo(kPolicy);
  std::string main_tip = server_rev(repo, "refs/heads/main");
  // A replace ref an admin made on the server (say, by git replace --edit), then moved by a push.
  repo.commit("Harmless replacement\n", "Senior One <senior@example.com>");
  repo.push("HEAD:refs/heads/scratch");
  repo.server_git({"update-ref", "refs/replace/" + main_tip, "refs/heads/scratch"});
  repo.git({"fetch", "-q", "origin", "+refs/replace/*:refs/replace/*"});
  std::string before = server_rev(repo, "refs/replace/" + main_tip);
  repo.commit(kAi, kJunior);
  ProcessResult r = repo.push("HEAD:refs/replace/" + main_tip, {"--force"});
  INFO(r.err);
  CHECK(r.exit_code != 0);
  CHECK(server_rev(repo, "refs/replace/" + main_tip) == before);
  CHECK_THAT(r.err, Catch::Contains("refs/replace/"));
}

// Not an attack: taking a replacement away makes git show the real history again. Passes on
// the baseline too.
TEST_CASE("non-regression: deleting a refs/replace/ ref is accepted", "[e2e][attack][refs]") {
  TempRepo repo(kPolicy);
  std::string main_tip = server_rev(repo, "refs/heads/main");
  repo.commit("Harmless replacement\n", "Senior One <senior@example.com>");
  repo.push("HEAD:refs/heads/scratch");
  repo.server_git({"update-ref", "refs/replace/" + main_tip, "refs/heads/scratch"});
  ProcessResult r = repo.push(":refs/replace/" + main_tip);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(server_rev(repo, "refs/replace/" + main_tip).empty());
}

// ---- Protected tags onto trees and blobs -----------------------------------------------------

TEST_CASE("attack: protected tag v1.0 force-pushed from a commit to a tree is rejected",
          "[e2e][attack][refs]") {
  TempRepo repo(kPolicy);
  repo.git({"tag", "v1.0", "origin/main"});
  REQUIRE(repo.push("refs/tags/v1.0").exit_code == 0);
  std::string before = server_rev(repo, "refs/tags/v1.0");
  repo.commit(kAi, kJunior);
  // `git archive v1.0` on the server would ship this tree.
  ProcessResult r = repo.push("HEAD^{tree}:refs/tags/v1.0", {"--force"});
  require_rejected(r, repo, "refs/tags/v1.0", before);
  CHECK(object_type(repo, "refs/tags/v1.0") == "commit");
  CHECK_THAT(r.err, Catch::Contains("protected-ref-rewrite"));
  CHECK_THAT(r.err, Catch::Contains("not a commit"));
}

TEST_CASE("attack: protected tag v1.0 force-pushed from a commit to a blob is rejected",
          "[e2e][attack][refs]") {
  TempRepo repo(kPolicy);
  repo.git({"tag", "v1.0", "origin/main"});
  REQUIRE(repo.push("refs/tags/v1.0").exit_code == 0);
  std::string before = server_rev(repo, "refs/tags/v1.0");
  std::string blob = repo.git({"hash-object", "-w", "--stdin"}, "unreviewed code\n").substr(0, 40);
  ProcessResult r = repo.push(blob + ":refs/tags/v1.0", {"--force"});
  require_rejected(r, repo, "refs/tags/v1.0", before);
  CHECK_THAT(r.err, Catch::Contains("protected-ref-rewrite"));
  CHECK_THAT(r.err, Catch::Contains("not a commit"));
}

TEST_CASE("attack: a new protected tag pointing at a tree of unreviewed code is rejected",
          "[e2e][attack][refs]") {
  TempRepo repo(kPolicy);
  repo.commit(kAi, kJunior);
  ProcessResult r = repo.push("HEAD^{tree}:refs/tags/v2.0");
  require_rejected(r, repo, "refs/tags/v2.0", "");
  CHECK_THAT(r.err, Catch::Contains("refs/tags/v2.0"));
  CHECK_THAT(r.err, Catch::Contains("not a commit"));
}

TEST_CASE("attack: a new annotated protected tag on a tree is rejected", "[e2e][attack][refs]") {
  TempRepo repo(kPolicy);
  repo.commit(kAi, kJunior);
  repo.git({"tag", "-a", "-m", "Release 3.0", "v3.0", "HEAD^{tree}"});
  ProcessResult r = repo.push("refs/tags/v3.0");
  require_rejected(r, repo, "refs/tags/v3.0", "");
  CHECK_THAT(r.err, Catch::Contains("refs/tags/v3.0"));
  CHECK_THAT(r.err, Catch::Contains("not a commit"));
}

TEST_CASE("attack: a new annotated protected tag on a blob is rejected", "[e2e][attack][refs]") {
  TempRepo repo(kPolicy);
  std::string blob = repo.git({"hash-object", "-w", "--stdin"}, "unreviewed code\n").substr(0, 40);
  repo.git({"tag", "-a", "-m", "Release 4.0", "v4.0", blob});
  ProcessResult r = repo.push("refs/tags/v4.0");
  require_rejected(r, repo, "refs/tags/v4.0", "");
  CHECK_THAT(r.err, Catch::Contains("refs/tags/v4.0"));
  CHECK_THAT(r.err, Catch::Contains("not a commit"));
}

// ---- The update hook and a non-atomic push ---------------------------------------------------

namespace {

// The server with trailgate as its update hook only, and dev/x already on the server at main's
// tip, so that git sends (and runs the update hook for) dev/x before main.
void use_update_hook(TempRepo& repo) {
  REQUIRE(run({trailgate_binary(), "install", "--repo", repo.server().string(), "--uninstall"},
              repo.server())
              .exit_code == 0);
  REQUIRE(run({trailgate_binary(), "install", "--repo", repo.server().string(), "--hook", "update"},
              repo.server())
              .exit_code == 0);
}

}  // namespace

TEST_CASE("attack: update hook, non-atomic push of lax dev/x then main; main judged as before",
          "[e2e][attack][refs]") {
  TempRepo repo(kPolicy);
  use_update_hook(repo);
  repo.server_git({"update-ref", "refs/heads/dev/x", "refs/heads/main"});
  repo.git({"fetch", "-q", "origin"});
  std::string main_before = server_rev(repo, "refs/heads/main");
  // Enough for dev/* (one mid review), not for main (one senior).
  repo.commit(std::string(kAi) + "Reviewed-by: Mid One <mid@example.com>\n", kJunior);
  ProcessResult r = repo.push("HEAD:refs/heads/main", {"HEAD:refs/heads/dev/x"});
  INFO(r.err);
  CHECK(server_rev(repo, "refs/heads/main") == main_before);
  CHECK_THAT(r.err, Catch::Contains("ai-review-required"));
  CHECK_THAT(r.err, Catch::Contains("(entering refs/heads/main)"));
}

// The same push with an unprotected branch was already judged right; passes on the baseline.
TEST_CASE("non-regression: update hook, non-atomic push of unprotected feature then main",
          "[e2e][attack][refs]") {
  TempRepo repo(kPolicy);
  use_update_hook(repo);
  repo.server_git({"update-ref", "refs/heads/feature", "refs/heads/main"});
  repo.git({"fetch", "-q", "origin"});
  std::string main_before = server_rev(repo, "refs/heads/main");
  repo.commit(kAi, kJunior);
  ProcessResult r = repo.push("HEAD:refs/heads/main", {"HEAD:refs/heads/feature"});
  INFO(r.err);
  CHECK(server_rev(repo, "refs/heads/main") == main_before);
  CHECK_THAT(r.err, Catch::Contains("(entering refs/heads/main)"));
}
