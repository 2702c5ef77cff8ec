// The audit's data: one judged commit (a record wrapping the pipeline's CommitEvaluation) and the
// summary counted over many. Plain data, read by the outputs (src/report/) without the scheduler.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/evaluation.h"

namespace trailgate::audit {

// One judged commit: the pipeline's evaluation of it, as the hook and `check` see it, with
// what only the audit adds. The verdict is the evaluation's (reviewed-late, break-glass and
// grandfathered included); nothing here re-decides it.
struct AuditRecord {
  CommitEvaluation evaluation;  // evaluation.ref: the ref (or revision) whose rule judged it
  int lines_changed = -1;       // added + deleted against the first parent; -1 when not computed

  bool ai_assisted() const { return evaluation.ai_assisted(); }
  bool violation() const { return is_violation(evaluation.verdict); }
};

// The record of `evaluation`, judged for `ref` (which becomes evaluation.ref and the ref of
// each of its findings). lines_changed stays -1.
AuditRecord make_record(CommitEvaluation evaluation, const std::string& ref);

// The by_model key of an AI-assisted commit whose markers name no model.
inline constexpr std::string_view kUnknownModel = "unknown";

// Counters over a set of records, overall and per period or group.
struct Tally {
  std::int64_t commits = 0;
  std::int64_t ai_assisted = 0;
  std::int64_t ai_verified = 0;  // AI-assisted with verdict ok
  std::int64_t violations = 0;
  // AI-assisted commits that an agent wrote on its own (CommitEvaluation::agent_authored); the
  // rest of ai_assisted are assisted (a human's commit with AI help): assisted().
  std::int64_t agent_authored = 0;

  std::int64_t assisted() const { return ai_assisted - agent_authored; }

  bool operator==(const Tally&) const = default;
};

// part / whole, or 0 when whole is 0.
double share(std::int64_t part, std::int64_t whole);

// A roster person, as the audit groups people: their roster name and all their emails (the
// first is primary).
struct PersonGroup {
  std::string name;
  std::vector<std::string> emails;
};

struct AuditSummary {
  Tally total;
  std::map<std::string, Tally> by_week;    // "2026-W07" (ISO week of the author date, UTC)
  std::map<std::string, Tally> by_month;   // "2026-02"
  std::map<std::string, Tally> by_author;  // author group (group_of): a roster person's primary
                                           // email, else the author email; lowercased
  std::map<std::string, Tally> by_tool;    // Detection::tool (a commit counts once per tool)
  // AI-assisted commits by Detection::model: a commit counts once per model its markers name,
  // and under kUnknownModel when none names one. Commits that are not AI-assisted are not here.
  std::map<std::string, Tally> by_model;
  std::map<std::string, std::int64_t> by_reviewer;  // verified reviews per reviewer group
                                                    // (group_of), grandfathered excluded
  std::map<std::string, std::int64_t> by_verdict;   // verdict -> commits
  // Review debt: AI-assisted commits that reached a protected ref without an on-time review
  // and have no late approval either: "break-glass" ones, and grandfathered ones.
  std::int64_t open_review_debt = 0;
  std::int64_t reviewed_late = 0;  // verdict "reviewed-late": approved by note, after the fact
  // AI-assisted violations (unreviewed, unverified, ...) per author group (group_of); the
  // source of top_gap_authors.
  std::map<std::string, std::int64_t> ai_gaps_by_author;
  // Authors with the most AI-assisted violations, most first (ties by email), top 10.
  std::vector<std::pair<std::string, std::int64_t>> top_gap_authors;
  // The largest AI-assisted violations by lines_changed, largest first (ties in scan order),
  // top 10.
  std::vector<AuditRecord> largest_gaps;
  std::string verification;          // "signature" or "roster"
  std::string policy_source;         // the policy file; empty when none was found
  std::vector<std::string> scanned;  // what was scanned: protected refs or revisions, in order
  std::string since;                 // --since as given ("" = no bound)
  std::string until;                 // --until as given ("" = no bound)
  // Provenance, so that a report stands alone as evidence (docs/audit.md, "What a report
  // names"). Set by the caller; the scan and add() never touch them.
  std::string repository;                 // the repository's path (its git directory)
  std::vector<std::string> scanned_tips;  // the commit each of `scanned` resolved to, same order
  std::string generated_at;               // when the report was made: UTC, "2026-12-07T15:40:00Z"
  std::string trailgate_version;          // as `trailgate --version` prints it
  std::string policy_sha256;  // of the policy bytes that judged (as the decision log names
                              // it); "" when no policy was found
  // The roster people that by_author, by_reviewer and the gap lists name, by group key (see
  // group_of); keys that are not here are emails the roster does not know.
  std::map<std::string, PersonGroup> people;

  // Groups people by roster person from now on: an email that one of `roster` lists (ASCII
  // case-insensitive; the first person listing it wins, as Policy::person_by_email) belongs to
  // that person's group. Only exact emails match: a look-alike stays a group of its own. Call
  // before the first add(). People without an email are ignored.
  void set_roster(const std::vector<PersonGroup>& roster);
  // The group key of `email`: the primary email (lowercased) of the roster person who lists it,
  // else `email` lowercased.
  std::string group_of(std::string_view email) const;

  // Adds one record to every counter. Cheap; call once per record.
  void add(const AuditRecord& record);
  // Sorts and trims the top lists. Call once after the last add().
  void finish();

 private:
  std::vector<PersonGroup> roster_;
  std::map<std::string, std::size_t, std::less<>> roster_by_email_;  // lowercased -> roster_
  void note_group(const std::string& key);  // records a roster group's person in `people`
};

// `time` (seconds since the epoch) in UTC as ISO 8601 with a Z: "2026-12-07T15:40:00Z".
std::string utc_time(std::int64_t time);

// The ISO-8601 week of `time` (seconds since the epoch) in UTC, as "2026-W07".
std::string week_key(std::int64_t time);
// The month of `time` in UTC, as "2026-02".
std::string month_key(std::int64_t time);
// `time` as ISO 8601 in the offset it was written with: "2026-02-03T10:00:00+01:00".
std::string iso_time(std::int64_t time, int offset_minutes);
// The same, appended to `out` (no allocation beyond `out`'s own).
void append_iso_time(std::string& out, std::int64_t time, int offset_minutes);
// Parses "YYYY-MM-DD" (a valid calendar date) to seconds since the epoch at 00:00 UTC.
// Returns nullopt for anything else.
std::optional<std::int64_t> parse_day(std::string_view text);

}  // namespace trailgate::audit
