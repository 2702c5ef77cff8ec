// The audit: every commit of a history judged by the same evaluate_commit as the hook, and a
// summary for people who ask how much is AI-assisted and how much of that was reviewed.
//
// The scan streams: records are handed to a sink as they are judged (in a stable order), so a
// jsonl audit of any history runs in bounded memory. The summary keeps only counters and the
// bounded lists it reports. This stage decides nothing itself (evaluate_commit does) and formats
// nothing (src/report/audit_formats.h does).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "audit/record.h"
#include "detect/markers.h"
#include "model/commit.h"
#include "pipeline/evaluate.h"
#include "policy/policy.h"
#include "review/review.h"
#include "trailers/trailers.h"

namespace trailgate::audit {

// One history to scan: commits reachable from `tip` (and not from earlier targets' tips) are
// judged for `ref` under `rule`.
struct ScanTarget {
  std::string ref;                    // shown in records; a ref name or the revision as given
  std::string tip;                    // commit id
  const ProtectRule* rule = nullptr;  // REQUIRES: non-null
  int rule_index = -1;  // index of `rule` in Policy::protect; -1 for a rule not in the policy
};

struct ScanOptions {
  std::int64_t now = 0;               // seconds since the epoch, for roster expiry
  std::optional<std::int64_t> since;  // keep commits whose author time >= since
  std::optional<std::int64_t> until;  // keep commits whose author time < until
  unsigned threads = 0;               // workers; 0 = one per core
  std::string cache_dir;              // "" = no cache
  std::string cache_fingerprint;      // which cache files in cache_dir
  bool progress = false;              // a \r progress line on stderr
  // Renders a record's JSON object without the value of its "ref" (which differs between
  // audits of the same commits), appending to `out` and setting `ref_at` to the offset in
  // `out` where the ref's JSON string belongs. Called on worker threads. Required.
  std::function<void(const AuditRecord&, std::string& out, std::size_t& ref_at)> render_json;
  // Renders a freshly judged record in another form for the sink (RecordView::rendered), on a
  // worker thread; null = nothing.
  std::function<void(const AuditRecord&, std::string& out)> render;
  // Whether the sink calls RecordView::record(); when false, records copied from the cache are
  // not parsed (a jsonl rerun then touches only their JSON).
  bool sink_needs_records = true;
  // Count lines changed (AuditRecord::lines_changed) for every AI-assisted violation, for the
  // summary's largest gaps. It reads every changed tree and blob, the costliest part of a scan;
  // without it lines_changed stays -1.
  bool lines_changed = false;
  // Review debt (docs/review-notes.md): commit id -> the text of its review note under
  // refs/notes/trailgate, and the ids the decision log says break-glass let through. A
  // violation whose note approvals (with its own verified reviews) meet the requirement becomes
  // "reviewed-late"; a violation let through by break-glass becomes "break-glass". Both must be
  // covered by cache_fingerprint. Null = none.
  const std::map<std::string, std::string>* review_notes = nullptr;
  const std::unordered_set<std::string>* break_glass = nullptr;
};

struct ScanStats {
  std::int64_t walked = 0;      // commits visited (before --since/--until)
  std::int64_t cache_hits = 0;  // records taken from the cache
  std::int64_t evaluated = 0;   // records judged afresh
  bool cache_written = false;   // new records were appended to the cache
};

// One record as the scan hands it to the sink.
struct RecordView {
  std::string id;  // full hex; empty unless ScanOptions::sink_needs_records
  std::int64_t author_time = 0;
  bool ai_assisted = false;
  bool violation = false;
  std::size_t target = 0;  // index of its ScanTarget
  // The record's JSON object is json_head + the target's ref as a JSON string + json_tail.
  std::string_view json_head, json_tail;
  const std::string* rendered = nullptr;  // ScanOptions::render's output; null when not rendered

  // The whole record (its ref included). For a record copied from the cache it is parsed on
  // first use; REQUIRES: ScanOptions::sink_needs_records. Throws std::runtime_error when a
  // cached record cannot be parsed.
  const AuditRecord& record() const;

  // Where record() comes from; set by the scan.
  const AuditRecord* fresh = nullptr;
  std::string_view cached_bin;
  std::string_view ref;
  mutable std::optional<AuditRecord> parsed;
};

// Called on the calling thread, in scan order: targets in order, each in walk order.
using RecordSink = std::function<void(const RecordView&)>;

// Scans `targets` in the repository at `repo_path` (each worker opens its own handle): every
// commit reachable from a target's tip and from no earlier target's tip is judged once with
// evaluate_commit under that target's rule; commits reachable from `baseline` (a commit id, or
// "" for none) get the verdict "grandfathered". Within a target, commits come newest first by
// committer date (git's default order: a commit whenever it is the newest of those reached and
// not yet listed, ties in the order they were reached, parents in their order). Records
// outside [since, until) are dropped. With ScanOptions::lines_changed, lines changed are counted
// for every AI-assisted violation. Throws git::GitError on a git failure; a broken cache file is
// ignored (and rewritten), never an error, except a cached walk whose records turn out damaged
// halfway through a report (std::runtime_error: delete the cache).
ScanStats scan(const std::string& repo_path, const Policy& policy, const detect::MarkerSet& markers,
               const std::vector<ScanTarget>& targets, const std::string& baseline,
               const ScanOptions& options, const RecordSink& sink);

}  // namespace trailgate::audit
