// End-to-end: the `script` of examples/gitlab-ci.yml's trailgate job, run with bash (as GitLab's
// runner does, `set -eo pipefail`, plus -u) in a clone of a real local "origin", with GitLab's
// merge request variables set: it fails on an unreviewed AI commit and leaves a Code Quality
// report (and a JUnit report) naming it; after review it passes with an empty Code Quality report.
// Its before_script (installing trailgate) is not run: trailgate is the built binary, on PATH.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "support/ci_validate.h"
#include "support/fixtures.h"
#include "support/temp_repo.h"

using json = nlohmann::json;
using trailgate::testing::ai_message;
using trailgate::testing::ident;
using trailgate::testing::kJuniorOne;
using trailgate::testing::kSeniorOne;
using trailgate::testing::ProcessResult;
using trailgate::testing::read_file;
using trailgate::testing::reviewed_by;
using trailgate::testing::roster_policy;
using trailgate::testing::run;
using trailgate::testing::TempDir;
using trailgate::testing::TempRepo;
using trailgate::testing::trailgate_binary;
using trailgate::testing::write_file;
using trailgate::testing::xml_errors;
using trailgate::testing::yaml_as_json;
namespace fs = std::filesystem;

namespace {

const fs::path kSource = TRAILGATE_SOURCE_DIR;

// The job's `script` lines, joined, and its variables' defaults, from the template.
json load_job() {
  return json::parse(yaml_as_json(kSource / "examples" / "gitlab-ci.yml"))["trailgate"];
}

}  // namespace

TEST_CASE("gitlab template: the job fails with a Code Quality report, then passes after review",
          "[e2e][ci][gitlab]") {
  const std::string policy = roster_policy({kSeniorOne, kJuniorOne});
  TempRepo repo(policy);
  write_file(repo.clone() / ".trailgate.toml", policy);
  repo.git({"add", ".trailgate.toml"});
  const std::string base = repo.commit("Add the policy", ident(kSeniorOne));
  REQUIRE(repo.push("HEAD:refs/heads/main").exit_code == 0);
  // The merge request's source branch, as GitLab's runner checks it out.
  repo.branch("feature");
  const std::string ai =
      repo.commit(ai_message("Add retry logic"), ident(kJuniorOne), "", "src/retry.c");

  const json job = load_job();
  REQUIRE(job["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json");
  CHECK(job["variables"]["GIT_DEPTH"] == "0");
  std::string script;
  for (const json& line : job["script"])
    script += line.get<std::string>() + "\n";
  TempDir dir;
  write_file(dir.path() / "bin" / ".keep", "");
  fs::create_symlink(trailgate_binary(), dir.path() / "bin" / "trailgate");
  write_file(dir.path() / "script.sh", script);
  const char* path = std::getenv("PATH");

  auto run_job = [&](const std::string& head) {
    std::map<std::string, std::string> env = {
        {"PATH", (dir.path() / "bin").string() + ":" + (path ? path : "/usr/bin:/bin")},
        {"CI", "true"},
        {"GITLAB_CI", "true"},
        {"CI_PIPELINE_SOURCE", "merge_request_event"},
        {"CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main"},
        {"CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "feature"},
        {"CI_MERGE_REQUEST_DIFF_BASE_SHA", base},
        {"CI_COMMIT_SHA", head}};
    for (const auto& [key, value] : job["variables"].items())
      env[key] = value.get<std::string>();
    return run(
        {"bash", "--noprofile", "--norc", "-euo", "pipefail", (dir.path() / "script.sh").string()},
        repo.clone(), "", env);
  };

  ProcessResult failed = run_job(ai);
  INFO(failed.out << failed.err);
  CHECK(failed.exit_code == 1);
  CHECK_THAT(failed.out, Catch::Contains(ai.substr(0, 12)));  // the job log
  CHECK_THAT(failed.out, Catch::Contains("policy read from commit " + base));
  const json issues = json::parse(read_file(repo.clone() / "gl-code-quality-report.json"));
  REQUIRE(issues.size() == 1);
  CHECK(issues[0]["check_name"] == "ai-review-required");
  CHECK(issues[0]["fingerprint"] == ai + ":ai-review-required");
  CHECK(issues[0]["location"]["path"] == "src/retry.c");
  const std::string junit = read_file(repo.clone() / "trailgate-junit.xml");
  CHECK(xml_errors(junit).empty());
  CHECK_THAT(junit, Catch::Contains("failures=\"1\""));

  // A senior's review (roster verification in this policy) on the commit.
  repo.git({"commit", "--amend", "-q", "--cleanup=verbatim", "-m",
            ai_message("Add retry logic", reviewed_by(kSeniorOne) + "\n")});
  const std::string reviewed = repo.git({"rev-parse", "HEAD"}).substr(0, 40);
  ProcessResult passed = run_job(reviewed);
  INFO(passed.out << passed.err);
  CHECK(passed.exit_code == 0);
  CHECK(json::parse(read_file(repo.clone() / "gl-code-quality-report.json")).empty());
}
