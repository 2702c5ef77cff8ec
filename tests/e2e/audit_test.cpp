// End-to-end: `trailgate audit` over a generated repository whose every count is known: human,
// AI-assisted unreviewed, reviewed by a senior and by a principal, self-reviewed, below-level,
// unverified, and grandfathered by the baseline commit, by two authors over two months. Every
// number of the summary is checked against the expected value, in every format.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/fixtures.h"
#include "support/temp_repo.h"

using trailgate::testing::ai_message;
using trailgate::testing::kJuniorOne;
using trailgate::testing::kPrincipalOne;
using trailgate::testing::kSeniorOne;
using trailgate::testing::parse_csv;
using trailgate::testing::ProcessResult;
using trailgate::testing::protect;
using trailgate::testing::read_file;
using trailgate::testing::roster_policy;
using trailgate::testing::run;
using trailgate::testing::run_ok;
using trailgate::testing::signature_policy;
using trailgate::testing::TempDir;
using trailgate::testing::trailgate_binary;
using trailgate::testing::write_file;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

const std::string kRoster = roster_policy({kSeniorOne, kPrincipalOne, kJuniorOne});

const char* const kAlice = "Alice Dev <alice@example.com>";
const char* const kBob = "Bob Dev <bob@example.com>";

// A repository built commit by commit with fixed dates, and the policy file next to it.
class AuditRepo {
 public:
  AuditRepo() : repo_(dir_.path() / "repo") {
    fs::create_directories(repo_);
    run_ok({"git", "init", "-q", "-b", "main"}, repo_);
  }

  // Commits `message` by `author` at noon UTC on `day`, first appending `lines` lines to a
  // file of its own (so lines_changed == lines). Returns the id.
  std::string commit(const std::string& message, const std::string& author, const std::string& day,
                     int lines = 0) {
    ++counter_;
    std::string file = "f" + std::to_string(counter_) + ".txt";
    std::string text;
    for (int i = 0; i < lines; ++i)
      text += "line " + std::to_string(i) + "\n";
    write_file(repo_ / file, text);
    git({"add", file});
    std::string date = day + "T12:00:00+00:00";
    git({"commit", "-q", "--allow-empty", "--cleanup=verbatim", "-F", "-", "--author", author},
        message, {{"GIT_AUTHOR_DATE", date}, {"GIT_COMMITTER_DATE", date}});
    return trim(git({"rev-parse", "HEAD"}));
  }

  std::string git(const std::vector<std::string>& args, const std::string& input = "",
                  const std::map<std::string, std::string>& env = {}) {
    std::vector<std::string> argv = {"git", "-c", "user.name=Committer", "-c",
                                     "user.email=committer@example.com"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_ok(argv, repo_, input, env);
  }

  void set_policy(const std::string& text) { write_file(policy(), text); }
  fs::path policy() const { return dir_.path() / "policy.toml"; }
  const fs::path& path() const { return repo_; }

  ProcessResult audit(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {trailgate_binary(), "--repo",          repo_.string(),
                                     "--policy",         policy().string(), "audit"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, repo_);
  }

  static std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
      s.pop_back();
    return s;
  }

 private:
  TempDir dir_;
  fs::path repo_;
  int counter_ = 0;
};

std::string ai(const std::string& subject, const std::string& trailers = "") {
  return ai_message(subject, trailers, "Body text.");
}

// The commit lines of a jsonl report, after checking that its first line is the header.
std::vector<json> parse_jsonl(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  std::string line;
  REQUIRE(std::getline(in, line));
  CHECK(json::parse(line)["type"] == "header");
  while (std::getline(in, line))
    out.push_back(json::parse(line));
  return out;
}

// `out` with the time it was made blanked, so two runs' reports compare equal: the value of
// "generated_at" (json, jsonl) and the time after "generated: " (text).
std::string timeless(std::string out) {
  for (const std::string key : {"\"generated_at\":\"", "generated: "})
    for (auto at = out.find(key); at != std::string::npos; at = out.find(key, at + 1))
      out.replace(at + key.size(), 20, std::string(20, '#'));
  return out;
}

// A jsonl report without its first (header) line.
std::string commit_lines(const std::string& jsonl) {
  REQUIRE(jsonl.rfind("{\"type\":\"header\"", 0) == 0);
  return jsonl.substr(jsonl.find('\n') + 1);
}

json tally(long commits, long ai, long verified, long violations) {
  return {{"commits", commits},
          {"ai_assisted", ai},
          {"ai_verified", verified},
          {"violations", violations}};
}

void check_tally(const json& row, const json& expected) {
  for (const auto& [k, v] : expected.items())
    CHECK(row.at(k) == v);
}

// The known history. Dates: 2026-01-05 is a Monday in ISO week 2.
struct Fixture {
  AuditRepo repo;
  std::map<std::string, std::string> id;

  Fixture() {
    id["B1"] = repo.commit("Base one\n", kAlice, "2026-01-05");
    id["B2"] = repo.commit(ai("Base two"), kAlice, "2026-01-06");
    id["H1"] = repo.commit("Human one\n\nSigned-off-by: Alice Dev <alice@example.com>\n", kAlice,
                           "2026-01-12", 1);
    id["H2"] = repo.commit("Human two\n", kAlice, "2026-01-13");
    id["H3"] = repo.commit("Human three\n", kAlice, "2026-01-14");
    id["A1"] = repo.commit(ai("AI one"), kAlice, "2026-01-20", 5);
    id["A2"] = repo.commit(ai("AI two"), kAlice, "2026-01-20", 2);
    id["R1"] = repo.commit(ai("Reviewed one",
                              "Change-Id: I0123\n  continued here\n"
                              "Reviewed-by: Senior One <senior@example.com>\n"),
                           kBob, "2026-02-02", 3);
    id["R2"] = repo.commit(
        "Reviewed two\n\nAssisted-by: SomeTool 1.0\nReviewed-by: Principal One "
        "<principal@example.com>\n",
        kBob, "2026-02-02");
    id["S1"] = repo.commit(ai("Self reviewed", "Reviewed-by: Senior One <senior@example.com>\n"),
                           "Senior One <senior@example.com>", "2026-02-03");
    id["L1"] = repo.commit(ai("Below level", "Reviewed-by: Junior One <junior@example.com>\n"),
                           kBob, "2026-02-04");
    id["U1"] =
        repo.commit(ai("Fix \"quoted\", comma", "Reviewed-by: Nobody Here <nobody@example.com>\n"),
                    kBob, "2026-02-10", 10);
    id["H4"] = repo.commit("Cafe latin-1 subject\n", "Bob Dev <BOB@Example.com>", "2026-02-11");
    // git commit would re-encode a Latin-1 message to UTF-8; write the raw object instead.
    std::string raw = repo.git({"cat-file", "commit", id["H4"]});
    raw.replace(raw.find("Cafe"), 4, "Caf\xe9");
    id["H4"] = AuditRepo::trim(
        repo.git({"hash-object", "-w", "-t", "commit", "--literally", "--stdin"}, raw));
    repo.git({"update-ref", "refs/heads/main", id["H4"]});
    repo.set_policy(std::string(kRoster) + "\n[baseline]\ncommit = \"" + id["B2"] + "\"\n");
  }
};

}  // namespace

TEST_CASE("audit: every number of the summary equals the known count", "[e2e][audit]") {
  Fixture f;
  ProcessResult r = f.repo.audit({"--format", "json", "--no-cache"});
  REQUIRE(r.exit_code == 0);
  json doc = json::parse(r.out);  // throws when the document is not valid JSON (or UTF-8)
  CHECK(doc["schema"] == "trailgate.audit/2");
  REQUIRE(doc["commits"].size() == 13);
  const json& s = doc["summary"];
  CHECK(s["schema"] == "trailgate.audit/2");
  CHECK(s["verification"] == "roster");
  CHECK(s["scanned"] == json::array({"refs/heads/main"}));

  check_tally(s["total"], tally(13, 8, 2, 5));
  CHECK(s["total"]["ai_share"].get<double>() == Approx(8.0 / 13));
  CHECK(s["total"]["verified_share"].get<double>() == Approx(2.0 / 8));
  CHECK(s["total"]["violation_share"].get<double>() == Approx(5.0 / 13));

  CHECK(s["by_verdict"] == json({{"below-level", 1},
                                 {"grandfathered", 2},
                                 {"not-ai", 4},
                                 {"ok", 2},
                                 {"self-reviewed", 1},
                                 {"unreviewed", 2},
                                 {"unverified", 1}}));

  REQUIRE(s["by_month"].size() == 2);
  CHECK(s["by_month"][0]["month"] == "2026-01");
  check_tally(s["by_month"][0], tally(7, 3, 0, 2));
  CHECK(s["by_month"][1]["month"] == "2026-02");
  check_tally(s["by_month"][1], tally(6, 5, 2, 3));

  std::vector<std::pair<std::string, json>> weeks = {{"2026-W02", tally(2, 1, 0, 0)},
                                                     {"2026-W03", tally(3, 0, 0, 0)},
                                                     {"2026-W04", tally(2, 2, 0, 2)},
                                                     {"2026-W06", tally(4, 4, 2, 2)},
                                                     {"2026-W07", tally(2, 1, 0, 1)}};
  REQUIRE(s["by_week"].size() == weeks.size());
  for (std::size_t i = 0; i < weeks.size(); ++i) {
    CHECK(s["by_week"][i]["week"] == weeks[i].first);
    check_tally(s["by_week"][i], weeks[i].second);
  }

  REQUIRE(s["by_author"].size() == 3);
  CHECK(s["by_author"][0]["author"] == "alice@example.com");
  check_tally(s["by_author"][0], tally(7, 3, 0, 2));
  CHECK(s["by_author"][1]["author"] == "bob@example.com");  // BOB@Example.com lowercased
  check_tally(s["by_author"][1], tally(5, 4, 2, 2));
  CHECK(s["by_author"][2]["author"] == "senior@example.com");
  check_tally(s["by_author"][2], tally(1, 1, 0, 1));

  REQUIRE(s["by_tool"].size() == 2);
  CHECK(s["by_tool"][0]["tool"] == "Assisted-by trailer");
  check_tally(s["by_tool"][0], tally(1, 1, 1, 0));
  CHECK(s["by_tool"][1]["tool"] == "Claude Code");
  check_tally(s["by_tool"][1], tally(7, 7, 1, 5));

  // Roster people are named, with all their emails; other authors are their email alone.
  CHECK(s["by_author"][0]["name"].is_null());
  CHECK(s["by_author"][0]["emails"] == json::array({"alice@example.com"}));
  CHECK(s["by_author"][2]["name"] == "Senior One");
  CHECK(s["by_reviewer"] == json::array({{{"reviewer", "principal@example.com"},
                                          {"name", "Principal One"},
                                          {"emails", {"principal@example.com"}},
                                          {"verified_reviews", 1}},
                                         {{"reviewer", "senior@example.com"},
                                          {"name", "Senior One"},
                                          {"emails", {"senior@example.com"}},
                                          {"verified_reviews", 1}}}));

  CHECK(s["top_gap_authors"] == json::array({{{"author", "alice@example.com"},
                                              {"name", nullptr},
                                              {"emails", {"alice@example.com"}},
                                              {"ai_violations", 2}},
                                             {{"author", "bob@example.com"},
                                              {"name", nullptr},
                                              {"emails", {"bob@example.com"}},
                                              {"ai_violations", 2}},
                                             {{"author", "senior@example.com"},
                                              {"name", "Senior One"},
                                              {"emails", {"senior@example.com"}},
                                              {"ai_violations", 1}}}));

  REQUIRE(s["largest_gaps"].size() == 5);
  std::vector<std::pair<std::string, int>> largest = {
      {"U1", 10}, {"A1", 5}, {"A2", 2}, {"L1", 0}, {"S1", 0}};
  for (std::size_t i = 0; i < largest.size(); ++i) {
    CHECK(s["largest_gaps"][i]["id"] == f.id[largest[i].first]);
    CHECK(s["largest_gaps"][i]["lines_changed"] == largest[i].second);
  }

  // Every commit's verdict, newest first.
  std::vector<std::pair<std::string, std::string>> verdicts = {
      {"H4", "not-ai"},       {"U1", "unverified"}, {"L1", "below-level"}, {"S1", "self-reviewed"},
      {"R2", "ok"},           {"R1", "ok"},         {"A2", "unreviewed"},  {"A1", "unreviewed"},
      {"H3", "not-ai"},       {"H2", "not-ai"},     {"H1", "not-ai"},      {"B2", "grandfathered"},
      {"B1", "grandfathered"}};
  for (std::size_t i = 0; i < verdicts.size(); ++i) {
    CHECK(doc["commits"][i]["id"] == f.id[verdicts[i].first]);
    CHECK(doc["commits"][i]["verdict"] == verdicts[i].second);
  }
  // Invalid UTF-8 became U+FFFD.
  CHECK(doc["commits"][0]["subject"] == "Caf\xef\xbf\xbd latin-1 subject");
}

TEST_CASE("audit: jsonl lines carry git's trailers, markers, reviews and verdict", "[e2e][audit]") {
  Fixture f;
  ProcessResult r = f.repo.audit({"--format", "jsonl", "--no-cache"});
  REQUIRE(r.exit_code == 0);
  std::vector<json> lines = parse_jsonl(r.out);
  REQUIRE(lines.size() == 13);
  std::map<std::string, json> by_id;
  for (const auto& l : lines)
    by_id[l["id"]] = l;

  for (const char* name : {"R1", "R2", "U1", "H1", "H2"}) {
    const json& l = by_id.at(f.id[name]);
    // Rebuild %(trailers:only,unfold) from the line and compare with git's own output.
    std::string ours;
    for (const auto& t : l["trailers"])
      ours += t["key"].get<std::string>() + ": " + t["value"].get<std::string>() + "\n";
    std::string git = f.repo.git({"log", "-1", "--format=%(trailers:only,unfold)", f.id[name]});
    CHECK(ours + "\n" == git);
    CHECK(l.contains("ai_assisted"));
    CHECK(l.contains("markers"));
    CHECK(l.contains("reviews"));
    CHECK(l.contains("verdict"));
  }
  const json& r1 = by_id.at(f.id["R1"]);
  CHECK(r1["trailers"][1] == json({{"key", "Change-Id"}, {"value", "I0123 continued here"}}));
  CHECK(r1["ai_assisted"] == true);
  CHECK(r1["markers"][0]["id"] == "claude-code.co-author");
  CHECK(r1["reviews"][0]["reviewer"] ==
        json({{"name", "Senior One"}, {"email", "senior@example.com"}}));
  CHECK(r1["reviews"][0]["verified"] == true);
  CHECK(r1["reviews"][0]["status"] == "verified");
  CHECK(r1["verdict"] == "ok");

  const json& u1 = by_id.at(f.id["U1"]);
  CHECK(u1["verdict"] == "unverified");
  CHECK(u1["reviews"][0]["verified"] == false);
  CHECK(u1["reviews"][0]["status"] == "not-on-roster");
  CHECK_FALSE(u1["reviews"][0]["reason"].get<std::string>().empty());
  // Per-commit records carry no line count (the summary's largest gaps do; see docs/audit.md).
  CHECK(u1["lines_changed"].is_null());

  const json& h2 = by_id.at(f.id["H2"]);
  CHECK(h2["ai_assisted"] == false);
  CHECK(h2["markers"].empty());
  CHECK(h2["lines_changed"].is_null());
}

TEST_CASE("audit: csv parses back, one row per commit", "[e2e][audit]") {
  Fixture f;
  ProcessResult r = f.repo.audit({"--format", "csv", "--no-cache"});
  REQUIRE(r.exit_code == 0);
  auto rows = parse_csv(r.out);
  REQUIRE(rows.size() == 14);
  for (const auto& row : rows)
    CHECK(row.size() == rows[0].size());
  CHECK(rows[0][0] == "id");
  CHECK(rows[0].back() == "audit_policy_sha256");
  auto column = [&](const std::string& name) {
    auto at = std::find(rows[0].begin(), rows[0].end(), name);
    REQUIRE(at != rows[0].end());
    return static_cast<std::size_t>(at - rows[0].begin());
  };
  // U1 is the second newest: its subject holds a quote and a comma.
  CHECK(rows[2][0] == f.id["U1"]);
  CHECK(rows[2][column("subject")] == "Fix \"quoted\", comma");
  CHECK(rows[2][column("verdict")] == "unverified");
  CHECK(rows[2][column("violation")] == "true");
  CHECK(rows[2][column("lines_changed")] == "");  // only the summary counts lines
}

TEST_CASE("audit: text, md and html summaries", "[e2e][audit]") {
  Fixture f;
  ProcessResult text = f.repo.audit({"--no-cache"});
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("8  61.5% of commits"));
  CHECK_THAT(text.out, Catch::Contains("2026-W06"));
  CHECK_THAT(text.out, Catch::Contains(f.id["U1"].substr(0, 12)));
  ProcessResult md = f.repo.audit({"--format", "md", "--no-cache"});
  REQUIRE(md.exit_code == 0);
  CHECK_THAT(md.out, Catch::Contains("| AI-assisted | 8 |"));
  ProcessResult html = f.repo.audit({"--format", "html", "--no-cache", "-o", "report.html"});
  REQUIRE(html.exit_code == 0);
  CHECK(html.out.empty());
  CHECK_THAT(read_file(f.repo.path() / "report.html"), Catch::Contains("<html"));
}

TEST_CASE("audit: --since and --until bound the author date", "[e2e][audit]") {
  Fixture f;
  // 2026-02-02 .. 2026-02-04 inclusive: R1, R2, S1, L1.
  ProcessResult r = f.repo.audit(
      {"--format", "json", "--no-cache", "--since", "2026-02-02", "--until", "2026-02-04"});
  REQUIRE(r.exit_code == 0);
  json doc = json::parse(r.out);
  REQUIRE(doc["commits"].size() == 4);
  check_tally(doc["summary"]["total"], tally(4, 4, 2, 2));
  CHECK(doc["summary"]["since"] == "2026-02-02");
  CHECK(f.repo.audit({"--since", "2026-13-01"}).exit_code == 2);
  CHECK(f.repo.audit({"--until", "yesterday"}).exit_code == 2);
}

TEST_CASE("audit: exit codes", "[e2e][audit]") {
  Fixture f;
  CHECK(f.repo.audit({"--format", "md"}).exit_code == 0);
  CHECK(f.repo.audit({"--format", "md", "--fail-on-violations"}).exit_code == 1);
  // H3's history (B1, B2, H1-H3) has no violation.
  CHECK(f.repo.audit({"--format", "md", "--fail-on-violations", f.id["H3"]}).exit_code == 0);
  CHECK(f.repo.audit({"--format", "pdf"}).exit_code == 2);
  CHECK(f.repo.audit({"no-such-revision"}).exit_code == 3);
  f.repo.set_policy("[[protect]]\nrefs = [\"refs/heads/main\"]\nbogus = 1\n");
  CHECK(f.repo.audit({}).exit_code == 2);
}

TEST_CASE("audit: the cache gives identical output and is safe to delete", "[e2e][audit]") {
  Fixture f;
  auto jsonl = [&](const std::string& expect_stats) {
    ProcessResult r = f.repo.audit({"--format", "jsonl", "--stats"});
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains(expect_stats));
    return timeless(r.out);
  };
  std::string cold = jsonl("0 from the cache, 13 judged");
  fs::path cache_dir = f.repo.path() / ".git" / "trailgate" / "audit-cache";
  CHECK(fs::exists(cache_dir));
  std::string warm = jsonl("13 from the cache, 0 judged");
  CHECK(warm == cold);

  SECTION("a new commit is the only one judged") {
    f.repo.commit(ai("Later one"), kBob, "2026-02-12");
    std::string more = commit_lines(jsonl("13 from the cache, 1 judged"));
    CHECK(more.substr(more.find('\n') + 1) == commit_lines(cold));
  }
  SECTION("deleting the cache is safe") {
    fs::remove_all(cache_dir);
    CHECK(jsonl("0 from the cache, 13 judged") == cold);
  }
  SECTION("a corrupt cache is ignored") {
    for (const auto& e : fs::directory_iterator(cache_dir)) {
      std::string bytes = read_file(e.path());
      bytes.resize(bytes.size() - 7);  // a torn last frame
      bytes[bytes.size() / 2] ^= 0x55;
      write_file(e.path(), bytes);
    }
    std::string again = timeless(f.repo.audit({"--format", "jsonl"}).out);
    CHECK(again == cold);
    CHECK(jsonl("13 from the cache, 0 judged") == cold);
  }
  SECTION("a changed policy invalidates it") {
    f.repo.set_policy(read_file(f.repo.policy()) + "\n# changed\n");
    std::string changed = jsonl("0 from the cache, 13 judged");
    CHECK(commit_lines(changed) == commit_lines(cold));
    CHECK(changed != cold);  // the header names the new policy's digest
  }
  SECTION("other formats use the same cache") {
    ProcessResult r = f.repo.audit({"--format", "csv", "--stats"});
    CHECK_THAT(r.err, Catch::Contains("13 from the cache"));
  }
}

TEST_CASE("audit: revisions are judged by --ref's rule or the first rule", "[e2e][audit]") {
  Fixture f;
  f.repo.git({"branch", "feature", f.id["A2"]});
  ProcessResult r = f.repo.audit({"--format", "json", "--no-cache", "feature"});
  REQUIRE(r.exit_code == 0);
  json doc = json::parse(r.out);
  CHECK(doc["commits"].size() == 7);
  CHECK(doc["commits"][0]["ref"] == "feature");
  CHECK(doc["commits"][0]["verdict"] == "unreviewed");
  CHECK(f.repo.audit({"--ref", "refs/heads/unprotected", "feature"}).exit_code == 2);
}

namespace {

// Runs `args` (with --stats) and returns stdout; checks stderr names `expect_stats`.
std::string audit_out(AuditRepo& repo, std::vector<std::string> args,
                      const std::string& expect_stats) {
  args.push_back("--stats");
  ProcessResult r = repo.audit(args);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains(expect_stats));
  return timeless(r.out);
}

}  // namespace

TEST_CASE("audit: a rerun after a merge of older work equals a cold audit", "[e2e][audit]") {
  Fixture f;
  const std::string warm = audit_out(f.repo, {"--format", "jsonl"}, "13 judged");
  // A branch from the middle of history, older than main's tip, merged into main: its commits
  // come between old ones in walk order, so the cached walk cannot simply be appended to.
  f.repo.git({"checkout", "-q", "-b", "topic", f.id["A2"]});
  f.repo.commit(ai("Topic work"), kAlice, "2026-01-25", 4);
  f.repo.git({"checkout", "-q", "main"});
  f.repo.git({"merge", "-q", "--no-ff", "--no-edit", "topic"}, "",
             {{"GIT_AUTHOR_DATE", "2026-02-12T12:00:00+00:00"},
              {"GIT_COMMITTER_DATE", "2026-02-12T12:00:00+00:00"}});
  const std::string cold = audit_out(f.repo, {"--format", "jsonl", "--no-cache"}, "15 judged");
  CHECK(audit_out(f.repo, {"--format", "jsonl"}, "13 from the cache, 2 judged") == cold);
  CHECK(audit_out(f.repo, {"--format", "jsonl"}, "15 from the cache, 0 judged") == cold);
  CHECK(cold.find(f.id["A1"]) > cold.find("Topic work"));  // in date order
  (void)warm;
}

TEST_CASE("audit: a rerun of several protected refs equals a cold audit", "[e2e][audit]") {
  Fixture f;
  f.repo.set_policy(read_file(f.repo.policy()) +
                    "\n[[protect]]\nrefs = [\"refs/heads/release/*\"]\napprovals = 2\n");
  f.repo.git({"branch", "release/1", f.id["R1"]});
  f.repo.git({"checkout", "-q", "-b", "release/2", f.id["A1"]});
  f.repo.commit(ai("Release fix"), kBob, "2026-01-21", 1);
  f.repo.git({"checkout", "-q", "main"});
  const std::string cold = audit_out(f.repo, {"--format", "json", "--no-cache"}, "14 judged");
  CHECK(audit_out(f.repo, {"--format", "json"}, "0 from the cache, 14 judged") == cold);
  CHECK(audit_out(f.repo, {"--format", "json"}, "14 from the cache, 0 judged") == cold);
  json doc = json::parse(cold);
  REQUIRE(doc["commits"].size() == 14);
  CHECK(doc["commits"].back()["subject"] == "Release fix");
  CHECK(doc["commits"].back()["ref"] == "refs/heads/release/2");
  CHECK(doc["commits"].back()["approvals_required"] == 2);
  SECTION("and after main moves on") {
    f.repo.commit(ai("Later"), kBob, "2026-02-12", 3);
    const std::string later = audit_out(f.repo, {"--format", "json", "--no-cache"}, "15 judged");
    CHECK(audit_out(f.repo, {"--format", "json"}, "14 from the cache, 1 judged") == later);
  }
}

TEST_CASE("audit: summaries count lines even from a cache written without them", "[e2e][audit]") {
  Fixture f;
  const std::string cold_text = audit_out(f.repo, {"--no-cache"}, "13 judged");
  audit_out(f.repo, {"--format", "jsonl"}, "0 from the cache, 13 judged");
  CHECK(audit_out(f.repo, {}, "13 from the cache, 0 judged") == cold_text);
  CHECK_THAT(cold_text, Catch::Contains("      10  " + f.id["U1"].substr(0, 12)));
  SECTION("and from a cache written by another revision") {
    fs::remove_all(f.repo.path() / ".git" / "trailgate" / "audit-cache");
    f.repo.git({"branch", "feature", f.id["H4"]});
    audit_out(f.repo, {"--format", "jsonl", "feature"}, "0 from the cache, 13 judged");
    CHECK(audit_out(f.repo, {}, "13 from the cache, 0 judged") == cold_text);
  }
}

TEST_CASE("audit: the walk reads git's commit-graph when there is one", "[e2e][audit]") {
  Fixture f;
  const std::string before = audit_out(f.repo, {"--format", "jsonl", "--no-cache"}, "13 judged");
  f.repo.git({"commit-graph", "write", "--reachable"});
  CHECK(audit_out(f.repo, {"--format", "jsonl", "--no-cache"}, "13 judged") == before);
  SECTION("commits newer than the graph are read from the objects") {
    f.repo.commit(ai("After the graph"), kBob, "2026-02-12", 2);
    std::string after =
        commit_lines(audit_out(f.repo, {"--format", "jsonl", "--no-cache"}, "14 judged"));
    CHECK(after.substr(after.find('\n') + 1) == commit_lines(before));
  }
  SECTION("a graph that lies about a commit's parents is an error") {
    // A graph written for another history with the same commits would be a forgery; here the
    // graph of a rewritten history is planted: same ids cannot differ, so instead rewrite the
    // graph file's first parent slot of the tip to point at the root.
    fs::path file = f.repo.path() / ".git" / "objects" / "info" / "commit-graph";
    std::string bytes = read_file(file);
    REQUIRE(bytes.size() > 100);
    fs::permissions(file, fs::perms::owner_write, fs::perm_options::add);
    // Find CDAT through the chunk table: entries of 4-byte id + 8-byte offset after the header.
    std::size_t cdat = 0, oidl = 0;
    for (std::size_t at = 8; at + 12 <= bytes.size() && bytes.compare(at, 4, std::string(4, '\0'));
         at += 12) {
      std::uint64_t offset = 0;
      for (int k = 0; k < 8; ++k)
        offset = offset << 8 | static_cast<unsigned char>(bytes[at + 4 + k]);
      if (bytes.compare(at, 4, "CDAT") == 0)
        cdat = offset;
      if (bytes.compare(at, 4, "OIDL") == 0)
        oidl = offset;
    }
    REQUIRE(cdat > 0);
    REQUIRE(oidl > 0);
    // Point every commit's first parent at position 0 (which is some commit of the graph).
    const std::size_t count = (cdat - oidl) / 20;
    for (std::size_t i = 0; i < count; ++i) {
      std::size_t p1 = cdat + i * 36 + 20;
      if (static_cast<unsigned char>(bytes[p1]) != 0x70)
        bytes.replace(p1, 4, std::string(4, '\0'));
    }
    write_file(file, bytes);
    ProcessResult r = f.repo.audit({"--format", "jsonl", "--no-cache"});
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("commit-graph"));
  }
}

TEST_CASE("audit: revision expressions name commits, not refs", "[e2e][audit]") {
  Fixture f;
  ProcessResult r = f.repo.audit({"--format", "json", "--no-cache", "main~2"});
  REQUIRE(r.exit_code == 0);
  json doc = json::parse(r.out);
  CHECK(doc["commits"].size() == 11);
  CHECK(doc["commits"][0]["ref"] == "main~2");
}

TEST_CASE("audit: signed reviews verify, whichever batch or ref holds the parent", "[e2e][audit]") {
  TempDir keys;
  trailgate::testing::SshKey senior =
      trailgate::testing::make_ssh_key(keys.path(), "senior", "ed25519");
  AuditRepo repo;
  repo.set_policy(signature_policy({kSeniorOne.with_keys({senior.public_key})},
                                   {protect({"refs/heads/main"}, std::nullopt, ""),
                                    protect({"refs/heads/release/*"}, std::nullopt, "")}));
  std::string root = repo.commit(ai("Root work"), kAlice, "2026-01-05", 2);
  repo.commit(ai("More work"), kAlice, "2026-01-06", 3);
  auto approve = [&](const std::string& range) {
    std::vector<std::string> argv = {
        trailgate_binary(), "approve", "--key",
        senior.path,        "--as",    "Senior One <senior@example.com>"};
    if (!range.empty())
      argv.push_back(range);
    run_ok(argv, repo.path());
  };
  approve("");  // HEAD only: the root stays unreviewed
  repo.git({"checkout", "-q", "-b", "release/1"});
  repo.commit(ai("Release only"), kBob, "2026-01-07", 1);
  approve("");
  repo.git({"checkout", "-q", "main"});
  ProcessResult r = repo.audit({"--format", "json", "--no-cache"});
  REQUIRE(r.exit_code == 0);
  json doc = json::parse(r.out);
  REQUIRE(doc["commits"].size() == 3);
  std::map<std::string, std::string> verdicts;
  for (const auto& c : doc["commits"])
    verdicts[c["subject"].get<std::string>()] = c["verdict"];
  CHECK(verdicts["More work"] == "ok");     // its parent is in the same batch
  CHECK(verdicts["Release only"] == "ok");  // its parent was listed for main, another batch
  CHECK(verdicts["Root work"] == "unreviewed");
  CHECK(doc["summary"]["verification"] == "signature");
  (void)root;
}

TEST_CASE("audit: agent-authored and assisted commits, and the breakdown by model",
          "[e2e][audit]") {
  AuditRepo repo;
  repo.set_policy(kRoster);
  const char* const kCopilot = "Copilot <198982749+Copilot@users.noreply.github.com>";
  const char* const kCopilotAgent =
      "copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>";
  const char* const kClaudeBot = "claude[bot] <209825114+claude[bot]@users.noreply.github.com>";
  repo.commit("Fix the parser\n\nBody text.\n", kAlice, "2026-03-02");
  repo.commit("Add retries\n\nBody text.\n\nCo-authored-by: Alice Dev <alice@example.com>\n",
              kCopilotAgent, "2026-03-03");
  repo.commit("Tidy the cache\n\nBody text.\n", kClaudeBot, "2026-03-04");
  repo.commit(
      "Squash the agent's work\n\nBody text.\n\nCo-authored-by: Alice Dev "
      "<alice@example.com>\n",
      kCopilot, "2026-03-05");
  repo.commit(ai("Rework the walk", "Co-authored-by: Claude Opus 4.5 <noreply@anthropic.com>"),
              kAlice, "2026-03-06");
  repo.commit("Fix a leak\n\nBody text.\n\nAssisted-by: Claude:claude-3-opus coccinelle sparse\n",
              kBob, "2026-03-09");
  repo.commit("Fix another leak\n\nBody text.\n\nAssisted-by: Claude:claude-3-opus\n", kBob,
              "2026-03-10");
  repo.commit(ai("Rename a flag", "Co-authored-by: Claude <noreply@anthropic.com>"), kAlice,
              "2026-03-11");

  ProcessResult r = repo.audit({"--format", "json", "--no-cache"});
  REQUIRE(r.exit_code == 0);
  json doc = json::parse(r.out);
  const json& total = doc["summary"]["total"];
  CHECK(total["commits"] == 8);
  CHECK(total["ai_assisted"] == 7);
  CHECK(total["agent_authored"] == 3);
  CHECK(total["assisted"] == 4);

  std::map<std::string, long> by_model;
  for (const json& row : doc["summary"]["by_model"])
    by_model[row["model"].get<std::string>()] = row["ai_assisted"].get<long>();
  INFO(doc["summary"]["by_model"].dump());
  CHECK(by_model ==
        std::map<std::string, long>{{"Claude Opus 4.5", 1}, {"claude-3-opus", 2}, {"unknown", 4}});

  // Each commit says whether an agent wrote it, and the audit's counts are the sum of that.
  long agents = 0;
  for (const json& c : doc["commits"])
    agents += c["agent_authored"].get<bool>() ? 1 : 0;
  CHECK(agents == 3);
  std::cout << "audit classes: " << doc["commits"].size() << " commits, " << agents
            << " agent-authored, " << by_model.size() << " models\n";
}

namespace {

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

TEST_CASE("audit: a report stands alone as evidence", "[e2e][audit]") {
  Fixture f;
  const std::string version = AuditRepo::trim(run_ok({trailgate_binary(), "--version"}, "."));
  const std::string digest =
      AuditRepo::trim(run_ok({"sha256sum", f.repo.policy().string()}, ".")).substr(0, 64);
  auto header = [&](const std::string& stats) {
    const std::string before = utc_now();
    ProcessResult r = f.repo.audit({"--format", "jsonl", "--stats"});
    const std::string after = utc_now();
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains(stats));
    json h = json::parse(r.out.substr(0, r.out.find('\n')));
    CHECK(h["type"] == "header");
    CHECK(h["schema"] == "trailgate.audit/2");
    CHECK(fs::equivalent(h["repository"].get<std::string>(), f.repo.path() / ".git"));
    CHECK(h["scanned"] == json::array({"refs/heads/main"}));
    CHECK(h["scanned_tips"] == json::array({AuditRepo::trim(f.repo.git({"rev-parse", "main"}))}));
    CHECK(h["since"].is_null());
    CHECK(h["trailgate_version"] == version);  // the string --version prints
    CHECK(h["policy_sha256"] == digest);       // of the policy bytes that judged
    CHECK(h["policy"] == f.repo.policy().string());
    const std::string at = h["generated_at"];
    CHECK(at.size() == 20);
    CHECK(at >= before);
    CHECK(at <= after);
    return h;
  };
  json cold = header("0 from the cache, 13 judged");
  SECTION("the cache replays records, never the header") {
    f.repo.commit(ai("Later one"), kBob, "2026-02-12");
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    json warm = header("13 from the cache, 1 judged");
    CHECK(warm["scanned_tips"] != cold["scanned_tips"]);
    CHECK(warm["generated_at"] > cold["generated_at"]);
  }
  SECTION("csv: provenance columns, and cells a spreadsheet would run are neutralised") {
    f.repo.commit("=HYPERLINK(\"http://x.example\",\"open\")\n", "@Mallory <-m@x.example>",
                  "2026-02-12");
    ProcessResult r = f.repo.audit({"--format", "csv", "--no-cache"});
    REQUIRE(r.exit_code == 0);
    auto rows = parse_csv(r.out);
    REQUIRE(rows.size() == 15);
    std::map<std::string, std::string> newest;
    for (std::size_t i = 0; i < rows[0].size(); ++i)
      newest[rows[0][i]] = rows[1][i];
    CHECK(newest["subject"] == "'=HYPERLINK(\"http://x.example\",\"open\")");
    CHECK(newest["author_name"] == "'@Mallory");
    CHECK(newest["author_email"] == "'-m@x.example");
    CHECK(newest["audit_trailgate_version"] == version);
    CHECK(newest["audit_policy_sha256"] == digest);
    CHECK(newest["audit_scanned"] == "refs/heads/main");
  }
  SECTION("text and html") {
    ProcessResult text = f.repo.audit({"--no-cache"});
    CHECK_THAT(text.out, Catch::Contains("policy sha256: " + digest));
    CHECK_THAT(text.out, Catch::Contains(" by " + version + "\n"));
    ProcessResult html = f.repo.audit({"--format", "html", "--no-cache"});
    CHECK_THAT(html.out, Catch::Contains("<code id=\"policy-sha256\">" + digest + "</code>"));
  }
}
