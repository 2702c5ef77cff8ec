// Tests of the audit renderers: JSON strings stay valid for any bytes, CSV quoting follows
// RFC 4180, and the summary JSON carries the schema id and shares.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include "audit/audit.h"
#include "report/audit_formats.h"

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
  CHECK(j["schema"] == "trailgate.commit/2");
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
