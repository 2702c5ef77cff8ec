// End-to-end: `trailgate check` as CI and git's pre-push hook run it (docs/ci.md), on a real
// pull request: a base on main that holds the policy, and a branch with an unreviewed AI commit,
// a hostile subject and a commit that edits the policy to drop protection.
#include <catch2/catch.hpp>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/ci_validate.h"
#include "support/fixtures.h"
#include "support/temp_repo.h"

using json = nlohmann::json;
using trailgate::testing::ai_message;
using trailgate::testing::ident;
using trailgate::testing::kJuniorOne;
using trailgate::testing::kSeniorOne;
using trailgate::testing::parse_workflow_command;
using trailgate::testing::ProcessResult;
using trailgate::testing::read_file;
using trailgate::testing::roster_policy;
using trailgate::testing::run;
using trailgate::testing::run_ok;
using trailgate::testing::sarif_schema_errors;
using trailgate::testing::TempDir;
using trailgate::testing::TempRepo;
using trailgate::testing::text_lines;
using trailgate::testing::trailgate_binary;
using trailgate::testing::write_file;
using trailgate::testing::xml_errors;

namespace {

const std::string kPolicy = roster_policy({kSeniorOne, kJuniorOne});
// What the pull request would like the policy to be: nothing protected.
const std::string kLaxPolicy = roster_policy(
    {kSeniorOne, kJuniorOne}, {trailgate::testing::protect({"refs/heads/release/*"})});
const std::string kHostileSubject = "Evil \"quote\" <x> & \x1b[31m \xff %0A a:b,c";
const std::string kZero(40, '0');

// Commits `content` as `path` in the clone, by `author`; returns the new commit's id.
std::string commit_file(TempRepo& repo, const std::string& path, const std::string& content,
                        const std::string& message, const std::string& author) {
  write_file(repo.clone() / path, content);
  repo.git({"add", "--", path});
  const std::size_t lt = author.find('<');
  const std::map<std::string, std::string> env = {
      {"GIT_COMMITTER_NAME", author.substr(0, lt - 1)},
      {"GIT_COMMITTER_EMAIL", author.substr(lt + 1, author.size() - lt - 2)}};
  repo.git({"commit", "-q", "--author", author, "-m", message}, "", env);
  return repo.git({"rev-parse", "HEAD"}).substr(0, 40);
}

// main (pushed to the server) holds the policy at `base`; branch feature adds an unreviewed AI
// commit, an AI commit with a hostile subject, and a commit that relaxes the policy (`head`).
struct PullRequest {
  TempRepo repo{kPolicy};
  std::string base, ai, hostile, head;
  PullRequest() {
    base = commit_file(repo, ".trailgate.toml", kPolicy, "Add the policy", ident(kSeniorOne));
    REQUIRE(repo.push("HEAD:refs/heads/main").exit_code == 0);
    repo.branch("feature");
    ai = repo.commit(ai_message("Add retry logic"), ident(kJuniorOne), "", "src/retry.c");
    hostile = repo.commit(ai_message(kHostileSubject), ident(kJuniorOne), "", "docs/odd, name.md");
    head = commit_file(repo, ".trailgate.toml", kLaxPolicy, "Relax the policy", ident(kJuniorOne));
  }
  ProcessResult check(const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env = {},
                      const std::string& input = "") {
    std::vector<std::string> argv = {trailgate_binary(), "check"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, repo.clone(), input, env);
  }
  std::string server_policy() const {
    return "--policy=" + (repo.server() / "trailgate.toml").string();
  }
};

}  // namespace

TEST_CASE("ci: the policy comes from the base, and a change to it is reported", "[e2e][ci]") {
  PullRequest pr;
  // Judged by its own policy the pull request would pass: that is what --policy-rev prevents.
  ProcessResult own =
      pr.check({"--policy-rev", "feature", "--ref", "main", "--base", pr.base, "--head", pr.head});
  INFO(own.out << own.err);
  CHECK(own.exit_code == 0);

  ProcessResult r =
      pr.check({"--policy-rev", pr.base, "--ref", "main", "--base", pr.base, "--head", pr.head});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("policy read from commit " + pr.base));
  CHECK_THAT(r.out, Catch::Contains("path .trailgate.toml"));
  CHECK_THAT(r.out, Catch::Contains("modifies the policy file .trailgate.toml"));
  CHECK_THAT(r.out, Catch::Contains(pr.ai.substr(0, 12)));
  CHECK_THAT(r.out, Catch::Contains("2 of 3 commits checked fail"));

  ProcessResult j = pr.check({"--policy-rev", pr.base + ":.trailgate.toml", "--ref", "main",
                              "--format", "json", pr.base + ".." + pr.head});
  CHECK(j.exit_code == 1);
  const json doc = json::parse(j.out);
  CHECK(doc["policy_rev"]["commit"] == pr.base);
  CHECK(doc["policy_rev"]["path"] == ".trailgate.toml");
  CHECK(doc["policy_rev"]["changed"] == true);
  CHECK(doc["policy"] == pr.base + ":.trailgate.toml");

  ProcessResult s = pr.check({"--policy-rev", pr.base, "--ref", "main", "--format", "sarif",
                              "--base", pr.base, "--head", pr.head});
  CHECK(s.exit_code == 1);
  CHECK(sarif_schema_errors(s.out).empty());
  const json sarif = json::parse(s.out);
  CHECK(sarif["runs"][0]["properties"]["policy"]["commit"] == pr.base);
  CHECK(sarif["runs"][0]["properties"]["policy"]["changed"] == true);
  CHECK(sarif["runs"][0]["invocations"][0]["toolConfigurationNotifications"].size() == 1);
  CHECK_THAT(s.err, Catch::Contains("modifies the policy file"));

  SECTION("a policy path or revision that does not exist is a usage error") {
    ProcessResult missing = pr.check({"--policy-rev", pr.base + ":nope.toml", "--ref", "main",
                                      "--base", pr.base, "--head", pr.head});
    CHECK(missing.exit_code == 2);
    CHECK_THAT(missing.err, Catch::Contains("has no file nope.toml"));
    ProcessResult no_rev = pr.check(
        {"--policy-rev", "no-such-branch", "--ref", "main", "--base", pr.base, "--head", pr.head});
    CHECK(no_rev.exit_code == 2);
    CHECK_THAT(no_rev.err, Catch::Contains("names no commit"));
    ProcessResult both = pr.check({"--policy-rev", pr.base, pr.server_policy(), "--ref", "main",
                                   "--base", pr.base, "--head", pr.head});
    CHECK(both.exit_code == 2);
  }
  SECTION("the work tree's policy file is never read") {
    write_file(pr.repo.clone() / ".trailgate.toml", "this is not TOML [[[");
    ProcessResult again =
        pr.check({"--policy-rev", pr.base, "--ref", "main", "--base", pr.base, "--head", pr.head});
    CHECK(again.exit_code == 1);
  }
}

TEST_CASE("ci: --ref main fails exactly as refs/heads/main, and a ref naming nothing is an error",
          "[e2e][ci]") {
  PullRequest pr;
  // The server rejects these commits on main.
  CHECK(pr.repo.push("feature:refs/heads/main").exit_code != 0);
  const std::string range = pr.base + ".." + pr.head;
  ProcessResult full = pr.check({pr.server_policy(), "--ref", "refs/heads/main", range});
  ProcessResult short_name = pr.check({pr.server_policy(), "--ref", "main", range});
  INFO(full.out << short_name.out << short_name.err);
  CHECK(full.exit_code == 1);
  CHECK(short_name.exit_code == 1);
  CHECK(short_name.out == full.out);
  ProcessResult heads = pr.check({pr.server_policy(), "--ref", "heads/main", range});
  CHECK(heads.exit_code == 1);

  ProcessResult nothing = pr.check({pr.server_policy(), "--ref", "mian", range});
  CHECK(nothing.exit_code == 2);
  CHECK_THAT(nothing.err, Catch::Contains("refs/heads/mian matches no protected ref"));
  CHECK(nothing.out.empty());
  for (const char* format : {"sarif", "github", "junit", "gitlab", "json"}) {
    ProcessResult f = pr.check({pr.server_policy(), "--ref", "nosuch", "--format", format, range});
    CHECK(f.exit_code == 2);
  }
  // From the environment too.
  ProcessResult env_ref = pr.check({pr.server_policy(), range}, {{"GITHUB_BASE_REF", "mian"}});
  CHECK(env_ref.exit_code == 2);

  // A branch that exists but is unprotected: nothing to check, and said so.
  ProcessResult feature = pr.check({pr.server_policy(), "--ref", "feature", range});
  CHECK(feature.exit_code == 0);
  CHECK_THAT(feature.out, Catch::Contains("refs/heads/feature is not protected by policy"));
}

TEST_CASE("ci: defaults come from GitHub, GitLab and pre-commit, and flags win", "[e2e][ci]") {
  PullRequest pr;
  TempDir dir;
  const std::string event = (dir.path() / "event.json").string();
  const std::string summary = (dir.path() / "summary.md").string();
  write_file(event, json{{"action", "opened"},
                         {"pull_request",
                          {{"base", {{"ref", "main"}, {"sha", pr.base}}},
                           {"head", {{"ref", "feature"}, {"sha", pr.head}}}}}}
                        .dump());
  const std::map<std::string, std::string> github = {
      {"GITHUB_EVENT_PATH", event}, {"GITHUB_BASE_REF", "main"}, {"GITHUB_STEP_SUMMARY", summary}};

  SECTION("GitHub: workflow commands and the step summary") {
    ProcessResult r = pr.check({"--policy-rev", pr.base, "--format", "github"}, github);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    std::size_t errors = 0;
    bool named_ai = false, named_hostile = false;
    for (const std::string& line : text_lines(r.out)) {
      const auto command = parse_workflow_command(line);
      if (command.command != "error" || command.property("file").empty())
        continue;
      ++errors;
      named_ai = named_ai || (command.message.find(pr.ai) != std::string::npos &&
                              command.property("file") == "src/retry.c");
      named_hostile = named_hostile || (command.message.find(pr.hostile) != std::string::npos &&
                                        command.property("file") == "docs/odd, name.md");
      CHECK(command.message.find('\n') == std::string::npos);
    }
    CHECK(errors == 2);
    CHECK(named_ai);
    CHECK(named_hostile);
    CHECK_THAT(r.out, Catch::Contains("::warning title=trailgate policy changed"));
    const std::string table = read_file(summary);
    CHECK_THAT(table, Catch::Contains("| commit | subject | rule | problem | fix |"));
    CHECK_THAT(table, Catch::Contains(pr.ai.substr(0, 12)));
    CHECK_THAT(r.err, Catch::Contains("defaults from GitHub"));
  }
  SECTION("explicit flags win over the environment") {
    ProcessResult r = pr.check({"--policy-rev", pr.base, "--head", pr.base}, github);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("0 commits checked"));
  }
  SECTION("GitLab: Code Quality") {
    ProcessResult r = pr.check({"--policy-rev", pr.base, "--format", "gitlab"},
                               {{"CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main"},
                                {"CI_MERGE_REQUEST_DIFF_BASE_SHA", pr.base},
                                {"CI_COMMIT_SHA", pr.head}});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    const json issues = json::parse(r.out);
    REQUIRE(issues.size() == 2);
    // Newest first, as the walk judges them.
    CHECK(issues[1]["check_name"] == "ai-review-required");
    CHECK(issues[1]["location"]["path"] == "src/retry.c");
    CHECK(issues[1]["location"]["lines"]["begin"] == 1);
    CHECK_THAT(issues[1]["description"].get<std::string>(), Catch::Contains(pr.ai));
    CHECK(issues[1]["fingerprint"] == pr.ai + ":ai-review-required");
    CHECK(issues[0]["fingerprint"] == pr.hostile + ":ai-review-required");
  }
  SECTION("pre-commit's pre-push stage: JUnit") {
    ProcessResult r = pr.check({"--policy-rev", pr.base, "--format", "junit"},
                               {{"PRE_COMMIT_FROM_REF", pr.base},
                                {"PRE_COMMIT_TO_REF", pr.head},
                                {"PRE_COMMIT_REMOTE_BRANCH", "refs/heads/main"}});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(xml_errors(r.out).empty());
    CHECK_THAT(r.out, Catch::Contains("tests=\"3\" failures=\"2\""));
  }
}

TEST_CASE("ci: SARIF and JUnit from a real range with a hostile subject are valid", "[e2e][ci]") {
  PullRequest pr;
  ProcessResult s = pr.check(
      {"--policy-rev", pr.base, "--ref", "main", "--format", "sarif", pr.base + ".." + pr.head});
  CHECK(s.exit_code == 1);
  CHECK(sarif_schema_errors(s.out).empty());
  const json results = json::parse(s.out)["runs"][0]["results"];
  REQUIRE(results.size() == 2);
  CHECK(results[0]["properties"]["commit"] == pr.hostile);
  CHECK(results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] ==
        "docs/odd%2C%20name.md");
  ProcessResult j = pr.check(
      {"--policy-rev", pr.base, "--ref", "main", "--format", "junit", pr.base + ".." + pr.head});
  CHECK(j.exit_code == 1);
  CHECK(xml_errors(j.out).empty());
}

TEST_CASE("ci: --pre-push judges each line of git's pre-push input", "[e2e][ci]") {
  PullRequest pr;
  const std::string policy = "--policy-rev=" + pr.base;
  auto line = [](const std::string& local_ref, const std::string& local,
                 const std::string& remote_ref, const std::string& remote) {
    return local_ref + " " + local + " " + remote_ref + " " + remote + "\n";
  };
  const std::string url = pr.repo.server().string();
  SECTION("an update of main fails") {
    ProcessResult r = pr.check({policy, "--pre-push", "origin", url}, {},
                               line("refs/heads/feature", pr.head, "refs/heads/main", pr.base));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Catch::Contains("2 of 3 commits checked fail"));
  }
  SECTION("a new branch is judged against the remote's protected history") {
    ProcessResult r = pr.check({policy, "--pre-push", "origin", url}, {},
                               line("refs/heads/feature", pr.head, "refs/heads/main", kZero));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    // Only the pull request's three commits: origin/main already has the rest.
    CHECK_THAT(r.out, Catch::Contains("2 of 3 commits checked fail"));
  }
  SECTION("an unprotected ref and a delete pass locally") {
    ProcessResult r = pr.check({policy, "--pre-push", "origin", url}, {},
                               line("refs/heads/feature", pr.head, "refs/heads/feature", kZero) +
                                   line("(delete)", kZero, "refs/heads/main", pr.base));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("a delete, not checked locally"));
  }
  SECTION("nothing to push passes") {
    CHECK(pr.check({policy, "--pre-push", "origin", url}).exit_code == 0);
  }
  SECTION("malformed input is a usage error") {
    ProcessResult r = pr.check({policy, "--pre-push"}, {}, "garbage\n");
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("pre-push input line 1"));
    CHECK(pr.check({policy, "--pre-push", "a", "b", "c"}).exit_code == 2);
    CHECK(pr.check({policy, "--pre-push", "--ref", "main"}).exit_code == 2);
  }
  SECTION("a real git push runs it as a pre-push hook") {
    write_file(
        pr.repo.clone() / ".git" / "hooks" / "pre-push",
        "#!/bin/sh\nexec '" + trailgate_binary() + "' check " + policy + " --pre-push \"$@\"\n");
    run_ok({"chmod", "+x", ".git/hooks/pre-push"}, pr.repo.clone());
    ProcessResult push = pr.repo.push("feature:refs/heads/main");
    CHECK(push.exit_code != 0);
    CHECK_THAT(push.out + push.err, Catch::Contains("ai-review-required"));
    // The server never saw it: the hook stopped the push.
    CHECK(pr.repo.server_git({"rev-parse", "refs/heads/main"}).substr(0, 40) == pr.base);
  }
}
