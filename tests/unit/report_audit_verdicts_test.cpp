// The audit's outputs agree with is_violation on every verdict: the HTML page paints
// reviewed-late and break-glass as settled (docs/audit.md), the summary counts them apart, and
// a record's JSON says "violation" exactly when is_violation does.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include "audit/audit.h"
#include "report/audit_formats.h"
#include "report/audit_html.h"

using trailgate::Verdict;
using trailgate::audit::AuditRecord;
using trailgate::audit::AuditSummary;
namespace report = trailgate::report;

namespace {

AuditRecord record(Verdict verdict) {
  AuditRecord r;
  r.evaluation.id = std::string(40, 'e');
  r.evaluation.ref = "refs/heads/main";
  r.evaluation.author.email = "dev@example.com";
  r.evaluation.detections = {{"m", "Tool", "evidence"}};
  r.evaluation.verdict = verdict;
  return r;
}

}  // namespace

TEST_CASE("audit outputs: reviewed-late and break-glass are not violations", "[report][audit]") {
  AuditSummary s;
  for (Verdict v : {Verdict::reviewed_late, Verdict::break_glass, Verdict::unreviewed,
                    Verdict::grandfathered, Verdict::ok})
    s.add(record(v));
  s.finish();
  CHECK(s.total.violations == 1);
  CHECK(s.reviewed_late == 1);
  CHECK(s.open_review_debt == 2);  // break-glass, and the grandfathered AI-assisted commit
  CHECK(s.by_verdict.at("reviewed-late") == 1);
  CHECK(s.by_verdict.at("break-glass") == 1);

  const std::string page = report::render_audit_html(s, {});
  CHECK(page.find("<span class=\"verdict good\">reviewed-late</span>") != std::string::npos);
  CHECK(page.find("<span class=\"verdict good\">break-glass</span>") != std::string::npos);
  CHECK(page.find("<span class=\"verdict good\">grandfathered</span>") != std::string::npos);
  CHECK(page.find("<span class=\"verdict bad\">unreviewed</span>") != std::string::npos);

  for (Verdict v : {Verdict::reviewed_late, Verdict::break_glass, Verdict::unreviewed}) {
    std::string line;
    report::render_record_json(record(v), line);
    CHECK(nlohmann::json::parse(line)["violation"] == is_violation(v));
  }
}
