// End-to-end: trailgate under the pre-commit framework (Debian's `pre-commit`), at the pre-push
// stage, with the hook as this repository's .pre-commit-hooks.yaml declares it. The hook
// repository is a local git repository holding that file (pre-commit clones it from disk, no
// network); `pre-commit install --hook-type pre-push` in a clone; a push to the protected main
// is stopped by the hook, then goes through once a senior has run `trailgate approve`.
//
// The server's own pre-receive hook is removed, so that only pre-commit's hook can stop the push.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <string>

#include "support/fixtures.h"
#include "support/temp_repo.h"

using trailgate::testing::ai_message;
using trailgate::testing::ident;
using trailgate::testing::kJuniorOne;
using trailgate::testing::kSeniorOne;
using trailgate::testing::ProcessResult;
using trailgate::testing::protect;
using trailgate::testing::read_file;
using trailgate::testing::run;
using trailgate::testing::run_ok;
using trailgate::testing::signature_policy;
using trailgate::testing::SshKey;
using trailgate::testing::TempDir;
using trailgate::testing::TempRepo;
using trailgate::testing::trailgate_binary;
using trailgate::testing::write_file;
namespace fs = std::filesystem;

namespace {

const fs::path kSource = TRAILGATE_SOURCE_DIR;

struct PreCommitSetup {
  TempDir dir;
  SshKey senior = trailgate::testing::make_ssh_key(dir.path(), "senior", "ed25519");
  std::string policy = signature_policy({kSeniorOne.with_keys({senior.public_key}), kJuniorOne},
                                        {protect({"refs/heads/main"})});
  TempRepo repo{policy};
  fs::path hooks_repo = dir.path() / "trailgate-hooks";
  std::map<std::string, std::string> env;

  PreCommitSetup() {
    // Only the client-side hook may stop a push in this test.
    fs::remove(repo.server() / "hooks" / "pre-receive");
    REQUIRE_FALSE(fs::exists(repo.server() / "hooks" / "pre-receive"));

    // language: system: trailgate is found on PATH.
    fs::create_directories(dir.path() / "bin");
    fs::create_symlink(trailgate_binary(), dir.path() / "bin" / "trailgate");
    const char* path = std::getenv("PATH");
    env = {{"PATH", (dir.path() / "bin").string() + ":" + (path ? path : "/usr/bin:/bin")},
           {"PRE_COMMIT_HOME", (dir.path() / "pre-commit-home").string()},
           {"PRE_COMMIT_COLOR", "never"}};

    // The hook repository: this repository's .pre-commit-hooks.yaml, as pre-commit clones it.
    fs::create_directories(hooks_repo);
    run_ok({"git", "init", "-q"}, hooks_repo);
    fs::copy_file(kSource / ".pre-commit-hooks.yaml", hooks_repo / ".pre-commit-hooks.yaml");
    run_ok({"git", "add", ".pre-commit-hooks.yaml"}, hooks_repo);
    run_ok({"git", "commit", "-q", "-m", "trailgate hooks"}, hooks_repo);
    const std::string rev = run_ok({"git", "rev-parse", "HEAD"}, hooks_repo).substr(0, 40);

    // main: the policy and the pre-commit configuration, by a senior, pushed.
    write_file(repo.clone() / ".trailgate.toml", policy);
    write_file(repo.clone() / ".pre-commit-config.yaml",
               "repos:\n"
               "  - repo: " +
                   hooks_repo.string() +
                   "\n"
                   "    rev: " +
                   rev +
                   "\n"
                   "    hooks:\n"
                   "      - id: trailgate\n"
                   "        args: [--policy-rev, \"refs/remotes/origin/main:.trailgate.toml\"]\n");
    repo.git({"add", ".trailgate.toml", ".pre-commit-config.yaml"});
    repo.commit("Add the policy and the pre-commit hook", ident(kSeniorOne));
    REQUIRE(repo.push("HEAD:refs/heads/main").exit_code == 0);

    ProcessResult install =
        run({"pre-commit", "install", "--hook-type", "pre-push"}, repo.clone(), "", env);
    INFO(install.out << install.err);
    REQUIRE(install.exit_code == 0);
    REQUIRE(fs::exists(repo.clone() / ".git" / "hooks" / "pre-push"));
  }

  ProcessResult push() {
    return run({"git", "push", "origin", "HEAD:refs/heads/main"}, repo.clone(), "", env);
  }
  std::string server_main() {
    return repo.server_git({"rev-parse", "refs/heads/main"}).substr(0, 40);
  }
};

}  // namespace

TEST_CASE(
    "pre-commit: the pre-push hook stops an unreviewed AI commit, and lets it through "
    "after approval",
    "[e2e][ci][pre-commit]") {
  PreCommitSetup s;
  const std::string before = s.server_main();
  const std::string ai =
      s.repo.commit(ai_message("Add retry logic"), ident(kJuniorOne), "", "src/retry.c");

  ProcessResult stopped = s.push();
  INFO(stopped.out << stopped.err);
  CHECK(stopped.exit_code != 0);
  const std::string said = stopped.out + stopped.err;
  CHECK_THAT(said, Catch::Contains("trailgate (verified review of AI-assisted commits)"));
  CHECK_THAT(said, Catch::Contains("Failed"));
  CHECK_THAT(said, Catch::Contains("hook id: trailgate"));
  CHECK_THAT(said, Catch::Contains(ai.substr(0, 12)));
  CHECK_THAT(said, Catch::Contains("ai-review-required"));
  CHECK(s.server_main() == before);

  ProcessResult approve =
      run({trailgate_binary(), "approve", "--key", s.senior.path, "--as", ident(kSeniorOne)},
          s.repo.clone());
  INFO(approve.out << approve.err);
  REQUIRE(approve.exit_code == 0);
  const std::string approved = s.repo.git({"rev-parse", "HEAD"}).substr(0, 40);

  ProcessResult allowed = s.push();
  INFO(allowed.out << allowed.err);
  CHECK(allowed.exit_code == 0);
  CHECK_THAT(allowed.out + allowed.err, Catch::Contains("Passed"));
  CHECK(s.server_main() == approved);
}

TEST_CASE("pre-commit: without a policy the hook stops every push", "[e2e][ci][pre-commit]") {
  PreCommitSetup s;
  // The configuration forgets the policy: check finds none and the push stops (exit 2).
  write_file(s.repo.clone() / ".pre-commit-config.yaml",
             "repos:\n  - repo: " + s.hooks_repo.string() +
                 "\n    rev: " + run_ok({"git", "rev-parse", "HEAD"}, s.hooks_repo).substr(0, 40) +
                 "\n    hooks:\n      - id: trailgate\n");
  s.repo.git({"add", ".pre-commit-config.yaml"});
  const std::string before = s.server_main();
  s.repo.commit("Drop the policy argument", ident(kSeniorOne));
  ProcessResult stopped = s.push();
  INFO(stopped.out << stopped.err);
  CHECK(stopped.exit_code != 0);
  CHECK_THAT(stopped.out + stopped.err, Catch::Contains("no policy found"));
  CHECK(s.server_main() == before);
}
