// The decision log: one JSON line per hook run, appended to a file (docs/decision-log.md).
//
// Appends are atomic: the file is opened with O_APPEND, locked with flock(), and the whole line
// goes out in one write(), so lines from concurrent pushes never interleave, and the file is
// never truncated. Writing reports failure as a value; what a failure means for the push is
// the hook's decision (policy [log] on_failure), never this module's. A failed write never
// turns a rejection into an acceptance, since nothing here decides a verdict.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "host/break_glass.h"
#include "host/identity.h"
#include "model/report.h"
#include "policy/policy.h"

namespace trailgate::host {

// The "schema" field of every line written. Readers skip lines with another schema, except
// kDecisionSchemaV1: its lines, written by older trailgate, record break-glass the same way.
inline constexpr const char* kDecisionSchema = "trailgate.decision/2";
inline constexpr const char* kDecisionSchemaV1 = "trailgate.decision/1";

// Everything one line records. Pointers are borrowed and may be null where noted.
struct DecisionRecord {
  std::string hook;             // "pre-receive" or "update"
  std::int64_t time_ms = 0;     // when the run started, milliseconds since the epoch (UTC)
  std::string repository;       // the git dir, absolute, without a trailing '/'
  std::string host_repository;  // host_repository(); "" = none
  Pusher pusher;                // as identified; empty when the run failed before that
  Protocol protocol;
  std::string policy;              // the policy file that judged; "" when none was loaded
  std::string policy_sha256;       // SHA-256 of the exact bytes that judged; "" with no policy
  std::vector<RefUpdate> updates;  // the ref updates, when they could be read
  const Report* report = nullptr;  // null when the run failed before judging
  const BreakGlassDecision* break_glass = nullptr;  // null or state none: no claim
  PushVerdict verdict = PushVerdict::rejected;
  std::string error;  // why the run could not decide; "" when it decided
  std::int64_t duration_ms = 0;
  int exit_code = 0;
};

// Renders `record` as one line of JSON (schema in docs/decision-log.md), without a newline.
// Invalid UTF-8 is replaced with U+FFFD, so the line is always valid JSON; it never contains a
// raw newline.
std::string build_log_line(const DecisionRecord& record);

// "2026-01-02T03:04:05.678Z" for `ms` milliseconds since the epoch.
std::string iso8601_utc(std::int64_t ms);

// The log file for a repository whose git dir is `git_dir`: settings.decisions, taken relative
// to `git_dir` when it is relative (as the default is); "" is taken as the default.
std::string log_path(const LogSettings& settings, const std::string& git_dir);

// Appends `line` plus a newline to the file at `path`, creating it (and its parent directory,
// one level) when missing. Under an exclusive flock(), waited for at most `lock_timeout_ms`,
// the whole line goes out in one write() to an O_APPEND descriptor; if an earlier writer left a
// partial last line, a newline is written first so this line stays whole. Then fdatasync().
// Returns "" on success, otherwise why it failed, in words. Never throws, never truncates.
// REQUIRES: `line` holds no newline. (util::append_line_locked with the log's timeout default.)
std::string append_log_line(const std::string& path, const std::string& line,
                            int lock_timeout_ms = 10000);

// One push that break-glass let through, as the log recorded it.
struct BreakGlassEntry {
  std::string time;
  std::string repository;
  std::string pusher;
  std::string reason;
  std::vector<std::string> refs;
  std::vector<std::string> commits;
};

// What read_break_glass_log found.
struct BreakGlassLog {
  std::vector<BreakGlassEntry> entries;  // in file order
  std::size_t lines = 0;                 // non-empty lines read
  std::size_t skipped = 0;  // lines that are not a valid decision (garbage, cut short, wrong
                            // schema, wrong types): skipped and counted, never fatal

  // Every commit id admitted by break-glass, each once, in file order: review debt.
  std::vector<std::string> commits() const;
};

// Thrown when a log file exists but cannot be read.
class DecisionLogError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads the decision log at `path` (lines of kDecisionSchema and kDecisionSchemaV1) and returns
// the pushes with verdict "accepted-break-glass".
// A missing file, or one that is not a regular file (a device, a FIFO), is an empty log. Throws
// DecisionLogError when the file cannot be read.
BreakGlassLog read_break_glass_log(const std::string& path);

// read_break_glass_log(path).commits(), for the hook, which reads the log on every push: only
// lines whose bytes can hold a break-glass acceptance (the verdict's text, or a \u escape) are
// parsed, so a long log of other decisions costs a scan, not a JSON parse per line (a 10 MB log
// cost a push about 125 ms). Throws DecisionLogError like read_break_glass_log.
std::vector<std::string> break_glass_commits(const std::string& path);

}  // namespace trailgate::host
