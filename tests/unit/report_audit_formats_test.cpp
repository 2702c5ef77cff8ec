// Tests of the audit renderers: JSON strings stay valid for any bytes, CSV quoting follows
// RFC 4180, and the summary JSON carries the schema id and shares.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include "audit/audit.h"
#include "detect/markers.h"
#include "report/audit_formats.h"
#include "report/audit_html.h"

using trailgate::audit::AuditRecord;
using trailgate::audit::AuditSummary;
namespace report = trailgate::report;
using json = nlohmann::json;

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
  report::render_record_csv(record, row);
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
    CHECK_THAT(text, Catch::Contains("  claude-opus-4-5                         2        2 "));
    CHECK_THAT(text, Catch::Contains("  unknown                                 2        2 "));
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
