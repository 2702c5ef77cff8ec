#include "audit/cache_record.h"

#include <cstdint>
#include <utility>

#include "audit/cache_format.h"

namespace trailgate::audit {

using cache_format::ByteReader;
using cache_format::put;
using cache_format::put_str;

namespace {

void put_identity(std::string& out, const Identity& id) {
  put_str(out, id.name);
  put_str(out, id.email);
  put<std::int64_t>(out, id.time);
  put<std::int32_t>(out, id.offset_minutes);
}

Identity get_identity(ByteReader& r) {
  Identity id;
  id.name = r.str();
  id.email = r.str();
  id.time = r.get<std::int64_t>();
  id.offset_minutes = r.get<std::int32_t>();
  return id;
}

void put_reviews(std::string& out, const review::ReviewOutcome& reviews) {
  put<std::uint32_t>(out, static_cast<std::uint32_t>(reviews.claims.size()));
  for (const auto& c : reviews.claims) {
    put_str(out, c.trailer);
    put_str(out, c.email);
    put_str(out, c.person);
    put<std::uint8_t>(out, static_cast<std::uint8_t>(c.status));
    put_str(out, c.reason);
  }
  put<std::int32_t>(out, reviews.verified);
  put_str(out, reviews.over_limit);
}

// Reads what put_reviews wrote; false for a status no claim has.
bool get_reviews(ByteReader& r, review::ReviewOutcome& reviews) {
  for (auto n = r.count(17); r.ok && n > 0; --n) {
    review::ReviewClaim c;
    c.trailer = r.str();
    c.email = r.str();
    c.person = r.str();
    auto status = r.get<std::uint8_t>();
    if (status > static_cast<std::uint8_t>(review::ClaimStatus::payload_mismatch))
      return false;
    c.status = static_cast<review::ClaimStatus>(status);
    c.reason = r.str();
    reviews.claims.push_back(std::move(c));
  }
  reviews.verified = r.get<std::int32_t>();
  reviews.over_limit = r.str();
  return true;
}

}  // namespace

void serialize_record(const AuditRecord& record, std::string& out) {
  const CommitEvaluation& e = record.evaluation;
  put_str(out, e.subject);
  put_identity(out, e.author);
  put_identity(out, e.committer);
  put<std::uint32_t>(out, static_cast<std::uint32_t>(e.trailers.size()));
  for (const auto& t : e.trailers) {
    put_str(out, t.key);
    put_str(out, t.value);
  }
  put<std::uint32_t>(out, static_cast<std::uint32_t>(e.detections.size()));
  for (const auto& m : e.detections) {
    put_str(out, m.marker_id);
    put_str(out, m.tool);
    put_str(out, m.evidence);
    put<std::uint8_t>(out, static_cast<std::uint8_t>(m.marker_class));
    put_str(out, m.agent);
    put_str(out, m.model);
    put<std::uint32_t>(out, static_cast<std::uint32_t>(m.tools.size()));
    for (const auto& tool : m.tools)
      put_str(out, tool);
  }
  put<std::uint32_t>(out, static_cast<std::uint32_t>(e.responsible.size()));
  for (const auto& h : e.responsible) {
    put<std::uint8_t>(out, static_cast<std::uint8_t>(h.role));
    put_str(out, h.name);
    put_str(out, h.email);
    put_str(out, h.person);
    put<std::uint8_t>(out, h.bot);
    put_str(out, h.level);
  }
  put_str(out, e.author_level);
  put<std::uint8_t>(out, e.agent_authored);
  put<std::uint8_t>(out, e.declaration.has_value());
  put_str(out, e.declaration.value_or(""));
  put<std::uint8_t>(out, e.review_required);
  put<std::int32_t>(out, e.approvals_required);
  put<std::int32_t>(out, e.required.approvals);
  put_str(out, e.required.min_level);
  put<std::uint32_t>(out, static_cast<std::uint32_t>(e.blast_reasons.size()));
  for (const auto& b : e.blast_reasons) {
    put<std::uint8_t>(out, static_cast<std::uint8_t>(b.kind));
    put<std::int32_t>(out, b.requirement.approvals);
    put_str(out, b.requirement.min_level);
    put<std::int32_t>(out, b.source_line);
    put<std::uint32_t>(out, static_cast<std::uint32_t>(b.paths.size()));
    for (const auto& [path, pattern] : b.paths) {
      put_str(out, path);
      put_str(out, pattern);
    }
    put<std::uint64_t>(out, b.matching_paths);
    put<std::uint64_t>(out, b.deleted);
    put<std::uint64_t>(out, b.parent_files);
    put_str(out, b.directory);
    put<std::uint64_t>(out, b.files_before);
    put<std::uint64_t>(out, b.files_after);
    put_str(out, b.message);
  }
  put<std::uint8_t>(out, e.changes_unread);
  put_reviews(out, e.reviews);
  put_reviews(out, e.late_reviews);
  put<std::uint8_t>(out, static_cast<std::uint8_t>(e.verdict));
  put<std::uint32_t>(out, static_cast<std::uint32_t>(e.findings.size()));
  for (const auto& f : e.findings) {
    put_str(out, f.rule);
    put_str(out, f.problem);
    put_str(out, f.fix);
  }
  put<std::int32_t>(out, record.lines_changed);
}

bool deserialize_record(std::string_view payload, AuditRecord& record) {
  ByteReader r{payload};
  std::string id = std::move(record.evaluation.id);
  std::string ref = std::move(record.evaluation.ref);
  record = AuditRecord{};
  CommitEvaluation& e = record.evaluation;
  e.id = std::move(id);
  e.ref = std::move(ref);
  e.subject = r.str();
  e.author = get_identity(r);
  e.committer = get_identity(r);
  for (auto n = r.count(8); r.ok && n > 0; --n) {
    trailers::Trailer t;
    t.key = r.str();
    t.value = r.str();
    e.trailers.push_back(std::move(t));
  }
  for (auto n = r.count(25); r.ok && n > 0; --n) {
    detect::Detection d;
    d.marker_id = r.str();
    d.tool = r.str();
    d.evidence = r.str();
    const auto marker_class = r.get<std::uint8_t>();
    if (marker_class > static_cast<std::uint8_t>(detect::MarkerClass::agent))
      return false;
    d.marker_class = static_cast<detect::MarkerClass>(marker_class);
    d.agent = r.str();
    d.model = r.str();
    for (auto tools = r.count(4); r.ok && tools > 0; --tools)
      d.tools.push_back(r.str());
    e.detections.push_back(std::move(d));
  }
  for (auto n = r.count(18); r.ok && n > 0; --n) {
    ResponsibleHuman h;
    const auto role = r.get<std::uint8_t>();
    if (role > static_cast<std::uint8_t>(ResponsibleRole::named_by_agent))
      return false;
    h.role = static_cast<ResponsibleRole>(role);
    h.name = r.str();
    h.email = r.str();
    h.person = r.str();
    const auto bot = r.get<std::uint8_t>();
    if (bot > 1)
      return false;
    h.bot = bot != 0;
    h.level = r.str();
    e.responsible.push_back(std::move(h));
  }
  e.author_level = r.str();
  const auto agent_authored = r.get<std::uint8_t>();
  if (agent_authored > 1)
    return false;
  e.agent_authored = agent_authored != 0;
  const bool declared = r.get<std::uint8_t>() != 0;
  std::string declaration = r.str();
  if (declared)
    e.declaration = std::move(declaration);
  e.review_required = r.get<std::uint8_t>() != 0;
  e.approvals_required = r.get<std::int32_t>();
  e.required.approvals = r.get<std::int32_t>();
  e.required.min_level = r.str();
  for (auto n = r.count(73); r.ok && n > 0; --n) {
    BlastReason b;
    auto kind = r.get<std::uint8_t>();
    if (kind > static_cast<std::uint8_t>(BlastReasonKind::recreated_directory))
      return false;
    b.kind = static_cast<BlastReasonKind>(kind);
    b.requirement.approvals = r.get<std::int32_t>();
    b.requirement.min_level = r.str();
    b.source_line = r.get<std::int32_t>();
    for (auto paths = r.count(8); r.ok && paths > 0; --paths) {
      std::string path = r.str();
      b.paths.emplace_back(std::move(path), r.str());
    }
    b.matching_paths = r.get<std::uint64_t>();
    b.deleted = r.get<std::uint64_t>();
    b.parent_files = r.get<std::uint64_t>();
    b.directory = r.str();
    b.files_before = r.get<std::uint64_t>();
    b.files_after = r.get<std::uint64_t>();
    b.message = r.str();
    e.blast_reasons.push_back(std::move(b));
  }
  e.changes_unread = r.get<std::uint8_t>() != 0;
  if (!get_reviews(r, e.reviews) || !get_reviews(r, e.late_reviews))
    return false;
  // A value no verdict has (to_string's "unknown") is damage.
  e.verdict = static_cast<Verdict>(r.get<std::uint8_t>());
  if (!verdict_named(to_string(e.verdict)))
    return false;
  for (auto n = r.count(12); r.ok && n > 0; --n) {
    Finding f;
    f.rule = r.str();
    f.ref = e.ref;
    f.commit_id = e.id;
    f.subject = e.subject;
    f.problem = r.str();
    f.fix = r.str();
    e.findings.push_back(std::move(f));
  }
  record.lines_changed = r.get<std::int32_t>();
  return r.ok && r.in.empty();
}

}  // namespace trailgate::audit
