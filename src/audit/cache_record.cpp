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

}  // namespace

void serialize_record(const AuditRecord& record, std::string& out) {
  put_str(out, record.subject);
  put_identity(out, record.author);
  put_identity(out, record.committer);
  put<std::uint32_t>(out, static_cast<std::uint32_t>(record.trailers.size()));
  for (const auto& t : record.trailers) {
    put_str(out, t.key);
    put_str(out, t.value);
  }
  put<std::uint32_t>(out, static_cast<std::uint32_t>(record.markers.size()));
  for (const auto& m : record.markers) {
    put_str(out, m.marker_id);
    put_str(out, m.tool);
    put_str(out, m.evidence);
  }
  put<std::uint32_t>(out, static_cast<std::uint32_t>(record.reviews.size()));
  for (const auto& c : record.reviews) {
    put_str(out, c.trailer);
    put_str(out, c.email);
    put_str(out, c.person);
    put<std::uint8_t>(out, static_cast<std::uint8_t>(c.status));
    put_str(out, c.reason);
  }
  put<std::int32_t>(out, record.approvals_required);
  put<std::int32_t>(out, record.approvals_verified);
  put_str(out, record.verdict);
  put<std::int32_t>(out, record.lines_changed);
}

bool deserialize_record(std::string_view payload, AuditRecord& record) {
  ByteReader r{payload};
  std::string id = std::move(record.id);
  record = AuditRecord{};
  record.id = std::move(id);
  record.subject = r.str();
  record.author = get_identity(r);
  record.committer = get_identity(r);
  for (auto n = r.count(8); r.ok && n > 0; --n) {
    trailers::Trailer t;
    t.key = r.str();
    t.value = r.str();
    record.trailers.push_back(std::move(t));
  }
  for (auto n = r.count(12); r.ok && n > 0; --n) {
    detect::Detection d;
    d.marker_id = r.str();
    d.tool = r.str();
    d.evidence = r.str();
    record.markers.push_back(std::move(d));
  }
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
    record.reviews.push_back(std::move(c));
  }
  record.approvals_required = r.get<std::int32_t>();
  record.approvals_verified = r.get<std::int32_t>();
  record.verdict = r.str();
  record.lines_changed = r.get<std::int32_t>();
  return r.ok && r.in.empty();
}

}  // namespace trailgate::audit
