// End-to-end: blast radius. Real pushes into a bare repository whose policy asks for two
// senior reviews when an AI-assisted commit touches infrastructure paths, and whose default
// mass-change guard catches the "delete and recreate" kind of change. Each case of issue 7's
// list is one section: stricter where the damage could be greatest, unchanged elsewhere.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <optional>

#include "support/fixtures.h"
#include "support/temp_repo.h"

using trailgate::testing::kClaudeTrailer;
using trailgate::testing::kSeniorOne;
using trailgate::testing::kSeniorTwo;
using trailgate::testing::ProcessResult;
using trailgate::testing::protect;
using trailgate::testing::reviewed_by;
using trailgate::testing::roster_policy;
using trailgate::testing::TempRepo;
using trailgate::testing::write_file;
namespace fs = std::filesystem;

namespace {

const char* const kSensitive = R"(
  [[protect.sensitive]]
  paths = ["infra/**", "**/*.tf", ".github/workflows/**"]
  approvals = 2
  min_level = "senior"
)";

const std::string kPolicy = roster_policy({kSeniorOne, kSeniorTwo},
                                          {protect({"refs/heads/main"}, 1, "senior", kSensitive)});

const std::string kAi = "\n\n" + kClaudeTrailer + "\n";
const std::string kOneReview = reviewed_by(kSeniorOne) + "\n";
const std::string kTwoReviews = kOneReview + reviewed_by(kSeniorTwo) + "\n";

// Applies `files` to the clone (content, or nullopt to delete) and commits them all.
std::string commit_files(TempRepo& repo, const std::string& message,
                         const std::map<std::string, std::optional<std::string>>& files) {
  for (const auto& [path, content] : files) {
    if (content)
      write_file(repo.clone() / path, *content);
    else
      fs::remove(repo.clone() / path);
  }
  repo.git({"add", "-A"});
  repo.git(
      {"commit", "-q", "--cleanup=verbatim", "--author", "Dev One <dev@example.com>", "-F", "-"},
      message, {{"GIT_COMMITTER_NAME", "Dev One"}, {"GIT_COMMITTER_EMAIL", "dev@example.com"}});
  return repo.git({"rev-parse", "HEAD"}).substr(0, 40);
}

std::string lines(const std::string& prefix, int n) {
  std::string out;
  for (int i = 0; i < n; ++i)
    out += fmt::format("{} line {}\n", prefix, i);
  return out;
}

// A repository whose main already holds a small project (pushed by a human, no AI markers):
// ten source files, an infra/ directory and an env/ directory of three files.
struct Project {
  TempRepo repo{kPolicy};
  Project() {
    std::map<std::string, std::optional<std::string>> files;
    for (int i = 0; i < 10; ++i)
      files[fmt::format("src/file{}.c", i)] = lines(fmt::format("src {}", i), 20);
    files["infra/main.tf"] = lines("resource", 10);
    files["docs/plan.txt"] = lines("plan", 10);
    for (const char* name : {"env/app.yaml", "env/db.yaml", "env/cache.yaml"})
      files[name] = lines(std::string("setting of ") + name, 12);
    commit_files(repo, "Set up the project\n", files);
    ProcessResult pushed = repo.push("main");
    INFO(pushed.err);
    REQUIRE(pushed.exit_code == 0);
  }
};

ProcessResult push_main(TempRepo& repo) {
  return repo.push("HEAD:refs/heads/main");
}

void require_accepted(const ProcessResult& r) {
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

void require_rejected(const ProcessResult& r, const std::vector<std::string>& mentions) {
  INFO(r.err);
  REQUIRE(r.exit_code != 0);
  for (const auto& text : mentions)
    CHECK(r.err.find(text) != std::string::npos);
}

}  // namespace

TEST_CASE("blast radius: an AI commit touching infra/ needs two senior reviews", "[e2e][blast]") {
  Project p;
  auto change = std::map<std::string, std::optional<std::string>>{
      {"infra/main.tf", lines("resource v2", 10)}};
  SECTION("one review is rejected, naming the path and the rule") {
    commit_files(p.repo, "Resize the cluster" + kAi + kOneReview, change);
    ProcessResult r = push_main(p.repo);
    require_rejected(r, {"blast-radius-review", "infra/main.tf", "infra/**", "needs 2 verified"});
  }
  SECTION("two reviews are accepted") {
    commit_files(p.repo, "Resize the cluster" + kAi + kTwoReviews, change);
    require_accepted(push_main(p.repo));
  }
  SECTION("the same commit without AI markers needs no review") {
    commit_files(p.repo, "Resize the cluster\n", change);
    require_accepted(push_main(p.repo));
  }
}

TEST_CASE("blast radius: a rename into a protected path counts", "[e2e][blast]") {
  Project p;
  p.repo.git({"mv", "docs/plan.txt", "infra/plan.txt"});
  commit_files(p.repo, "Move the plan" + kAi + kOneReview, {});
  ProcessResult r = push_main(p.repo);
  require_rejected(r, {"blast-radius-review", "infra/plan.txt"});
}

TEST_CASE("blast radius: an AI commit deleting 60% of the tree needs two reviews", "[e2e][blast]") {
  Project p;
  // 16 files in the tree; deleting 10 of them is 62.5%, over the default share of 0.25.
  std::map<std::string, std::optional<std::string>> deletions;
  for (int i = 0; i < 10; ++i)
    deletions[fmt::format("src/file{}.c", i)] = std::nullopt;
  commit_files(p.repo, "Remove the old sources" + kAi + kOneReview, deletions);
  ProcessResult r = push_main(p.repo);
  require_rejected(r, {"blast-radius-review", "10", "16"});

  p.repo.git({"commit", "--amend", "-q", "--cleanup=verbatim", "-m",
              "Remove the old sources" + kAi + kTwoReviews},
             "", {{"GIT_COMMITTER_NAME", "Dev One"}, {"GIT_COMMITTER_EMAIL", "dev@example.com"}});
  require_accepted(push_main(p.repo));
}

TEST_CASE("blast radius: deleting a directory and recreating it rewritten needs two reviews",
          "[e2e][blast]") {
  Project p;
  // The "delete and recreate the environment" change: every file under env/ replaced with
  // unrelated content under the same names. No file is deleted as far as git's diff goes.
  std::map<std::string, std::optional<std::string>> rewrite;
  for (const char* name : {"env/app.yaml", "env/db.yaml", "env/cache.yaml"})
    rewrite[name] = lines(std::string("recreated ") + name + " with new values", 15);
  commit_files(p.repo, "Recreate the environment" + kAi + kOneReview, rewrite);
  ProcessResult r = push_main(p.repo);
  require_rejected(r, {"blast-radius-review", "env"});
}

TEST_CASE("blast radius: a normal AI commit with one review is accepted under the same policy",
          "[e2e][blast]") {
  Project p;
  std::string edited = lines("src 3", 20);
  edited.replace(edited.find("line 5"), 6, "line five");
  commit_files(p.repo, "Fix a typo" + kAi + kOneReview, {{"src/file3.c", edited}});
  require_accepted(push_main(p.repo));
}
