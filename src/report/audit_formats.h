// The audit in the formats people and tools read: text tables, JSON, JSON lines, CSV and
// Markdown (HTML is audit_html.h). Renderers only format; the verdicts come from the scan.
//
// Commit data is untrusted bytes: JSON and CSV output is always valid UTF-8 (a byte that is not
// part of well-formed UTF-8 becomes U+FFFD), and text output escapes control characters. The
// summary's schema, versioned as kAuditSchema, is documented in docs/audit.md; each commit's
// object is the one shape of report/commit_json.h (docs/commit-json.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "audit/record.h"
#include "report/commit_json.h"

namespace trailgate::report {

// The schema id of the json document and of the summary. Each commit in them, and each jsonl
// line, is a commit object of schema kCommitSchema (report/commit_json.h).
inline constexpr std::string_view kAuditSchema = "trailgate.audit/2";

// Appends one commit's object (no newline): the jsonl line and the elements of the json
// document's "commits" array. Its "lines_changed" is always null: the audit counts lines only
// for the summary's largest gaps, so one commit's object stays the same whichever report, or
// cache, it came from.
void render_record_json(const audit::AuditRecord& record, std::string& out);
// The same object without the value of "ref": appends it to `out` and sets `ref_at` to the
// offset in `out` where append_json_string(record.evaluation.ref) belongs. What the audit cache
// stores, since one commit's record differs between audits only by the ref that scanned it.
void render_record_json_without_ref(const audit::AuditRecord& record, std::string& out,
                                    std::size_t& ref_at);

// The first line of a jsonl report (with its newline): the report's provenance as one object,
// {"type":"header","schema":kAuditSchema, "repository", "scanned", "scanned_tips", "since",
// "until", "generated_at", "trailgate_version", "catalogue_version", "policy",
// "policy_sha256", "verification"}. Commit lines carry no "type"; their "schema" is
// kCommitSchema.
std::string render_header_jsonl(const audit::AuditSummary& summary);

// The CSV header row: commit_csv_header()'s columns, then the report's provenance columns
// (audit_repository, audit_scanned, audit_since, audit_until, audit_generated_at,
// audit_trailgate_version, audit_policy_sha256), ending in CRLF.
std::string csv_header();
// The provenance cells every CSV row ends with, each preceded by a comma (no line end), from
// the summary's provenance fields (no counters are read).
std::string csv_provenance_cells(const audit::AuditSummary& summary);
// Appends one commit as a CSV row (append_commit_csv; lines_changed empty, as in the JSON),
// with `provenance` (csv_provenance_cells) before its CRLF.
void render_record_csv(const audit::AuditRecord& record, std::string_view provenance,
                       std::string& out);

// How a summary names a group of people (AuditSummary::group_of): "Name <email, email>" for a
// roster person, listing all their emails, else the group's email. Not escaped.
std::string person_label(const audit::AuditSummary& summary, const std::string& group);

// The summary as one JSON object (no newline). REQUIRES: summary.finish() was called.
std::string render_summary_json(const audit::AuditSummary& summary);

// The summary as readable text tables, then up to `violations.size()` violations;
// `violations_left_out` more are only counted. REQUIRES: summary.finish() was called.
std::string render_audit_text(const audit::AuditSummary& summary,
                              const std::vector<audit::AuditRecord>& violations,
                              std::int64_t violations_left_out);

// The summary as Markdown. REQUIRES: summary.finish() was called.
std::string render_audit_md(const audit::AuditSummary& summary);

}  // namespace trailgate::report
