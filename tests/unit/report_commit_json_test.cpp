// Tests of the one shape of a judged commit (report/commit_json.h): every field with its
// documented name and meaning, valid JSON for any bytes, the split around the ref that the
// audit cache relies on, and the CSV row that flattens the same fields.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "detect/markers.h"
#include "report/commit_json.h"

namespace report = trailgate::report;
using json = nlohmann::json;
using trailgate::BlastReason;
using trailgate::BlastReasonKind;
using trailgate::CommitEvaluation;
using trailgate::Finding;
using trailgate::ResponsibleRole;
using trailgate::Verdict;
using trailgate::review::ClaimStatus;

namespace {

// An evaluation with every field set.
CommitEvaluation full() {
  CommitEvaluation e;
  e.id = std::string(40, 'c');
  e.ref = "refs/heads/main";
  e.subject = "Add retry logic";
  e.author = {"Junior One", "junior@example.com", 1'770'000'000, 60};
  e.committer = {"Senior One", "senior@example.com", 1'770'003'600, -330};
  e.trailers = {{"Co-authored-by", "Claude <noreply@anthropic.com>"},
                {"Reviewed-by", "Junior One <junior@example.com>"},
                {"AI-Assisted", "yes"}};
  e.detections = {{"claude-code.co-author", "Claude Code", "trailer \"Co-authored-by: Claude\""},
                  {"claude-code.body", "Claude Code", "body line \"Generated\""},
                  {"aider.author", "Aider", "author name \"Dev (aider)\""}};
  // The kernel's "Assisted-by: AGENT:MODEL [TOOL...]" names an agent, a model and tools.
  e.detections[0].model = "claude-opus-4-5";
  e.detections[1].agent = "Claude";
  e.detections[1].model = "claude-sonnet-4";
  e.detections[1].tools = {"coccinelle", "sparse"};
  e.detections[2].marker_class = trailgate::detect::MarkerClass::agent;
  e.responsible = {
      {ResponsibleRole::author, "Junior One", "junior@example.com", "Junior One", false, "junior"},
      {ResponsibleRole::co_author, "Sen", "senior@example.com", "Senior One", false, "senior"},
      {ResponsibleRole::named_by_agent, "Bot", "bot@example.com", "", true, "junior"}};
  e.author_level = "junior";
  e.agent_authored = true;
  e.declaration = "yes";
  e.review_required = true;
  e.approvals_required = 2;
  e.required = {2, "senior"};
  BlastReason b;
  b.kind = BlastReasonKind::sensitive_path;
  b.requirement = {2, "senior"};
  b.source_line = 12;
  b.paths = {{"infra/main.tf", "infra/**"}};
  b.matching_paths = 1;
  b.message = "infra/main.tf (added) matches \"infra/**\"";
  e.blast_reasons = {b};
  b.kind = BlastReasonKind::deleted_files;
  b.source_line = 0;
  b.message = "deletes 600 files";
  e.blast_reasons.push_back(b);
  e.reviews.claims = {
      {"Reviewed-by: Junior One <junior@example.com>", "junior@example.com", "Junior One",
       ClaimStatus::self_review, "the author cannot review their own commit"},
      {"Reviewed-by: Senior One <senior@example.com>", "senior@example.com", "Senior One",
       ClaimStatus::verified, ""},
      {"Reviewed-by: nobody", "", "", ClaimStatus::malformed, "not \"Name <email>\""}};
  e.reviews.verified = 1;
  e.late_reviews.claims = {{"Reviewed-by: Principal Pat <pat@example.com>", "pat@example.com",
                            "Principal Pat", ClaimStatus::verified, ""}};
  e.late_reviews.verified = 1;
  e.verdict = Verdict::self_reviewed;
  e.findings = {Finding{"blast-radius-review", e.ref, e.id, e.subject, "needs 2, has 1", "fix"}};
  return e;
}

std::string whole(const CommitEvaluation& e, int lines = -1) {
  std::string out;
  report::append_commit_json(out, e, lines);
  return out;
}

// True when `text` is well-formed UTF-8 (nlohmann's strict parser is the judge).
bool parses(const std::string& text) {
  return !json::parse(text, nullptr, false).is_discarded();
}

}  // namespace

TEST_CASE("commit_json: every field, named and meaning as documented", "[report][commit_json]") {
  const CommitEvaluation e = full();
  const std::string text = whole(e, 42);
  CHECK(text.find('\n') == std::string::npos);  // one jsonl line
  const json j = json::parse(text);
  // The documented keys, in the documented order (each key's first occurrence is its own).
  CHECK(j.size() == 27);
  std::size_t at = 0;
  for (const char* key : {"schema",
                          "id",
                          "subject",
                          "ref",
                          "author",
                          "committer",
                          "responsible",
                          "author_level",
                          "verdict",
                          "violation",
                          "ai_assisted",
                          "agent_authored",
                          "tools",
                          "markers",
                          "trailers",
                          "declaration",
                          "review_required",
                          "required_level",
                          "approvals_required",
                          "approvals_verified",
                          "blast_reasons",
                          "changes_unread",
                          "reviews",
                          "late_reviews",
                          "findings",
                          "lines_changed",
                          "catalogue_version"}) {
    INFO(key);
    const std::size_t found = text.find(fmt::format("\"{}\":", key));
    CHECK(found != std::string::npos);
    CHECK(found >= at);
    at = found;
  }
  CHECK(j["schema"] == "trailgate.commit/3");
  CHECK(j["id"] == e.id);
  CHECK(j["subject"] == "Add retry logic");
  CHECK(j["ref"] == "refs/heads/main");
  CHECK(j["author"] == json({{"name", "Junior One"},
                             {"email", "junior@example.com"},
                             {"date", "2026-02-02T03:40:00+01:00"}}));
  CHECK(j["committer"]["date"] == "2026-02-01T22:10:00-05:30");
  CHECK(j["verdict"] == "self-reviewed");
  CHECK(j["violation"] == true);
  CHECK(j["ai_assisted"] == true);
  CHECK(j["tools"] == json({"Claude Code", "Aider"}));  // each once, in order
  CHECK(j["markers"].size() == 3);
  // What a marker does not name is left out, not null.
  CHECK(j["markers"][2] == json({{"id", "aider.author"},
                                 {"tool", "Aider"},
                                 {"class", "agent"},
                                 {"evidence", "author name \"Dev (aider)\""}}));
  CHECK(j["markers"][0] == json({{"id", "claude-code.co-author"},
                                 {"tool", "Claude Code"},
                                 {"class", "assisted"},
                                 {"evidence", "trailer \"Co-authored-by: Claude\""},
                                 {"model", "claude-opus-4-5"}}));
  CHECK(j["markers"][1] == json({{"id", "claude-code.body"},
                                 {"tool", "Claude Code"},
                                 {"class", "assisted"},
                                 {"evidence", "body line \"Generated\""},
                                 {"agent", "Claude"},
                                 {"model", "claude-sonnet-4"},
                                 {"tools", {"coccinelle", "sparse"}}}));
  CHECK(j["agent_authored"] == true);
  CHECK(j["author_level"] == "junior");
  REQUIRE(j["responsible"].size() == 3);
  CHECK(j["responsible"][0] == json({{"role", "author"},
                                     {"name", "Junior One"},
                                     {"email", "junior@example.com"},
                                     {"person", "Junior One"},
                                     {"bot", false},
                                     {"level", "junior"}}));
  CHECK(j["responsible"][1] == json({{"role", "co-author"},
                                     {"name", "Sen"},
                                     {"email", "senior@example.com"},
                                     {"person", "Senior One"},
                                     {"bot", false},
                                     {"level", "senior"}}));
  // Not on the roster: person is null.
  CHECK(j["responsible"][2] == json({{"role", "named-by-agent"},
                                     {"name", "Bot"},
                                     {"email", "bot@example.com"},
                                     {"person", nullptr},
                                     {"bot", true},
                                     {"level", "junior"}}));
  CHECK(j["catalogue_version"] == std::string(trailgate::detect::catalogue_version()));
  CHECK(j["trailers"][0] ==
        json({{"key", "Co-authored-by"}, {"value", "Claude <noreply@anthropic.com>"}}));
  CHECK(j["declaration"] == "yes");
  CHECK(j["review_required"] == true);
  CHECK(j["required_level"] == "senior");
  CHECK(j["approvals_required"] == 2);
  CHECK(j["approvals_verified"] == 1);
  REQUIRE(j["blast_reasons"].size() == 2);
  CHECK(j["blast_reasons"][0] == json({{"kind", "sensitive-path"},
                                       {"approvals", 2},
                                       {"min_level", "senior"},
                                       {"policy_line", 12},
                                       {"message", "infra/main.tf (added) matches \"infra/**\""}}));
  CHECK(j["blast_reasons"][1]["kind"] == "deleted-files");
  REQUIRE(j["reviews"].size() == 3);
  CHECK(j["reviews"][0] ==
        json({{"trailer", "Reviewed-by: Junior One <junior@example.com>"},
              {"reviewer", {{"name", "Junior One"}, {"email", "junior@example.com"}}},
              {"person", "Junior One"},
              {"verified", false},
              {"status", "self-review"},
              {"reason", "the author cannot review their own commit"}}));
  CHECK(j["reviews"][1]["verified"] == true);
  CHECK(j["reviews"][1]["reason"] == "");
  // A malformed claim: the name is what the trailer says, the email is empty.
  CHECK(j["reviews"][2]["reviewer"] == json({{"name", "nobody"}, {"email", ""}}));
  CHECK(j["changes_unread"] == false);
  REQUIRE(j["late_reviews"].size() == 1);  // the review note's approvals, in the same shape
  CHECK(j["late_reviews"][0]["reviewer"] ==
        json({{"name", "Principal Pat"}, {"email", "pat@example.com"}}));
  CHECK(j["late_reviews"][0]["verified"] == true);
  CHECK(j["findings"] ==
        json::array(
            {{{"rule", "blast-radius-review"}, {"problem", "needs 2, has 1"}, {"fix", "fix"}}}));
  CHECK(j["lines_changed"] == 42);
}

TEST_CASE("commit_json: what is absent is null or empty", "[report][commit_json]") {
  CommitEvaluation e;
  e.id = std::string(40, 'd');
  e.ref = "refs/heads/main";
  e.verdict = Verdict::not_ai;
  const json j = json::parse(whole(e));
  CHECK(j["violation"] == false);
  CHECK(j["ai_assisted"] == false);
  CHECK(j["agent_authored"] == false);
  CHECK(j["responsible"] == json::array());  // not judged: nobody determined
  CHECK(j["author_level"].is_null());
  CHECK(j["tools"].empty());
  CHECK(j["markers"].empty());
  CHECK(j["declaration"].is_null());
  CHECK(j["review_required"] == false);
  CHECK(j["required_level"].is_null());
  CHECK(j["reviews"].empty());
  CHECK(j["findings"].empty());
  CHECK(j["lines_changed"].is_null());
  CHECK(j["author"]["date"] == "1970-01-01T00:00:00+00:00");
}

TEST_CASE("commit_json: violation is is_violation, for every verdict", "[report][commit_json]") {
  for (Verdict v :
       {Verdict::ok, Verdict::not_ai, Verdict::unreviewed, Verdict::unverified,
        Verdict::self_reviewed, Verdict::below_level, Verdict::grandfathered, Verdict::undeclared,
        Verdict::malformed, Verdict::reviewed_late, Verdict::break_glass}) {
    CommitEvaluation e;
    e.verdict = v;
    const json j = json::parse(whole(e));
    CHECK(j["verdict"] == std::string(to_string(v)));
    CHECK(j["violation"] == is_violation(v));
  }
}

TEST_CASE("commit_json: the object without its ref, and where the ref goes",
          "[report][commit_json]") {
  CommitEvaluation e = full();
  e.ref = "refs/heads/\"odd\" \xff";
  std::string head = "prefix";  // appends, leaving what was there
  std::size_t ref_at = 0;
  report::append_commit_json_without_ref(head, e, -1, ref_at);
  CHECK(head.rfind("prefix", 0) == 0);
  CHECK(head.compare(ref_at - 7, 7, "\"ref\":,") != 0);  // ref_at is just after the colon
  CHECK(head.compare(ref_at - 6, 6, "\"ref\":") == 0);
  std::string ref;
  report::append_json_string(ref, e.ref);
  const std::string joined = head.substr(6, ref_at - 6) + ref + head.substr(ref_at);
  CHECK(joined == whole(e));
  // Another ref changes nothing else: what the audit cache stores is the same for both.
  CommitEvaluation other = e;
  other.ref = "refs/heads/release";
  for (auto& f : other.findings)
    f.ref = other.ref;
  std::string other_head;
  std::size_t other_at = 0;
  report::append_commit_json_without_ref(other_head, other, -1, other_at);
  CHECK(other_head == head.substr(6));
  CHECK(json::parse(joined)["ref"] == "refs/heads/\"odd\" \xef\xbf\xbd");
}

TEST_CASE("commit_json: valid JSON and UTF-8 for any bytes", "[report][commit_json]") {
  const std::vector<std::string> hostile = {
      std::string("nul \0 inside", 12),
      "ctl \x01\x02\x1f\x7f del",
      "quote \" backslash \\ slash /",
      "newline \n return \r tab \t",
      "lone \xff\xfe bytes",
      "cut \xe2\x82",
      "overlong \xc0\xaf \xe0\x80\x80",
      "surrogate \xed\xa0\x80",
      "above \xf4\x90\x80\x80",
      "fine caf\xc3\xa9 \xf0\x9f\xa4\x96",
      "\xef\xbb\xbf BOM",
  };
  for (const std::string& bad : hostile) {
    CommitEvaluation e = full();
    e.id = bad;
    e.ref = bad;
    e.subject = bad;
    e.author.name = e.author.email = bad;
    e.committer.name = e.committer.email = bad;
    e.trailers = {{bad, bad}};
    e.detections = {{bad, bad, bad}};
    e.detections[0].agent = e.detections[0].model = bad;
    e.detections[0].tools = {bad, bad};
    e.responsible = {{ResponsibleRole::co_author, bad, bad, bad, true, bad}};
    e.author_level = bad;
    e.declaration = bad;
    e.required.min_level = bad;
    e.blast_reasons[0].message = e.blast_reasons[0].requirement.min_level = bad;
    e.reviews.claims = {{bad, bad, bad, ClaimStatus::malformed, bad}};
    e.findings = {Finding{bad, bad, bad, bad, bad, bad}};
    const std::string text = whole(e);
    INFO(json(bad).dump(-1, ' ', true, json::error_handler_t::replace));
    CHECK(parses(text));
    CHECK(text.find('\n') == std::string::npos);
    for (char c : text)
      CHECK(static_cast<unsigned char>(c) >= 0x20);
    // Well-formed text comes back as it was.
    if (bad.rfind("fine", 0) == 0 || bad.rfind("quote", 0) == 0 || bad.rfind("newline", 0) == 0)
      CHECK(json::parse(text)["subject"] == bad);
  }
  SECTION("random bytes") {
    std::mt19937 rng(13);
    for (int round = 0; round < 2000; ++round) {
      std::string bytes(rng() % 40, '\0');
      for (char& c : bytes)
        c = static_cast<char>(rng() % 256);
      CommitEvaluation e;
      e.subject = bytes;
      e.ref = bytes;
      e.reviews.claims = {{bytes, bytes, bytes, ClaimStatus::malformed, bytes}};
      REQUIRE(parses(whole(e)));
    }
  }
}

TEST_CASE("commit_json: the CSV row flattens the same fields", "[report][commit_json]") {
  const std::string header = report::commit_csv_header();
  CHECK(header.substr(header.size() - 2) == "\r\n");
  CHECK(header.rfind("id,ref,author_name,", 0) == 0);
  CHECK(header.find(",committer_date,author_level,verdict,violation,ai_assisted,agent_authored,"
                    "tools,") != std::string::npos);
  CHECK(header.find(",lines_changed,catalogue_version,subject\r\n") != std::string::npos);

  CommitEvaluation e = full();
  e.subject = "Say \"hi\", then\r\nleave \xff";
  std::string row;
  report::append_commit_csv(row, e, 7);
  CHECK(row.substr(row.size() - 2) == "\r\n");
  // Every field quoted, quotes doubled, bad bytes replaced; the CRLF inside stays quoted.
  CHECK(row.find("\"Say \"\"hi\"\", then\r\nleave \xef\xbf\xbd\"\r\n") != std::string::npos);
  CHECK(row.rfind("\"" + e.id + "\",\"refs/heads/main\",\"Junior One\",", 0) == 0);
  CHECK(row.find(",\"junior\",\"self-reviewed\",\"true\",\"true\",\"true\",\"Claude Code;Aider\","
                 "\"claude-code.co-author;claude-code.body;aider.author\",\"yes\",\"true\","
                 "\"senior\",\"2\",\"1\",\"sensitive-path;deleted-files\",\"false\","
                 "\"junior@example.com=self-review;senior@example.com=verified;nobody=malformed\","
                 "\"pat@example.com=verified\",\"blast-radius-review\",\"7\",\"" +
                 std::string(trailgate::detect::catalogue_version()) + "\",") != std::string::npos);
  // As many fields as the header names: count the separators outside quotes.
  auto fields = [](const std::string& line) {
    std::size_t n = 1;
    bool quoted = false;
    for (std::size_t i = 0; i + 2 < line.size(); ++i) {
      if (line[i] == '"')
        quoted = !quoted;
      else if (line[i] == ',' && !quoted)
        ++n;
    }
    return n;
  };
  CHECK(fields(row) == fields(header));
  std::string empty;
  report::append_commit_csv(empty, CommitEvaluation{}, -1);
  CHECK(fields(empty) == fields(header));
  // No lines_changed, the catalogue, no subject.
  CHECK(empty.find(",\"\",\"" + std::string(trailgate::detect::catalogue_version()) +
                   "\",\"\"\r\n") != std::string::npos);
  // Not judged: no author level; not agent-authored.
  CHECK(empty.find(",\"\",\"not-ai\",\"false\",\"false\",\"false\",") != std::string::npos);

  SECTION("a cell that starts like a formula stays one quoted cell, neutralised") {
    CommitEvaluation odd = full();
    odd.author_level = "=cmd|' /C calc'!A0, \"x\"";
    std::string line;
    report::append_commit_csv(line, odd, -1);
    // OWASP: a single quote in front, so a spreadsheet shows the text instead of running it.
    CHECK(line.find(",\"'=cmd|' /C calc'!A0, \"\"x\"\"\",") != std::string::npos);
    CHECK(fields(line) == fields(header));
  }
}

TEST_CASE("commit_json: a co-author's review is shown as such, and does not count",
          "[report][commit_json]") {
  CommitEvaluation e = full();
  e.reviews.claims = {{"Reviewed-by: Senior One <s1@example.com>", "s1@example.com", "Senior One",
                       ClaimStatus::co_author, "Senior One co-wrote the commit"}};
  e.reviews.verified = 0;
  const json j = json::parse(whole(e));
  REQUIRE(j["reviews"].size() == 1);
  CHECK(j["reviews"][0]["status"] == "co-author");
  CHECK(j["reviews"][0]["verified"] == false);
  CHECK(j["reviews"][0]["person"] == "Senior One");
  CHECK(j["reviews"][0]["reason"] == "Senior One co-wrote the commit");
  CHECK(j["approvals_verified"] == 0);
  std::string row;
  report::append_commit_csv(row, e, -1);
  CHECK(row.find(",\"s1@example.com=co-author\",") != std::string::npos);
}
