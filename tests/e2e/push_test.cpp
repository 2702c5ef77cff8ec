// End-to-end: real `git push` over file:// into bare repositories with trailgate installed as
// the pre-receive hook. Each scenario checks both the verdict (exit code, server ref) and that
// the rejection names the commit, the rule and the fix.
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
using trailgate::testing::kSeniorOne;
using trailgate::testing::ProcessResult;
using trailgate::testing::protect;
using trailgate::testing::reviewed_by;
using trailgate::testing::roster_policy;
using trailgate::testing::RosterPerson;
using trailgate::testing::run;
using trailgate::testing::TempRepo;
using trailgate::testing::trailgate_binary;

namespace {

const std::string kPolicy =
    roster_policy({kSeniorOne.with_email("senior.one@corp.example"), kJuniorOne},
                  {protect({"refs/heads/main", "refs/heads/release/*"})});

const std::string kJunior = ident(kJuniorOne);
const std::string kSenior = ident(kSeniorOne);
const std::string kSeniorReview = reviewed_by(kSeniorOne) + "\n";
const std::string& kClaude = kClaudeTrailer;

std::string ai_message(const std::string& subject, const std::string& extra_trailers = "") {
  return trailgate::testing::ai_message(subject, extra_trailers, "Some explanation of the change.");
}

bool accepted(const ProcessResult& r) {
  return r.exit_code == 0;
}

std::string server_tip(TempRepo& repo, const std::string& ref) {
  return trailgate::testing::run({"git", "rev-parse", "--verify", "-q", ref}, repo.server()).out;
}

}  // namespace

TEST_CASE("push: unreviewed AI commit is rejected with commit, rule and fix", "[e2e]") {
  TempRepo repo(kPolicy);
  std::string before = server_tip(repo, "refs/heads/main");
  std::string id = repo.commit(ai_message("Add retry logic"), kJunior);
  ProcessResult r = repo.push("HEAD:refs/heads/main");
  CHECK_FALSE(accepted(r));
  CHECK_THAT(r.err, Catch::Contains(id.substr(0, 12)));
  CHECK_THAT(r.err, Catch::Contains("Add retry logic"));
  CHECK_THAT(r.err, Catch::Contains("ai-review-required"));
  CHECK_THAT(r.err, Catch::Contains("Claude Code"));
  CHECK_THAT(r.err, Catch::Contains("Reviewed-by: Senior One <senior@example.com>"));
  CHECK(server_tip(repo, "refs/heads/main") == before);
}

TEST_CASE("push: AI commit reviewed by a senior is accepted", "[e2e]") {
  TempRepo repo(kPolicy);
  std::string id = repo.commit(ai_message("Add retry logic", kSeniorReview), kJunior);
  ProcessResult r = repo.push("HEAD:refs/heads/main");
  CHECK(accepted(r));
  CHECK_THAT(r.err, Catch::Contains("push passed trailgate"));
  CHECK(server_tip(repo, "refs/heads/main") == id + "\n");
}

TEST_CASE("push: review by a junior is rejected", "[e2e]") {
  TempRepo repo(kPolicy);
  repo.commit(ai_message("Tune cache", "Reviewed-by: Junior One <junior@example.com>\n"),
              "Other Dev <other@example.com>");
  ProcessResult r = repo.push("HEAD:refs/heads/main");
  CHECK_FALSE(accepted(r));
  CHECK_THAT(r.err, Catch::Contains("Junior One is junior; senior or above is required"));
}

TEST_CASE("push: self-review is rejected, also through the person's second email", "[e2e]") {
  TempRepo repo(kPolicy);
  SECTION("same email") {
    repo.commit(ai_message("Self review", kSeniorReview), kSenior);
  }
  SECTION("second email, different case") {
    repo.commit(ai_message("Self review", "Reviewed-by: Senior One <Senior@Example.com>\n"),
                "Senior One <senior.one@corp.example>");
  }
  ProcessResult r = repo.push("HEAD:refs/heads/main");
  CHECK_FALSE(accepted(r));
  CHECK_THAT(r.err, Catch::Contains("is the commit's author and cannot review it"));
}

TEST_CASE("push: Reviewed-by outside the trailer block does not count", "[e2e]") {
  TempRepo repo(kPolicy);
  SECTION("in the body, followed by a paragraph") {
    repo.commit(std::string("Add feature\n\nReviewed-by: Senior One <senior@example.com>\n\n") +
                    kClaude + "\n",
                kJunior);
  }
  SECTION("in a mixed last paragraph, which git does not treat as trailers") {
    repo.commit(std::string("Add feature\n\nThis was checked by hand.\n") + kClaude +
                    "\nReviewed-by: Senior One <senior@example.com>\n",
                kJunior, "", "");
    // Without a trailer block the Claude trailer is gone too; make the commit AI by identity.
    repo.git({"commit", "--amend", "-q", "--no-edit", "--author",
              "Junior One (aider) <junior@example.com>"});
  }
  ProcessResult r = repo.push("HEAD:refs/heads/main");
  CHECK_FALSE(accepted(r));
  CHECK_THAT(r.err, Catch::Contains("has 0"));
}

TEST_CASE("push: an AI marker only in the author name is detected", "[e2e]") {
  TempRepo repo(kPolicy);
  repo.commit("Refactor parser\n\nPlain body with no trailers.\n",
              "Junior One (aider) <junior@example.com>");
  ProcessResult r = repo.push("HEAD:refs/heads/main");
  CHECK_FALSE(accepted(r));
  CHECK_THAT(r.err, Catch::Contains("aider"));
  CHECK_THAT(r.err, Catch::Contains("ai-review-required"));
}

TEST_CASE("push: an AI marker only in a body line is detected", "[e2e]") {
  TempRepo repo(kPolicy);
  // No blank line before Co-Authored-By: git sees no trailer block at all (notes case 37).
  repo.commit(
      "Add feature\n\nBody text.\n\n\xF0\x9F\xA4\x96 Generated with [Claude "
      "Code](https://claude.com/claude-code)\nCo-Authored-By: Claude <noreply@anthropic.com>\n",
      kJunior);
  ProcessResult r = repo.push("HEAD:refs/heads/main");
  CHECK_FALSE(accepted(r));
  // The Co-Authored-By line outside git's (absent) block marks it too, and comes first.
  CHECK_THAT(r.err, Catch::Contains("AI-assisted (Claude Code: "));
}

TEST_CASE("push: no false positives for human co-authors or tool names in prose", "[e2e]") {
  TempRepo repo(kPolicy);
  repo.commit("Pair on the importer\n\nCo-authored-by: Jane Doe <jane@example.com>\n", kJunior);
  repo.commit("Fix Copilot settings page\n\nThe Claude and Cursor toggles were swapped.\n",
              kJunior);
  ProcessResult r = repo.push("HEAD:refs/heads/main");
  CHECK(accepted(r));
  CHECK_THAT(r.err, Catch::Contains("2 commits checked"));
}

TEST_CASE("push: a senior who amends a junior's AI commit to add their review is accepted",
          "[e2e]") {
  TempRepo repo(kPolicy);
  repo.commit(ai_message("Add retry logic"), kJunior);
  repo.git({"commit", "--amend", "-q", "--no-edit", "--trailer",
            "Reviewed-by: Senior One <senior@example.com>"},
           "",
           {{"GIT_COMMITTER_NAME", "Senior One"}, {"GIT_COMMITTER_EMAIL", "senior@example.com"}});
  CHECK(repo.git({"log", "-1", "--format=%an|%cn"}) == "Junior One|Senior One\n");
  CHECK(accepted(repo.push("HEAD:refs/heads/main")));
}

TEST_CASE("push: a feature-branch push followed by a fast-forward of main is rejected", "[e2e]") {
  TempRepo repo(kPolicy);
  repo.branch("feature");
  repo.commit(ai_message("Sneak in"), kJunior);
  REQUIRE(accepted(repo.push("HEAD:refs/heads/feature")));
  // The commit is no longer new to the repository; it must still be checked on entering main.
  ProcessResult r = repo.push("feature:refs/heads/main");
  CHECK_FALSE(accepted(r));
  CHECK_THAT(r.err, Catch::Contains("Sneak in"));
}

TEST_CASE("push: a new protected branch over unreviewed history", "[e2e]") {
  TempRepo repo(kPolicy);
  repo.branch("feature");
  std::string id = repo.commit(ai_message("Old AI work"), kJunior);
  REQUIRE(accepted(repo.push("HEAD:refs/heads/feature")));
  SECTION("is rejected") {
    ProcessResult r = repo.push("feature:refs/heads/release/1.0");
    CHECK_FALSE(accepted(r));
    CHECK_THAT(r.err, Catch::Contains("Old AI work"));
    CHECK(server_tip(repo, "refs/heads/release/1.0").empty());
  }
  SECTION("is accepted when that history is grandfathered by the baseline") {
    repo.set_policy(std::string(kPolicy) + "\n[baseline]\ncommit = \"" + id + "\"\n");
    CHECK(accepted(repo.push("feature:refs/heads/release/1.0")));
  }
}

TEST_CASE("push: deleting main is rejected", "[e2e]") {
  TempRepo repo(kPolicy);
  ProcessResult r = repo.push(":refs/heads/main");
  CHECK_FALSE(accepted(r));
  CHECK_THAT(r.err, Catch::Contains("protected-ref-delete"));
  // No commit is at fault: the last line points at the ref's own fix (an admin's allow_delete).
  CHECK_THAT(r.err, Catch::Contains("allow_delete = true"));
  CHECK_THAT(r.err, Catch::Contains("No commit needs fixing: the fix above says what to do about "
                                    "the ref."));
  CHECK_THAT(r.err, !Catch::Contains("Fix the commits above"));
  CHECK_FALSE(server_tip(repo, "refs/heads/main").empty());
}

TEST_CASE("push: force-pushing main is rejected", "[e2e]") {
  TempRepo repo(kPolicy);
  repo.commit("Human change\n", kJunior);
  REQUIRE(accepted(repo.push("HEAD:refs/heads/main")));
  repo.git({"reset", "-q", "--hard", "HEAD~1"});
  repo.commit("Rewritten human change\n", kJunior);
  ProcessResult r = repo.push("+HEAD:refs/heads/main");
  CHECK_FALSE(accepted(r));
  CHECK_THAT(r.err, Catch::Contains("protected-ref-rewrite"));
  CHECK_THAT(r.err, Catch::Contains("without --force"));
  CHECK_THAT(r.err, !Catch::Contains("Fix the commits above"));
}

TEST_CASE("push: two refs, one failing, is rejected whole", "[e2e]") {
  TempRepo repo(kPolicy);
  std::string main_before = server_tip(repo, "refs/heads/main");
  repo.commit("Human change on main\n", kJunior);
  repo.git({"branch", "good"});
  repo.commit(ai_message("Unreviewed on release"), kJunior);
  ProcessResult r = repo.push("good:refs/heads/main", {"HEAD:refs/heads/release/2"});
  CHECK_FALSE(accepted(r));
  CHECK(server_tip(repo, "refs/heads/main") == main_before);
  CHECK(server_tip(repo, "refs/heads/release/2").empty());
}

TEST_CASE("push: a malformed policy rejects the push with file:line", "[e2e]") {
  TempRepo repo(kPolicy);
  repo.set_policy(
      "[review]\nverification = \"roster\"\n\n[[protect]]\nrefs = [\"refs/heads/main\"]\n"
      "min_level = \"sr\"\n");
  repo.commit("Human change\n", kJunior);
  ProcessResult r = repo.push("HEAD:refs/heads/main");
  CHECK_FALSE(accepted(r));
  CHECK_THAT(r.err, Catch::Contains("trailgate.toml:6:"));
  CHECK_THAT(r.err, Catch::Contains("min_level"));
}

TEST_CASE("push: a repository with no policy rejects every push and says where it looked",
          "[e2e]") {
  TempRepo repo(kPolicy);
  std::filesystem::remove(repo.server() / "trailgate.toml");
  repo.commit("Human change\n", kJunior);
  ProcessResult r = repo.push("HEAD:refs/heads/feature");
  CHECK_FALSE(accepted(r));
  CHECK_THAT(r.err, Catch::Contains("no policy found"));
  CHECK_THAT(r.err, Catch::Contains("/etc/trailgate/policy.toml"));
}

TEST_CASE("push: an unprotected branch takes AI commits without review", "[e2e]") {
  TempRepo repo(kPolicy);
  repo.commit(ai_message("Experiment"), kJunior);
  ProcessResult r = repo.push("HEAD:refs/heads/feature");
  CHECK(accepted(r));
  CHECK_THAT(r.err, Catch::Contains("no protected ref is updated"));
}

TEST_CASE("push: annotated tags on protected tag refs are peeled and checked", "[e2e]") {
  TempRepo repo(std::string(kPolicy) + "\n[[protect]]\nrefs = [\"refs/tags/v*\"]\n");
  repo.commit(ai_message("Tagged AI change"), kJunior);
  repo.git({"tag", "-a", "-m", "release", "v1.0"});
  ProcessResult r = repo.push("refs/tags/v1.0");
  CHECK_FALSE(accepted(r));
  CHECK_THAT(r.err, Catch::Contains("Tagged AI change"));
}

TEST_CASE("push: the update hook gives the same verdict for one ref", "[e2e]") {
  TempRepo repo(kPolicy);
  std::filesystem::remove(repo.server() / "hooks" / "pre-receive");
  trailgate::testing::run_ok(
      {trailgate_binary(), "install", "--repo", repo.server().string(), "--hook", "update"},
      repo.server());
  repo.commit(ai_message("Through update"), kJunior);
  ProcessResult r = repo.push("HEAD:refs/heads/main");
  CHECK_FALSE(accepted(r));
  CHECK_THAT(r.err, Catch::Contains("Through update"));
}

TEST_CASE("hook: garbage on stdin is rejected with a message", "[e2e]") {
  TempRepo repo(kPolicy);
  const std::string garbage[] = {std::string("hello world\n"), std::string("\x00\xff\xfe\n", 4),
                                 std::string(""),
                                 std::string(40, 'a') + " " + std::string(40, 'b') + " main\n"};
  for (const auto& input : garbage) {
    ProcessResult r =
        run({trailgate_binary(), "pre-receive"}, repo.server(), input, {{"GIT_DIR", "."}});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("push rejected: malformed input"));
  }
}

TEST_CASE("hook: a missing object rejects the push instead of passing it", "[e2e]") {
  TempRepo repo(kPolicy);
  std::string old_id = server_tip(repo, "refs/heads/main").substr(0, 40);
  ProcessResult r =
      run({trailgate_binary(), "pre-receive"}, repo.server(),
          old_id + " " + std::string(40, 'e') + " refs/heads/main\n", {{"GIT_DIR", "."}});
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("push rejected: git error"));
}

TEST_CASE("push: a huge push lists a capped number of commits and counts the rest", "[e2e]") {
  TempRepo repo(std::string("max_listed_commits = 3\n") + kPolicy);
  for (int i = 0; i < 8; ++i)
    repo.commit(ai_message("AI change " + std::to_string(i)), kJunior);
  ProcessResult r = repo.push("HEAD:refs/heads/main");
  CHECK_FALSE(accepted(r));
  CHECK_THAT(r.err, Catch::Contains("8 of 8 commits checked fail"));
  CHECK_THAT(r.err, Catch::Contains("and 5 more failing commits not listed"));
}

TEST_CASE("push: review_all, approvals and declarations", "[e2e]") {
  SECTION("review_all requires review of a human commit") {
    TempRepo repo(std::string(kPolicy) + "review_all = true\n");
    repo.commit("Human change\n", kJunior);
    ProcessResult r = repo.push("HEAD:refs/heads/main");
    CHECK_FALSE(accepted(r));
    CHECK_THAT(r.err, Catch::Contains("review-required"));
  }
  SECTION("two approvals need two different seniors") {
    TempRepo repo(
        roster_policy({kSeniorOne.with_email("senior.one@corp.example"), kJuniorOne,
                       RosterPerson{"Senior Two", {"senior2@example.com"}, "principal", {}, {}}},
                      {protect({"refs/heads/main", "refs/heads/release/*"}, 2)}));
    repo.commit(ai_message("Big change",
                           "Reviewed-by: Senior One <senior@example.com>\n"
                           "Reviewed-by: Senior One <senior.one@corp.example>\n"),
                kJunior);
    CHECK_FALSE(accepted(repo.push("HEAD:refs/heads/main")));
    repo.git({"commit", "--amend", "-q", "--no-edit", "--trailer",
              "Reviewed-by: Senior Two <senior2@example.com>"});
    CHECK(accepted(repo.push("HEAD:refs/heads/main")));
  }
  SECTION("require_declaration needs AI-Assisted: yes|no on every commit") {
    TempRepo repo(std::string(kPolicy) + "require_declaration = true\n");
    repo.commit("Human change\n", kJunior);
    ProcessResult r = repo.push("HEAD:refs/heads/main");
    CHECK_FALSE(accepted(r));
    CHECK_THAT(r.err, Catch::Contains("declaration-required"));
    repo.git({"commit", "--amend", "-q", "--no-edit", "--trailer", "AI-Assisted: no"});
    CHECK(accepted(repo.push("HEAD:refs/heads/main")));
  }
  SECTION("an expired roster entry no longer counts") {
    std::string policy = kPolicy;
    policy.replace(policy.find("level = \"senior\""), 16,
                   "level = \"senior\"\nexpires = 2020-01-01");
    TempRepo repo(policy);
    repo.commit(ai_message("Late review", kSeniorReview), kJunior);
    ProcessResult r = repo.push("HEAD:refs/heads/main");
    CHECK_FALSE(accepted(r));
    CHECK_THAT(r.err, Catch::Contains("expired"));
  }
}

TEST_CASE("push: a review in a message that declares a non-UTF-8 encoding does not count",
          "[e2e]") {
  TempRepo repo(kPolicy);
  // git log re-encodes such a message for display, so the bytes trailgate reads are not what
  // git shows; the review must not be trusted.
  repo.git({"config", "i18n.commitEncoding", "ISO-8859-1"});
  repo.commit(ai_message("Latin-1 change", kSeniorReview), kJunior);
  REQUIRE_THAT(repo.git({"cat-file", "-p", "HEAD"}), Catch::Contains("encoding ISO-8859-1"));
  ProcessResult r = repo.push("HEAD:refs/heads/main");
  CHECK_FALSE(accepted(r));
  CHECK_THAT(r.err, Catch::Contains("declares encoding"));
}

TEST_CASE("check: with no arguments judges @{upstream}..HEAD by the upstream's ref", "[e2e]") {
  TempRepo repo(kPolicy);
  std::string policy = "--policy=" + (repo.server() / "trailgate.toml").string();
  ProcessResult clean = run({trailgate_binary(), "check", policy}, repo.clone());
  INFO(clean.out << clean.err);
  CHECK(clean.exit_code == 0);
  CHECK_THAT(clean.out, Catch::Contains("0 commits checked"));
  std::string id = repo.commit(ai_message("Local AI work"), kJunior);
  ProcessResult r = run({trailgate_binary(), "check", policy}, repo.clone());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains(id.substr(0, 12)));
  CHECK_THAT(r.out, Catch::Contains("entering refs/heads/main"));
  ProcessResult json = run({trailgate_binary(), "check", policy, "--format", "json"}, repo.clone());
  CHECK(json.exit_code == 1);
  CHECK_THAT(json.out, Catch::Contains("\"verdict\":\"unreviewed\""));
  CHECK_THAT(json.out, Catch::Contains("\"id\":\"" + id + "\""));
}

TEST_CASE("push: the hook names the pusher as the host identifies them", "[e2e]") {
  TempRepo repo(kPolicy);
  repo.commit("Human change\n", kJunior);
  SECTION("a smart-HTTP user") {
    ProcessResult r = run({"git", "push", "origin", "HEAD:refs/heads/main"}, repo.clone(), "",
                          {{"REMOTE_USER", "jdev"}});
    CHECK(accepted(r));
    CHECK_THAT(r.err, Catch::Contains("trailgate: pusher: jdev (REMOTE_USER; not on the roster)"));
  }
  SECTION("nobody") {
    ProcessResult r = repo.push("HEAD:refs/heads/main");
    CHECK(accepted(r));
    CHECK_THAT(r.err, Catch::Contains("trailgate: pusher: not identified by the host (none of "
                                      "GL_USERNAME, GL_ID, GITHUB_USER_LOGIN, "
                                      "GITEA_PUSHER_NAME, GL_USER, REMOTE_USER is set)"));
  }
  SECTION("a host value with control characters cannot forge output") {
    ProcessResult r = run({"git", "push", "origin", "HEAD:refs/heads/main"}, repo.clone(), "",
                          {{"REMOTE_USER", "eve\x1b[32m"}});
    CHECK_THAT(r.err, Catch::Contains("pusher: eve\\x1b[32m (REMOTE_USER"));
    CHECK_THAT(r.err, !Catch::Contains("\x1b"));
  }
}

TEST_CASE("push: on GitLab every line of a rejection starts with GL-HOOK-ERR:", "[e2e]") {
  TempRepo repo(kPolicy);
  const std::map<std::string, std::string> gitlab = {{"GL_ID", "user-5"}, {"GL_USERNAME", "jdev"}};
  auto remote_lines = [](const std::string& err) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < err.size()) {
      std::size_t end = err.find('\n', start);
      std::string line = err.substr(start, end == std::string::npos ? end : end - start);
      if (line.rfind("remote: ", 0) == 0)
        lines.push_back(line);
      start = end == std::string::npos ? err.size() : end + 1;
    }
    return lines;
  };
  SECTION("a policy violation") {
    repo.commit(ai_message("Unreviewed"), kJunior);
    ProcessResult r =
        run({"git", "push", "origin", "HEAD:refs/heads/main"}, repo.clone(), "", gitlab);
    CHECK_FALSE(accepted(r));
    std::vector<std::string> lines = remote_lines(r.err);
    CHECK(lines.size() > 5);
    for (const std::string& line : lines)
      CHECK_THAT(line, Catch::StartsWith("remote: GL-HOOK-ERR: "));
    CHECK_THAT(r.err, Catch::Contains("GL-HOOK-ERR: trailgate: pusher: jdev (GL_USERNAME"));
  }
  SECTION("an error: no policy") {
    std::filesystem::remove(repo.server() / "trailgate.toml");
    repo.commit("Human change\n", kJunior);
    ProcessResult r =
        run({"git", "push", "origin", "HEAD:refs/heads/main"}, repo.clone(), "", gitlab);
    CHECK_FALSE(accepted(r));
    std::vector<std::string> lines = remote_lines(r.err);
    CHECK(lines.size() > 3);
    for (const std::string& line : lines)
      CHECK_THAT(line, Catch::StartsWith("remote: GL-HOOK-ERR: "));
  }
  SECTION("an acceptance is not marked as an error") {
    repo.commit("Human change\n", kJunior);
    ProcessResult r =
        run({"git", "push", "origin", "HEAD:refs/heads/main"}, repo.clone(), "", gitlab);
    CHECK(accepted(r));
    CHECK_THAT(r.err, !Catch::Contains("GL-HOOK-ERR"));
  }
  SECTION("gitolite's GL_USER is not GitLab") {
    repo.commit(ai_message("Unreviewed"), kJunior);
    ProcessResult r = run({"git", "push", "origin", "HEAD:refs/heads/main"}, repo.clone(), "",
                          {{"GL_USER", "jdev"}});
    CHECK_FALSE(accepted(r));
    CHECK_THAT(r.err, !Catch::Contains("GL-HOOK-ERR"));
    CHECK_THAT(r.err, Catch::Contains("pusher: jdev (GL_USER"));
  }
}
