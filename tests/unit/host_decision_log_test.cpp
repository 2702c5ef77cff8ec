// Tests of the decision log: the line each hook run writes, appending it atomically (also from
// many threads at once), and reading back the commits break-glass let in, past garbage.

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "detect/markers.h"
#include "host/decision_log.h"
#include "support/temp_repo.h"
#include "version.h"

namespace {

namespace fs = std::filesystem;
namespace testing = trailgate::testing;
using nlohmann::json;
using trailgate::Finding;
using trailgate::LogSettings;
using trailgate::ProtectRule;
using trailgate::RefResult;
using trailgate::RefUpdate;
using trailgate::Report;
using trailgate::host::append_log_line;
using trailgate::host::BreakGlassDecision;
using trailgate::host::BreakGlassLog;
using trailgate::host::BreakGlassState;
using trailgate::host::build_log_line;
using trailgate::host::DecisionLogError;
using trailgate::host::DecisionRecord;
using trailgate::host::iso8601_utc;
using trailgate::host::log_path;
using trailgate::host::PushVerdict;
using trailgate::host::read_break_glass_log;

using Strings = std::vector<std::string>;

const std::string kOld(40, '1');
const std::string kNew(40, '2');
const std::string kA(40, 'a');
const std::string kB(40, 'b');

// A record of a push to main that break-glass let through: two failing commits, one listed.
struct Sample {
  ProtectRule rule;
  Report report;
  BreakGlassDecision glass;
  DecisionRecord record;

  Sample() {
    rule.refs = {"refs/heads/main"};
    RefResult main;
    main.update = RefUpdate{kOld, kNew, "refs/heads/main"};
    main.rule = &rule;
    main.commits_checked = 3;
    main.commits_failed = 2;
    main.failed_commits = {kA, kB};
    RefResult feature;
    feature.update = RefUpdate{std::string(40, '0'), kNew, "refs/heads/feature"};
    report.refs = {main, feature};
    trailgate::CommitEvaluation listed;
    listed.id = kA;
    listed.ref = "refs/heads/main";
    listed.subject = "Subject";
    listed.verdict = trailgate::Verdict::unreviewed;
    listed.detections = {{"copilot.agent-identity", "GitHub Copilot coding agent", "author"}};
    listed.detections[0].marker_class = trailgate::detect::MarkerClass::agent;
    listed.agent_authored = true;
    listed.responsible = {
        {trailgate::ResponsibleRole::author, "Copilot", "copilot@example.com", "", true, "junior"},
        {trailgate::ResponsibleRole::named_by_agent, "Senior One", "senior@example.com",
         "Senior One", false, "senior"}};
    listed.author_level = "junior";
    listed.findings = {Finding{"ai-review-required", "refs/heads/main", kA, "Subject",
                               "needs 1 verified review", "fix it"}};
    report.evaluations = {listed};
    report.commits_checked = 3;
    report.commits_failed = 2;
    report.findings = 2;

    glass.state = BreakGlassState::honoured;
    glass.pusher = "alice";
    glass.reason = "db down, INC-7";
    glass.refs = {"refs/heads/main"};
    glass.commits = {kA, kB};

    record.hook = "pre-receive";
    record.time_ms = 1'767'323'045'678;  // 2026-01-02T03:04:05.678Z
    record.repository = "/srv/git/project.git";
    record.pusher.name = "alice";
    record.pusher.variable = "GL_USERNAME";
    record.pusher.person = "Alice Admin";
    record.protocol = {"ssh", "GL_PROTOCOL"};
    record.policy = "/srv/git/project.git/trailgate.toml";
    record.policy_sha256 = std::string(64, 'a');
    record.report = &report;
    record.break_glass = &glass;
    record.verdict = PushVerdict::accepted_break_glass;
    record.duration_ms = 12;
    record.exit_code = 0;
  }
};

Strings lines_of(const fs::path& path) {
  Strings lines;
  std::string text = testing::read_file(path);
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    REQUIRE(end != std::string::npos);  // every line ends in a newline
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

}  // namespace

TEST_CASE("host::iso8601_utc", "[host]") {
  CHECK(iso8601_utc(0) == "1970-01-01T00:00:00.000Z");
  CHECK(iso8601_utc(1'767'323'045'678) == "2026-01-02T03:04:05.678Z");
  CHECK(iso8601_utc(951'782'400'001) == "2000-02-29T00:00:00.001Z");
  CHECK(iso8601_utc(4'102'444'799'999) == "2099-12-31T23:59:59.999Z");
}

TEST_CASE("host::build_log_line", "[host]") {
  Sample s;

  SECTION("every field, in the documented shape") {
    std::string line = build_log_line(s.record);
    CHECK(line.find('\n') == std::string::npos);
    json j = json::parse(line);
    CHECK(j["schema"] == "trailgate.decision/2");
    CHECK(j["time"] == "2026-01-02T03:04:05.678Z");
    CHECK(j["hook"] == "pre-receive");
    CHECK(j["repository"] == "/srv/git/project.git");
    CHECK(j["host_repository"].is_null());
    CHECK(j["pusher"] == json{{"name", "alice"},
                              {"variable", "GL_USERNAME"},
                              {"person", "Alice Admin"},
                              {"email", nullptr}});
    CHECK(j["protocol"] == "ssh");
    CHECK(j["protocol_source"] == "GL_PROTOCOL");
    CHECK(j["policy"] == "/srv/git/project.git/trailgate.toml");
    CHECK(j["policy_sha256"] == std::string(64, 'a'));
    // Which marker catalogue judged the push.
    CHECK(j["catalogue_version"] == std::string(trailgate::detect::catalogue_version()));
    REQUIRE(j["ref_updates"].size() == 2);
    CHECK(j["ref_updates"][0] == json{{"ref", "refs/heads/main"},
                                      {"old", kOld},
                                      {"new", kNew},
                                      {"protected", true},
                                      {"commits_checked", 3},
                                      {"commits_failed", 2}});
    CHECK(j["ref_updates"][1]["protected"] == false);
    CHECK(j["commits_checked"] == 3);
    CHECK(j["commits_with_findings"] == json{kA, kB});
    CHECK(j["findings"] == json::array());  // ref-level findings only
    // The listed failing commits, each the one commit object (docs/commit-json.md).
    REQUIRE(j["commits"].size() == 1);
    CHECK(j["commits"][0]["schema"] == "trailgate.commit/3");
    CHECK(j["commits"][0]["author_level"] == "junior");
    CHECK(j["commits"][0]["agent_authored"] == true);
    CHECK(j["commits"][0]["markers"][0]["class"] == "agent");
    REQUIRE(j["commits"][0]["responsible"].size() == 2);
    CHECK(j["commits"][0]["responsible"][1] == json{{"role", "named-by-agent"},
                                                    {"name", "Senior One"},
                                                    {"email", "senior@example.com"},
                                                    {"person", "Senior One"},
                                                    {"bot", false},
                                                    {"level", "senior"}});
    CHECK(j["commits"][0]["id"] == kA);
    CHECK(j["commits"][0]["ref"] == "refs/heads/main");
    CHECK(j["commits"][0]["verdict"] == "unreviewed");
    CHECK(j["commits"][0]["violation"] == true);
    CHECK(j["commits"][0]["findings"] == json::array({{{"rule", "ai-review-required"},
                                                       {"problem", "needs 1 verified review"},
                                                       {"fix", "fix it"}}}));
    CHECK(j["findings_total"] == 2);
    CHECK(j["verdict"] == "accepted-break-glass");
    CHECK(j["break_glass"] == json{{"pusher", "alice"},
                                   {"reason", "db down, INC-7"},
                                   {"honoured", true},
                                   {"refused_because", json::array()},
                                   {"refs", {"refs/heads/main"}},
                                   {"commits", {kA, kB}}});
    CHECK(j["error"].is_null());
    CHECK(j["trailgate"]["version"] == trailgate::kVersion);
    CHECK(j["trailgate"]["revision"] == trailgate::kGitRevision);
    CHECK(j["duration_ms"] == 12);
    CHECK(j["exit_code"] == 0);
  }

  SECTION("the schema field comes first, so a reader can tell the format at a glance") {
    CHECK(build_log_line(s.record).rfind("{\"schema\":\"trailgate.decision/2\",\"time\":", 0) == 0);
  }

  SECTION("no claim: break_glass is null; a ref-level finding has no commit") {
    s.record.break_glass = nullptr;
    s.record.verdict = PushVerdict::rejected;
    s.report.refs[0].ref_findings = {
        Finding{"protected-ref-rewrite", "refs/heads/main", "", "", "rewrites main", "rebase"}};
    json j = json::parse(build_log_line(s.record));
    CHECK(j["break_glass"].is_null());
    CHECK(j["verdict"] == "rejected");
    CHECK(j["findings"][0] == json{{"rule", "protected-ref-rewrite"},
                                   {"ref", "refs/heads/main"},
                                   {"problem", "rewrites main"},
                                   {"fix", "rebase"}});
    BreakGlassDecision none;
    s.record.break_glass = &none;
    CHECK(json::parse(build_log_line(s.record))["break_glass"].is_null());
  }

  SECTION("a run that failed before judging records what it knew, and the error") {
    s.record.report = nullptr;
    s.record.break_glass = nullptr;
    s.record.updates = {RefUpdate{kOld, kNew, "refs/heads/main"}};
    s.record.policy.clear();
    s.record.policy_sha256.clear();
    s.record.verdict = PushVerdict::rejected;
    s.record.error = "trailgate: push rejected: no policy found";
    s.record.exit_code = 2;
    json j = json::parse(build_log_line(s.record));
    CHECK(j["policy"].is_null());
    CHECK(j["policy_sha256"].is_null());
    CHECK(j["catalogue_version"] == std::string(trailgate::detect::catalogue_version()));
    CHECK(j["error"] == "trailgate: push rejected: no policy found");
    CHECK(j["exit_code"] == 2);
    CHECK(j["ref_updates"][0]["ref"] == "refs/heads/main");
    CHECK(j["ref_updates"][0]["protected"].is_null());
    CHECK(j["commits_checked"] == 0);
    CHECK(j["findings"].empty());
  }

  SECTION("untrusted text cannot break the line: newlines escaped, bad UTF-8 replaced") {
    s.glass.reason = "line one\nline two \xff\xfe end";
    s.record.pusher.name = "eve\r\n{\"verdict\":\"accepted\"}";
    std::string line = build_log_line(s.record);
    CHECK(line.find('\n') == std::string::npos);
    CHECK(line.find('\r') == std::string::npos);
    json j = json::parse(line);
    CHECK(j["break_glass"]["reason"] == "line one\nline two \xEF\xBF\xBD\xEF\xBF\xBD end");
    CHECK(j["pusher"]["name"] == "eve\r\n{\"verdict\":\"accepted\"}");
    CHECK(j["verdict"] == "accepted-break-glass");
  }
}

TEST_CASE("host::log_path", "[host]") {
  LogSettings settings;
  CHECK(log_path(settings, "/srv/git/p.git/") == "/srv/git/p.git/trailgate/decisions.jsonl");
  CHECK(log_path(settings, "/srv/git/p.git") == "/srv/git/p.git/trailgate/decisions.jsonl");
  settings.decisions = "";
  CHECK(log_path(settings, "/srv/git/p.git/") == "/srv/git/p.git/trailgate/decisions.jsonl");
  settings.decisions = "logs/decisions.jsonl";
  CHECK(log_path(settings, "/srv/git/p.git/") == "/srv/git/p.git/logs/decisions.jsonl");
  settings.decisions = "../shared.jsonl";
  CHECK(log_path(settings, "/srv/git/p.git/") == "/srv/git/p.git/../shared.jsonl");
  settings.decisions = "/var/log/trailgate/decisions.jsonl";
  CHECK(log_path(settings, "/srv/git/p.git/") == "/var/log/trailgate/decisions.jsonl");
}

TEST_CASE("host::append_log_line", "[host]") {
  testing::TempDir dir;

  SECTION("creates the directory and the file, then appends, never truncating") {
    fs::path path = dir.path() / "trailgate" / "decisions.jsonl";
    CHECK(append_log_line(path.string(), "{\"n\":1}") == "");
    CHECK(append_log_line(path.string(), "{\"n\":2}") == "");
    CHECK(testing::read_file(path) == "{\"n\":1}\n{\"n\":2}\n");
  }

  SECTION("a partial last line left by a failed writer is closed first, not joined") {
    fs::path path = dir.path() / "decisions.jsonl";
    testing::write_file(path, "{\"n\":1}\n{\"n\":2, \"cut");
    CHECK(append_log_line(path.string(), "{\"n\":3}") == "");
    CHECK(testing::read_file(path) == "{\"n\":1}\n{\"n\":2, \"cut\n{\"n\":3}\n");
  }

  SECTION("failures are reported in words, never thrown") {
    testing::write_file(dir.path() / "a-file", "x");
    std::string under_file = append_log_line((dir.path() / "a-file" / "log.jsonl").string(), "{}");
    CHECK_THAT(under_file, Catch::Contains("a-file/log.jsonl: Not a directory"));
    fs::create_directories(dir.path() / "a-dir");
    CHECK_THAT(append_log_line((dir.path() / "a-dir").string(), "{}"),
               Catch::Contains("Is a directory"));
    // One level of directory is created, not a whole path a typo made up.
    CHECK_THAT(append_log_line((dir.path() / "missing" / "deeper" / "log.jsonl").string(), "{}"),
               Catch::Contains("cannot create the directory"));
    CHECK_FALSE(fs::exists(dir.path() / "missing"));
    CHECK_THAT(append_log_line("/dev/null", "{}"), Catch::Contains("not a regular file"));
  }

  SECTION("waits for the lock, and gives up after the timeout") {
    fs::path path = dir.path() / "decisions.jsonl";
    REQUIRE(append_log_line(path.string(), "{\"n\":1}") == "");
    int holder = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(holder >= 0);
    REQUIRE(::flock(holder, LOCK_EX) == 0);
    CHECK_THAT(append_log_line(path.string(), "{\"n\":2}", 50),
               Catch::Contains("stayed locked by another process for 50 ms"));
    std::thread release([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      ::flock(holder, LOCK_UN);
    });
    CHECK(append_log_line(path.string(), "{\"n\":3}", 5000) == "");
    release.join();
    ::close(holder);
    CHECK(testing::read_file(path) == "{\"n\":1}\n{\"n\":3}\n");
  }

  SECTION("lines from many writers at once are whole and each appears once") {
    fs::path path = dir.path() / "decisions.jsonl";
    constexpr int kWriters = 8;
    constexpr int kLines = 60;
    std::vector<std::thread> writers;
    std::vector<std::string> problems(kWriters);
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back([&, w] {
        for (int i = 0; i < kLines; ++i) {
          // Lines up to 200 KB, far beyond what one pipe write keeps whole.
          json line = {{"writer", w}, {"i", i}, {"pad", std::string((i % 7) * 30000, 'a' + w)}};
          std::string problem = append_log_line(path.string(), line.dump());
          if (!problem.empty())
            problems[w] = problem;
        }
      });
    }
    for (auto& t : writers)
      t.join();
    for (const auto& p : problems)
      CHECK(p.empty());
    std::vector<std::vector<int>> seen(kWriters, std::vector<int>(kLines, 0));
    Strings lines = lines_of(path);
    CHECK(lines.size() == kWriters * kLines);
    for (const std::string& text : lines) {
      json line = json::parse(text, nullptr, false);
      REQUIRE_FALSE(line.is_discarded());
      int w = line["writer"];
      int i = line["i"];
      CHECK(line["pad"] == std::string((i % 7) * 30000, static_cast<char>('a' + w)));
      ++seen[w][i];
    }
    for (const auto& writer : seen)
      for (int count : writer)
        CHECK(count == 1);
  }
}

TEST_CASE("host::read_break_glass_log", "[host]") {
  testing::TempDir dir;
  const fs::path path = dir.path() / "decisions.jsonl";
  Sample s;

  SECTION("a missing file is an empty log") {
    BreakGlassLog log = read_break_glass_log(path.string());
    CHECK(log.entries.empty());
    CHECK(log.lines == 0);
    CHECK(log.skipped == 0);
  }

  SECTION("only break-glass acceptances are entries; garbage is skipped and counted") {
    std::string accepted = build_log_line(s.record);
    s.record.verdict = PushVerdict::rejected;
    std::string rejected = build_log_line(s.record);
    json other_schema = json::parse(accepted);
    other_schema["schema"] = "trailgate.decision/99";
    json wrong_type = json::parse(accepted);
    wrong_type["break_glass"]["commits"] = "not a list";
    json bad_id = json::parse(accepted);
    bad_id["break_glass"]["commits"] = {"HEAD"};
    json missing = json::parse(accepted);
    missing.erase("break_glass");
    testing::write_file(path, accepted + "\n" + rejected + "\n" + "not json at all\n\n" +
                                  other_schema.dump() + "\n" + wrong_type.dump() + "\n" +
                                  bad_id.dump() + "\n" + missing.dump() + "\n[1,2]\n" +
                                  accepted.substr(0, accepted.size() / 2));
    BreakGlassLog log = read_break_glass_log(path.string());
    CHECK(log.lines == 9);
    CHECK(log.skipped == 7);
    REQUIRE(log.entries.size() == 1);
    CHECK(log.entries[0].time == "2026-01-02T03:04:05.678Z");
    CHECK(log.entries[0].repository == "/srv/git/project.git");
    CHECK(log.entries[0].pusher == "alice");
    CHECK(log.entries[0].reason == "db down, INC-7");
    CHECK(log.entries[0].refs == Strings{"refs/heads/main"});
    CHECK(log.entries[0].commits == Strings{kA, kB});
  }

  SECTION("lines of the first schema, written by older trailgate, still count") {
    json old = json::parse(build_log_line(s.record));
    old["schema"] = "trailgate.decision/1";
    old.erase("commits");
    testing::write_file(path, old.dump() + "\n");
    BreakGlassLog log = read_break_glass_log(path.string());
    CHECK(log.skipped == 0);
    REQUIRE(log.entries.size() == 1);
    CHECK(log.entries[0].commits == Strings{kA, kB});
  }

  SECTION("commits() lists each admitted commit once, in file order") {
    std::string first = build_log_line(s.record);
    s.glass.commits = {kB, std::string(40, 'c')};
    std::string second = build_log_line(s.record);
    testing::write_file(path, first + "\n" + second + "\n");
    CHECK(read_break_glass_log(path.string()).commits() == Strings{kA, kB, std::string(40, 'c')});
  }

  SECTION("what append_log_line writes reads back") {
    REQUIRE(append_log_line(path.string(), build_log_line(s.record)) == "");
    REQUIRE(append_log_line(path.string(), build_log_line(s.record)) == "");
    BreakGlassLog log = read_break_glass_log(path.string());
    CHECK(log.entries.size() == 2);
    CHECK(log.skipped == 0);
  }

  SECTION("a log that exists but cannot be read is an error") {
    fs::create_directories(path);
    CHECK_THROWS_AS(read_break_glass_log(path.string()), DecisionLogError);
    CHECK_THROWS_AS(trailgate::host::break_glass_commits(path.string()), DecisionLogError);
  }

  SECTION("break_glass_commits parses only lines that can hold an acceptance, and misses none") {
    std::string first = build_log_line(s.record);
    s.glass.commits = {std::string(40, 'c')};
    std::string escaped = build_log_line(s.record);
    // The same acceptance with its verdict spelled with a JSON escape: still an acceptance.
    const std::string verdict = "\"accepted-break-glass\"";
    escaped.replace(escaped.find(verdict), verdict.size(), "\"\\u0061ccepted-break-glass\"");
    REQUIRE(escaped.find("accepted-break-glass") == std::string::npos);
    s.record.verdict = PushVerdict::rejected;
    s.glass.commits = {std::string(40, 'd')};
    std::string rejected = build_log_line(s.record);
    testing::write_file(
        path, rejected + "\n" + first + "\nnot json\n" + rejected + "\n" + escaped + "\n");
    const Strings expected{kA, kB, std::string(40, 'c')};
    CHECK(read_break_glass_log(path.string()).commits() == expected);
    CHECK(trailgate::host::break_glass_commits(path.string()) == expected);
  }
}
