// End-to-end: the decision log with real pushes into a bare repository whose pre-receive (or
// update) hook is trailgate: one JSON line per hook run with who, what and the verdict; where
// the file goes; what an unwritable log does; and 50 concurrent pushes, each logged once.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/fixtures.h"
#include "support/temp_repo.h"
#include "version.h"

namespace {

namespace fs = std::filesystem;
namespace testing = trailgate::testing;
using nlohmann::json;
using testing::ai_message;
using testing::ProcessResult;
using testing::TempRepo;

using Env = std::map<std::string, std::string>;
using Strings = std::vector<std::string>;

const std::string kPolicy = testing::roster_policy(
    {testing::kSeniorOne.with_usernames({"sone"})},
    {testing::protect({"refs/heads/main", "refs/heads/b*"}, std::nullopt, "")});

const std::string kJunior = testing::ident(testing::kJuniorOne);

Strings lines_of(const fs::path& path) {
  Strings lines;
  std::string text = testing::read_file(path);
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    REQUIRE(end != std::string::npos);  // every line is whole
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::vector<json> log_of(const fs::path& path) {
  std::vector<json> out;
  for (const std::string& line : lines_of(path))
    out.push_back(json::parse(line));
  return out;
}

fs::path default_log(const TempRepo& repo) {
  return repo.server() / "trailgate" / "decisions.jsonl";
}

ProcessResult push_as(TempRepo& repo, const Env& env, const Strings& refspecs) {
  Strings argv = {"git", "push", "origin"};
  argv.insert(argv.end(), refspecs.begin(), refspecs.end());
  return testing::run(argv, repo.clone(), "", env);
}

bool is_iso8601_utc(const std::string& s) {
  // YYYY-MM-DDTHH:MM:SS.mmmZ
  const std::string shape = "dddd-dd-ddTdd:dd:dd.dddZ";
  if (s.size() != shape.size())
    return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
      return false;
  }
  return true;
}

}  // namespace

TEST_CASE("decision log: each push appends one line saying who, what and the verdict", "[e2e]") {
  TempRepo repo(kPolicy);
  const std::string main_before = repo.server_git({"rev-parse", "main"}).substr(0, 40);
  std::string human = repo.commit("Human change\n", kJunior);
  REQUIRE(push_as(repo,
                  {{"GL_USERNAME", "sone"},
                   {"GL_ID", "user-3"},
                   {"GL_PROTOCOL", "ssh"},
                   {"GL_PROJECT_PATH", "group/project"}},
                  {"HEAD:refs/heads/main"})
              .exit_code == 0);
  std::string ai = repo.commit(ai_message("Unreviewed AI change"), kJunior);
  REQUIRE(push_as(repo, {{"REMOTE_USER", "dev"}, {"GATEWAY_INTERFACE", "CGI/1.1"}},
                  {"HEAD:refs/heads/main"})
              .exit_code == 1);
  REQUIRE(push_as(repo, {}, {"HEAD:refs/heads/feature"}).exit_code == 0);

  std::vector<json> log = log_of(default_log(repo));
  REQUIRE(log.size() == 3);
  const std::string server = fs::canonical(repo.server()).string();

  const json& accepted = log[0];
  CHECK(accepted["schema"] == "trailgate.decision/2");
  CHECK(is_iso8601_utc(accepted["time"]));
  CHECK(accepted["hook"] == "pre-receive");
  CHECK(accepted["repository"] == server);
  CHECK(accepted["host_repository"] == "group/project");
  CHECK(accepted["pusher"] == json{{"name", "sone"},
                                   {"variable", "GL_USERNAME"},
                                   {"person", "Senior One"},
                                   {"email", nullptr}});
  CHECK(accepted["protocol"] == "ssh");
  CHECK(accepted["protocol_source"] == "GL_PROTOCOL");
  CHECK(accepted["policy"] == (repo.server() / "trailgate.toml").string());
  CHECK(accepted["ref_updates"] == json::array({{{"ref", "refs/heads/main"},
                                                 {"old", main_before},
                                                 {"new", human},
                                                 {"protected", true},
                                                 {"commits_checked", 1},
                                                 {"commits_failed", 0}}}));
  CHECK(accepted["commits_checked"] == 1);
  CHECK(accepted["commits_with_findings"].empty());
  CHECK(accepted["findings"].empty());
  CHECK(accepted["verdict"] == "accepted");
  CHECK(accepted["break_glass"].is_null());
  CHECK(accepted["error"].is_null());
  CHECK(accepted["trailgate"]["version"] == trailgate::kVersion);
  CHECK(accepted["duration_ms"].is_number_integer());
  CHECK(accepted["duration_ms"] >= 0);
  CHECK(accepted["exit_code"] == 0);

  const json& rejected = log[1];
  CHECK(rejected["pusher"]["name"] == "dev");
  CHECK(rejected["pusher"]["person"].is_null());
  CHECK(rejected["protocol"] == "http");
  CHECK(rejected["verdict"] == "rejected");
  CHECK(rejected["exit_code"] == 1);
  CHECK(rejected["commits_with_findings"] == json{ai});
  CHECK(rejected["findings"].empty());  // ref-level findings only
  REQUIRE(rejected["commits"].size() == 1);
  CHECK(rejected["commits"][0]["id"] == ai);
  REQUIRE(rejected["commits"][0]["findings"].size() == 1);
  CHECK(rejected["commits"][0]["findings"][0]["rule"] == "ai-review-required");
  CHECK_THAT(rejected["commits"][0]["findings"][0]["problem"].get<std::string>(),
             Catch::Contains("needs 1 verified review"));

  const json& unprotected = log[2];
  CHECK(unprotected["pusher"]["name"].is_null());
  CHECK(unprotected["protocol"] == "local");
  CHECK(unprotected["ref_updates"][0]["protected"] == false);
  CHECK(unprotected["commits_checked"] == 0);
  CHECK(unprotected["verdict"] == "accepted");
}

TEST_CASE("decision log: every commit with findings is logged, however many", "[e2e]") {
  TempRepo repo(std::string("max_listed_commits = 2\n") + kPolicy);
  Strings ids;
  for (int i = 0; i < 5; ++i)
    ids.insert(ids.begin(), repo.commit(ai_message("AI change " + std::to_string(i)), kJunior));
  REQUIRE(repo.push("HEAD:refs/heads/main").exit_code == 1);
  json line = log_of(default_log(repo)).back();
  CHECK(line["commits_with_findings"] == json(ids));
  CHECK(line["commits"].size() == 2);  // as listed to the pusher
  CHECK(line["findings_total"] == 5);
}

TEST_CASE("decision log: where the file goes", "[e2e]") {
  TempRepo repo(kPolicy);
  fs::path expected;
  SECTION("by default, next to the repository, creating the directory") {
    REQUIRE_FALSE(fs::exists(repo.server() / "trailgate"));
    expected = default_log(repo);
  }
  SECTION("a relative path is relative to the git dir") {
    repo.set_policy(std::string(kPolicy) + "\n[log]\ndecisions = \"logs/push-decisions.jsonl\"\n");
    expected = repo.server() / "logs" / "push-decisions.jsonl";
  }
  SECTION("an absolute path is used as it is") {
    testing::TempDir elsewhere;
    expected = elsewhere.path() / "all-repositories.jsonl";
    repo.set_policy(std::string(kPolicy) + "\n[log]\ndecisions = \"" + expected.string() + "\"\n");
    repo.commit("Human change\n", kJunior);
    REQUIRE(repo.push("HEAD:refs/heads/main").exit_code == 0);
    CHECK(lines_of(expected).size() == 1);
    return;
  }
  repo.commit("Human change\n", kJunior);
  REQUIRE(repo.push("HEAD:refs/heads/main").exit_code == 0);
  repo.commit("Another\n", kJunior);
  REQUIRE(repo.push("HEAD:refs/heads/main").exit_code == 0);
  CHECK(lines_of(expected).size() == 2);
}

TEST_CASE("decision log: a run that cannot decide is logged too", "[e2e]") {
  TempRepo repo(kPolicy);
  SECTION("a malformed policy") {
    repo.set_policy("[[protect]]\nrefs = [\"refs/heads/main\"]\napprovals = 0\n");
    repo.commit("Human change\n", kJunior);
    ProcessResult r = repo.push("HEAD:refs/heads/main");
    CHECK(r.exit_code != 0);
    json line = log_of(default_log(repo)).back();
    CHECK(line["verdict"] == "rejected");
    CHECK(line["exit_code"] == 2);
    CHECK(line["policy"].is_null());
    CHECK_THAT(line["error"].get<std::string>(), Catch::Contains("approvals"));
    CHECK(line["ref_updates"][0]["ref"] == "refs/heads/main");
  }
  SECTION("garbage on stdin") {
    ProcessResult r = testing::run({testing::trailgate_binary(), "pre-receive"}, repo.server(),
                                   "hello world\n", {{"GIT_DIR", "."}});
    CHECK(r.exit_code == 2);
    json line = log_of(default_log(repo)).back();
    CHECK(line["exit_code"] == 2);
    CHECK(line["ref_updates"].empty());
    CHECK_THAT(line["error"].get<std::string>(), Catch::Contains("malformed input"));
  }
}

TEST_CASE("decision log: the update hook logs one line per ref", "[e2e]") {
  TempRepo repo(kPolicy);
  fs::remove(repo.server() / "hooks" / "pre-receive");
  testing::run_ok({testing::trailgate_binary(), "install", "--repo", repo.server().string(),
                   "--hook", "update"},
                  repo.server());
  repo.commit("Human change\n", kJunior);
  REQUIRE(repo.push("HEAD:refs/heads/main", {"HEAD:refs/heads/b1"}).exit_code == 0);
  std::vector<json> log = log_of(default_log(repo));
  REQUIRE(log.size() == 2);
  for (const json& line : log) {
    CHECK(line["hook"] == "update");
    CHECK(line["ref_updates"].size() == 1);
    CHECK(line["verdict"] == "accepted");
  }
}

TEST_CASE("decision log: when it cannot be written", "[e2e]") {
  TempRepo repo(kPolicy);
  // The log's directory is a file, so the log cannot be written (not even by root).
  testing::write_file(repo.server() / "blocked", "not a directory\n");
  const std::string log = "\n[log]\ndecisions = \"blocked/decisions.jsonl\"\n";
  const std::string before = repo.server_git({"rev-parse", "main"});

  SECTION("on_failure = reject (the default) rejects an otherwise good push") {
    repo.set_policy(std::string(kPolicy) + log);
    repo.commit("Human change\n", kJunior);
    ProcessResult r = repo.push("HEAD:refs/heads/main");
    CHECK(r.exit_code != 0);
    CHECK(repo.server_git({"rev-parse", "main"}) == before);
    CHECK_THAT(r.err, Catch::Contains("push REJECTED"));
    CHECK_THAT(r.err, Catch::Contains("the push passes, but the decision log cannot be written"));
    CHECK_THAT(r.err, Catch::Contains("log.on_failure = \"reject\""));
  }
  SECTION("on_failure = warn accepts it with a warning") {
    repo.set_policy(std::string(kPolicy) + log + "on_failure = \"warn\"\n");
    std::string id = repo.commit("Human change\n", kJunior);
    ProcessResult r = repo.push("HEAD:refs/heads/main");
    CHECK(r.exit_code == 0);
    CHECK(repo.server_git({"rev-parse", "main"}) == id + "\n");
    CHECK_THAT(r.err, Catch::Contains("WARNING: the decision log cannot be written"));
    CHECK_THAT(r.err, Catch::Contains("log.on_failure = \"warn\""));
  }
  SECTION("a rejected push stays rejected, under either setting") {
    for (const char* mode : {"reject", "warn"}) {
      repo.set_policy(std::string(kPolicy) + log + "on_failure = \"" + mode + "\"\n");
      repo.commit(ai_message("Unreviewed"), kJunior);
      ProcessResult r = repo.push("HEAD:refs/heads/main");
      CHECK(r.exit_code == 1);
      CHECK(repo.server_git({"rev-parse", "main"}) == before);
      CHECK_THAT(r.err, Catch::Contains("ai-review-required"));
      CHECK_THAT(r.err, Catch::Contains("also, the decision log cannot be written"));
    }
  }
  CHECK_FALSE(fs::exists(default_log(repo)));
}

TEST_CASE("decision log: 50 concurrent pushes are each logged exactly once, as valid JSON",
          "[e2e]") {
  TempRepo repo(kPolicy);
  const std::string base = repo.git({"rev-parse", "HEAD"}).substr(0, 40);
  // 50 branches made in one go with fast-import: even ones hold one human commit (accepted),
  // odd ones 30 unreviewed AI commits (rejected, with log lines far longer than PIPE_BUF).
  constexpr int kBranches = 50;
  constexpr int kAiCommits = 30;
  std::string stream;
  int mark = 0;
  for (int b = 0; b < kBranches; ++b) {
    const bool ai = b % 2 == 1;
    for (int c = 0; c < (ai ? kAiCommits : 1); ++c) {
      std::string message =
          ai ? ai_message("AI change " + std::to_string(b) + "." + std::to_string(c))
             : "Human change " + std::to_string(b) + "\n";
      std::string content = std::to_string(b) + "." + std::to_string(c) + "\n";
      stream += "commit refs/heads/b" + std::to_string(b) + "\nmark :" + std::to_string(++mark) +
                "\nauthor Junior One <junior@example.com> 1767225600 +0000\n"
                "committer Junior One <junior@example.com> 1767225600 +0000\n" +
                "data " + std::to_string(message.size()) + "\n" + message +
                (c == 0 ? "from " + base + "\n" : "") + "M 644 inline f" + std::to_string(b) +
                "\ndata " + std::to_string(content.size()) + "\n" + content + "\n";
    }
  }
  repo.git({"fast-import", "--quiet"}, stream);

  std::vector<ProcessResult> results(kBranches);
  std::vector<std::thread> pushers;
  const std::string server = repo.server().string();
  for (int b = 0; b < kBranches; ++b) {
    pushers.emplace_back([&, b] {
      const std::string ref = "refs/heads/b" + std::to_string(b);
      results[b] = testing::run({"git", "push", "-q", server, ref + ":" + ref}, repo.clone(), "",
                                {{"REMOTE_USER", "pusher" + std::to_string(b)}});
    });
  }
  for (auto& t : pushers)
    t.join();
  for (int b = 0; b < kBranches; ++b) {
    INFO("b" << b << ": " << results[b].err);
    CHECK(results[b].exit_code == (b % 2 == 1 ? 1 : 0));
  }

  Strings lines = lines_of(default_log(repo));
  CHECK(lines.size() == kBranches);
  std::map<std::string, int> per_ref;
  std::size_t longest = 0;
  for (const std::string& text : lines) {
    longest = std::max(longest, text.size());
    json line = json::parse(text, nullptr, false);
    REQUIRE_FALSE(line.is_discarded());
    REQUIRE(line["ref_updates"].size() == 1);
    const std::string ref = line["ref_updates"][0]["ref"];
    ++per_ref[ref];
    const int b = std::stoi(ref.substr(std::string("refs/heads/b").size()));
    CHECK(line["pusher"]["name"] == "pusher" + std::to_string(b));
    CHECK(line["verdict"] == (b % 2 == 1 ? "rejected" : "accepted"));
    CHECK(line["commits_checked"] == (b % 2 == 1 ? kAiCommits : 1));
    CHECK(line["commits_with_findings"].size() == (b % 2 == 1 ? kAiCommits : 0u));
  }
  CHECK(per_ref.size() == kBranches);
  for (const auto& [ref, count] : per_ref) {
    INFO(ref);
    CHECK(count == 1);
  }
  CHECK(longest > 4096);
}
