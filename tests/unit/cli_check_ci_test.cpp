// `trailgate check`'s CI options as data: the command line's new flags, and the defaults each
// forge's environment gives (cli/commands.h forge_range_from_env), in their order of precedence.
#include <catch2/catch.hpp>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command_line.h"
#include "cli/commands.h"
#include "pipeline/pipeline.h"
#include "support/temp_repo.h"

using trailgate::cli::Command;
using trailgate::cli::CommandLine;
using trailgate::cli::forge_range_from_env;
using trailgate::cli::ForgeRange;
using trailgate::testing::TempDir;
using trailgate::testing::write_file;

namespace {

CommandLine parse(std::vector<std::string> args) {
  args.insert(args.begin(), "trailgate");
  std::vector<const char*> argv;
  for (const auto& a : args)
    argv.push_back(a.c_str());
  std::ostringstream out, err;
  return trailgate::cli::parse_command_line(static_cast<int>(argv.size()), argv.data(), out, err);
}

ForgeRange from(const std::map<std::string, std::string>& env) {
  return forge_range_from_env([&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

const std::string kBase(40, 'a');
const std::string kHead(40, 'b');

}  // namespace

TEST_CASE("check: the CI options parse", "[cli]") {
  CommandLine line = parse({"check", "--policy-rev", "origin/main:.tg.toml", "--base", "A",
                            "--head", "B", "--ref", "main", "--format", "sarif"});
  REQUIRE(line.command == Command::check);
  CHECK(line.check.policy_rev == "origin/main:.tg.toml");
  CHECK(line.check.base == "A");
  CHECK(line.check.head == "B");
  CHECK(line.check.ref == "main");
  CHECK(line.check.format == "sarif");
  CHECK_FALSE(line.check.pre_push);
  for (const char* format : {"json", "github", "junit", "gitlab", "text"})
    CHECK(parse({"check", "--format", format}).check.format == format);
  CHECK(parse({"check", "--format", "xml"}).exit_code == 2);

  CommandLine hook = parse({"check", "--pre-push", "origin", "git@example.com:r.git"});
  REQUIRE(hook.command == Command::check);
  CHECK(hook.check.pre_push);
  CHECK(hook.check.ranges == std::vector<std::string>{"origin", "git@example.com:r.git"});
}

TEST_CASE("check: forge defaults, first forge wins, never mixed", "[cli]") {
  CHECK(from({}).forge.empty());

  ForgeRange gitlab = from({{"CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main"},
                            {"CI_MERGE_REQUEST_DIFF_BASE_SHA", kBase},
                            {"CI_COMMIT_SHA", kHead}});
  CHECK(gitlab.forge == "GitLab");
  CHECK(gitlab.ref == "main");
  CHECK(gitlab.base == kBase);
  CHECK(gitlab.head == kHead);
  // A merged results pipeline: CI_COMMIT_SHA is the merge commit; the change ends at the source.
  ForgeRange merged = from({{"CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main"},
                            {"CI_MERGE_REQUEST_DIFF_BASE_SHA", kBase},
                            {"CI_MERGE_REQUEST_SOURCE_BRANCH_SHA", kHead},
                            {"CI_COMMIT_SHA", std::string(40, 'c')}});
  CHECK(merged.head == kHead);

  ForgeRange pre_commit = from({{"PRE_COMMIT_FROM_REF", kBase},
                                {"PRE_COMMIT_TO_REF", kHead},
                                {"PRE_COMMIT_REMOTE_BRANCH", "refs/heads/main"},
                                {"CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "other"},
                                {"GITHUB_BASE_REF", "other"}});
  CHECK(pre_commit.forge == "pre-commit");
  CHECK(pre_commit.ref == "refs/heads/main");
  CHECK(pre_commit.base == kBase);
  CHECK(pre_commit.head == kHead);

  TempDir dir;
  const std::string event = (dir.path() / "event.json").string();
  SECTION("GitHub pull_request") {
    write_file(event, nlohmann::json{{"pull_request",
                                      {{"base", {{"ref", "develop"}, {"sha", kBase}}},
                                       {"head", {{"sha", kHead}}}}}}
                          .dump());
    ForgeRange github = from({{"GITHUB_EVENT_PATH", event}, {"GITHUB_BASE_REF", "main"}});
    CHECK(github.forge == "GitHub");
    CHECK(github.ref == "main");
    CHECK(github.base == kBase);
    CHECK(github.head == kHead);
    CHECK(from({{"GITHUB_EVENT_PATH", event}}).ref == "develop");
  }
  SECTION("GitHub push") {
    write_file(event,
               nlohmann::json{
                   {"ref", "refs/heads/main"}, {"before", std::string(40, '0')}, {"after", kHead}}
                   .dump());
    ForgeRange push = from({{"GITHUB_EVENT_PATH", event}});
    CHECK(push.ref == "refs/heads/main");
    CHECK(push.base.empty());
    CHECK(push.head == kHead);
  }
  SECTION("an unreadable or incomplete event is an input error") {
    write_file(event, "{not json");
    CHECK_THROWS_AS(from({{"GITHUB_EVENT_PATH", event}}), trailgate::InputError);
    CHECK_THROWS_AS(from({{"GITHUB_EVENT_PATH", event + ".missing"}}), trailgate::InputError);
    write_file(event, R"({"pull_request": {"base": {"ref": "main"}}})");
    CHECK_THROWS_AS(from({{"GITHUB_EVENT_PATH", event}}), trailgate::InputError);
  }
}
