// The audit cache keeps the whole evaluation: a record read back from the cache equals the one
// that was judged, every field of the pipeline's CommitEvaluation included (declaration,
// requirement, blast-radius reasons, findings, the verdict), with the ref of the audit that
// reads it.
#include <catch2/catch.hpp>

#include <string>

#include "audit/audit.h"
#include "audit/cache.h"

using trailgate::BlastReason;
using trailgate::BlastReasonKind;
using trailgate::Finding;
using trailgate::Verdict;
using trailgate::audit::AuditRecord;
using trailgate::review::ClaimStatus;
namespace audit = trailgate::audit;

namespace {

AuditRecord full() {
  trailgate::CommitEvaluation e;
  e.id = std::string(40, 'f');
  e.subject = "Delete the old importer";
  e.author = {"Dev", "dev@example.com", 1'770'000'000, 60};
  e.committer = {"Lead", "lead@example.com", 1'770'000'100, -120};
  e.trailers = {{"AI-Assisted", "yes"}, {"Reviewed-by", "Lead <lead@example.com>"}};
  e.detections = {{"decl", "Declared", "trailer \"AI-Assisted: yes\""},
                  {"kernel.assisted-by", "Assisted-by", "trailer \"Assisted-by: ...\""},
                  {"copilot.agent", "Copilot coding agent", "author email \"...\""}};
  e.detections[1].agent = "Claude";
  e.detections[1].model = "claude-opus-4-5";
  e.detections[1].tools = {"coccinelle", "sparse"};
  e.detections[2].marker_class = trailgate::detect::MarkerClass::agent;
  e.responsible = {
      {trailgate::ResponsibleRole::author, "Dev", "dev@example.com", "", false, "junior"},
      {trailgate::ResponsibleRole::co_author, "Lead", "lead@example.com", "Lead", false, "senior"},
      {trailgate::ResponsibleRole::named_by_agent, "Bot", "bot@example.com", "", true, "junior"}};
  e.author_level = "junior";
  e.agent_authored = true;
  e.declaration = "yes";
  e.review_required = true;
  e.approvals_required = 2;
  e.required = {2, "principal"};
  BlastReason b;
  b.kind = BlastReasonKind::recreated_directory;
  b.requirement = {2, "principal"};
  b.source_line = 31;
  b.paths = {{"importer/a.py", "importer/**"}, {"importer/b.py", "importer/**"}};
  b.matching_paths = 9;
  b.deleted = 700;
  b.parent_files = 1000;
  b.directory = "importer";
  b.files_before = 40;
  b.files_after = 41;
  b.message = "importer/ deleted and recreated";
  e.blast_reasons = {b};
  e.reviews.claims = {{"Reviewed-by: Lead <lead@example.com>", "lead@example.com", "Lead",
                       ClaimStatus::verified, ""}};
  e.reviews.verified = 1;
  e.reviews.over_limit = "";
  e.late_reviews.claims = {{"Reviewed-by: Pat <pat@example.com>", "pat@example.com", "Pat",
                            ClaimStatus::expired, "Pat's entry expired"}};
  e.late_reviews.over_limit = "too many signatures";
  e.changes_unread = true;
  e.verdict = Verdict::break_glass;
  e.findings = {Finding{"blast-radius-review", "refs/heads/main", e.id, e.subject,
                        "needs 2 verified reviews by principal or above, has 1", "ask another"}};
  AuditRecord r = audit::make_record(std::move(e), "refs/heads/main");
  r.lines_changed = 1234;
  return r;
}

}  // namespace

TEST_CASE("audit cache: a cached record equals the fresh one, every field", "[audit][cache]") {
  const AuditRecord fresh = full();
  std::string bin;
  audit::serialize_record(fresh, bin);
  AuditRecord back;
  back.evaluation.id = fresh.evaluation.id;
  back.evaluation.ref = "refs/heads/main";
  REQUIRE(audit::deserialize_record(bin, back));
  const trailgate::CommitEvaluation& a = fresh.evaluation;
  const trailgate::CommitEvaluation& b = back.evaluation;
  CHECK(b.id == a.id);
  CHECK(b.ref == a.ref);
  CHECK(b.subject == a.subject);
  CHECK(b.author.name == a.author.name);
  CHECK(b.author.offset_minutes == a.author.offset_minutes);
  CHECK(b.committer.email == a.committer.email);
  CHECK(b.committer.time == a.committer.time);
  CHECK(b.trailers.size() == 2);
  CHECK(b.trailers[1].value == a.trailers[1].value);
  REQUIRE(b.detections.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    INFO(i);
    CHECK(b.detections[i].marker_id == a.detections[i].marker_id);
    CHECK(b.detections[i].tool == a.detections[i].tool);
    CHECK(b.detections[i].evidence == a.detections[i].evidence);
    CHECK(b.detections[i].marker_class == a.detections[i].marker_class);
    CHECK(b.detections[i].agent == a.detections[i].agent);
    CHECK(b.detections[i].model == a.detections[i].model);
    CHECK(b.detections[i].tools == a.detections[i].tools);
  }
  CHECK(b.detections[2].marker_class == trailgate::detect::MarkerClass::agent);
  CHECK(b.detections[1].tools == std::vector<std::string>{"coccinelle", "sparse"});
  REQUIRE(b.responsible.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    INFO(i);
    CHECK(b.responsible[i].role == a.responsible[i].role);
    CHECK(b.responsible[i].name == a.responsible[i].name);
    CHECK(b.responsible[i].email == a.responsible[i].email);
    CHECK(b.responsible[i].person == a.responsible[i].person);
    CHECK(b.responsible[i].bot == a.responsible[i].bot);
    CHECK(b.responsible[i].level == a.responsible[i].level);
  }
  CHECK(b.responsible[2].role == trailgate::ResponsibleRole::named_by_agent);
  CHECK(b.responsible[2].bot);
  CHECK(b.author_level == "junior");
  CHECK(b.agent_authored);
  CHECK(b.declaration == a.declaration);
  CHECK(b.review_required);
  CHECK(b.approvals_required == 2);
  CHECK(b.required == a.required);
  REQUIRE(b.blast_reasons.size() == 1);
  const BlastReason& r = b.blast_reasons[0];
  CHECK(r.kind == BlastReasonKind::recreated_directory);
  CHECK(r.requirement == a.blast_reasons[0].requirement);
  CHECK(r.source_line == 31);
  CHECK(r.paths == a.blast_reasons[0].paths);
  CHECK(r.matching_paths == 9);
  CHECK(r.deleted == 700);
  CHECK(r.parent_files == 1000);
  CHECK(r.directory == "importer");
  CHECK(r.files_before == 40);
  CHECK(r.files_after == 41);
  CHECK(r.message == a.blast_reasons[0].message);
  CHECK(b.reviews.claims[0].person == "Lead");
  CHECK(b.reviews.verified == 1);
  REQUIRE(b.late_reviews.claims.size() == 1);
  CHECK(b.late_reviews.claims[0].status == ClaimStatus::expired);
  CHECK(b.late_reviews.claims[0].reason == "Pat's entry expired");
  CHECK(b.late_reviews.over_limit == "too many signatures");
  CHECK(b.changes_unread);
  CHECK(b.verdict == Verdict::break_glass);
  REQUIRE(b.findings.size() == 1);
  CHECK(b.findings[0].rule == a.findings[0].rule);
  CHECK(b.findings[0].ref == a.findings[0].ref);
  CHECK(b.findings[0].commit_id == a.id);
  CHECK(b.findings[0].subject == a.subject);
  CHECK(b.findings[0].problem == a.findings[0].problem);
  CHECK(b.findings[0].fix == a.findings[0].fix);
  CHECK(back.lines_changed == 1234);
  CHECK(back.violation() == fresh.violation());
  // And it serializes to the same bytes again.
  std::string again;
  audit::serialize_record(back, again);
  CHECK(again == bin);

  SECTION("read for another ref, the record and its findings take that ref") {
    AuditRecord other;
    other.evaluation.id = a.id;
    other.evaluation.ref = "refs/heads/release";
    REQUIRE(audit::deserialize_record(bin, other));
    CHECK(other.evaluation.ref == "refs/heads/release");
    CHECK(other.evaluation.findings[0].ref == "refs/heads/release");
  }
  SECTION("no declaration stays none, an empty one stays empty") {
    AuditRecord none = full();
    none.evaluation.declaration.reset();
    std::string none_bin;
    audit::serialize_record(none, none_bin);
    AuditRecord none_back;
    REQUIRE(audit::deserialize_record(none_bin, none_back));
    CHECK_FALSE(none_back.evaluation.declaration);
    none.evaluation.declaration = "";
    none_bin.clear();
    audit::serialize_record(none, none_bin);
    REQUIRE(audit::deserialize_record(none_bin, none_back));
    CHECK(none_back.evaluation.declaration == std::string());
  }
  SECTION("damage is refused: a cut at every length, an unknown verdict or blast kind") {
    for (std::size_t n = 0; n < bin.size(); ++n) {
      AuditRecord cut;
      CHECK_FALSE(audit::deserialize_record(std::string_view(bin).substr(0, n), cut));
    }
    AuditRecord odd = full();
    odd.evaluation.verdict = static_cast<Verdict>(200);
    std::string odd_bin;
    audit::serialize_record(odd, odd_bin);
    AuditRecord odd_back;
    CHECK_FALSE(audit::deserialize_record(odd_bin, odd_back));
    odd = full();
    odd.evaluation.blast_reasons[0].kind = static_cast<BlastReasonKind>(9);
    odd_bin.clear();
    audit::serialize_record(odd, odd_bin);
    CHECK_FALSE(audit::deserialize_record(odd_bin, odd_back));
    odd = full();
    odd.evaluation.detections[0].marker_class = static_cast<trailgate::detect::MarkerClass>(2);
    odd_bin.clear();
    audit::serialize_record(odd, odd_bin);
    CHECK_FALSE(audit::deserialize_record(odd_bin, odd_back));
    odd = full();
    odd.evaluation.responsible[0].role = static_cast<trailgate::ResponsibleRole>(3);
    odd_bin.clear();
    audit::serialize_record(odd, odd_bin);
    CHECK_FALSE(audit::deserialize_record(odd_bin, odd_back));
  }
  SECTION("a claim status added since the last format (co-author) survives") {
    AuditRecord co = full();
    co.evaluation.reviews.claims[0].status = ClaimStatus::co_author;
    std::string co_bin;
    audit::serialize_record(co, co_bin);
    AuditRecord co_back;
    REQUIRE(audit::deserialize_record(co_bin, co_back));
    CHECK(co_back.evaluation.reviews.claims[0].status == ClaimStatus::co_author);
  }
  SECTION("nothing determined stays nothing: no responsible humans, no level, not an agent's") {
    AuditRecord none = full();
    none.evaluation.responsible.clear();
    none.evaluation.author_level.clear();
    none.evaluation.agent_authored = false;
    none.evaluation.detections.clear();
    std::string none_bin;
    audit::serialize_record(none, none_bin);
    AuditRecord none_back;
    REQUIRE(audit::deserialize_record(none_bin, none_back));
    CHECK(none_back.evaluation.responsible.empty());
    CHECK(none_back.evaluation.author_level.empty());
    CHECK_FALSE(none_back.evaluation.agent_authored);
  }
}
