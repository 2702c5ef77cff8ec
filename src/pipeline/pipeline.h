// The pipeline that the hook, `update` and `check` share:
//
//   ref updates -> commits entering protected refs -> evaluate_commit -> Report
//
// Sources differ only in how they describe what is entering a ref: the hook reads
// `<old> <new> <ref>` lines, `check` names a range. Both become RefChecks, and run() turns
// RefChecks into one Report. Violations are Findings in the report, never exceptions; an
// exception from here means trailgate could not decide, and callers must reject.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "detect/markers.h"
#include "git/repository.h"
#include "model/finding.h"
#include "pipeline/evaluate.h"
#include "policy/policy.h"

namespace trailgate {

// One line of pre-receive input: <old-id> SP <new-id> SP <refname>.
struct RefUpdate {
  std::string old_id;  // all zeros when the ref is created
  std::string new_id;  // all zeros when the ref is deleted
  std::string ref;
  bool creates() const;
  bool deletes() const;
};

// Malformed hook input (stdin or arguments). what() says which line and what is wrong.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses pre-receive stdin. Every non-empty line must be "<old> <new> <ref>" with two hex ids
// of equal length (40, or 64 for SHA-256) and a refname under refs/. Throws InputError naming
// the first bad line (1-based) and showing it escaped. An input with no lines is an error too:
// git never runs the hook without one.
std::vector<RefUpdate> parse_ref_updates(std::string_view input);

// Checks one update given as arguments (the update hook). Throws InputError when malformed.
RefUpdate make_ref_update(const std::string& ref, const std::string& old_id,
                          const std::string& new_id);

// What to check for one ref: ref-level findings, and the commits that enter it.
struct RefCheck {
  RefUpdate update;
  const ProtectRule* rule = nullptr;  // nullptr: the ref is not protected, nothing to check
  std::vector<Finding> ref_findings;  // deletion
  std::vector<std::string> include;   // commits entering = reachable from include ...
  std::vector<std::string> exclude;   // ... but not from exclude
  // Non-empty: the old tip; run() adds a history-rewrite finding unless it is an ancestor of
  // include.front().
  std::string must_fast_forward_from;
};

// The policy's baseline commit (peeled) when this repository has it; empty otherwise.
std::vector<std::string> baseline_tips(const git::Repository& repo, const Policy& policy);

// The tips of every protected ref as the repository has them now (peeled to commits), plus
// the policy's baseline commit. In the hook this is the state before the push: what was
// already protected is not checked again.
std::vector<std::string> protected_tips(const git::Repository& repo, const Policy& policy);

// Plans the hook's checks. For each update to a protected ref: deletion and non-fast-forward
// are findings unless the rule allows them (the second is settled by run()); the commits entering
// are those reachable from the new tip and not from `already_protected` (never "--not --all": a
// commit on an unprotected branch is not exempt). Annotated tags are peeled; a tip that is not a
// commit has no commits.
std::vector<RefCheck> plan_push(const git::Repository& repo, const Policy& policy,
                                const std::vector<RefUpdate>& updates,
                                const std::vector<std::string>& already_protected);

struct RunOptions {
  std::int64_t now = 0;       // seconds since the epoch, for roster expiry
  bool keep_passing = false;  // keep evaluations of passing commits (check --format json)
  // When set, receives every evaluation, passing or failing, in walk order as soon as it is
  // made, before the Report decides whether to keep it. A caller that shows every commit as it
  // comes (check's text output) can then leave keep_passing off, and its memory stays bounded
  // however many commits the range holds; keep_passing holds them all until run() returns.
  std::function<void(const CommitEvaluation&)> on_evaluation;
  // The roster person the host names as the pusher (hook only; nullptr when none): their own
  // review does not count for a commit whose author the roster does not know.
  const Person* pusher = nullptr;
};

struct RefResult {
  RefUpdate update;
  const ProtectRule* rule = nullptr;
  std::vector<Finding> ref_findings;
  std::size_t commits_checked = 0;
  std::size_t commits_failed = 0;
  // The id of every failing commit entering this ref, in walk order, however many: what
  // break-glass waives and the decision log records. 40 or 64 bytes each, so bounded by the
  // push itself.
  std::vector<std::string> failed_commits;
};

struct Report {
  std::vector<RefResult> refs;
  // Failing evaluations, at most Policy::max_listed_commits of them, in walk order; plus
  // passing ones when RunOptions::keep_passing.
  std::vector<CommitEvaluation> evaluations;
  std::size_t commits_checked = 0;
  std::size_t commits_failed = 0;  // may exceed the failing evaluations kept
  std::size_t findings = 0;        // every finding, ref-level and per commit

  bool passed() const { return findings == 0; }
  // True when some ref has a ref-level finding (deletion, history rewrite).
  bool has_ref_findings() const;
};

// Walks each RefCheck's commits, evaluates them under its rule and gathers the Report. A
// commit entering several refs is evaluated once per ref. Memory stays bounded: only the
// listed evaluations are kept, however many commits enter.
Report run(const git::Repository& repo, const Policy& policy, const detect::MarkerSet& markers,
           const std::vector<RefCheck>& checks, const RunOptions& options);

// The compiled markers the policy asks for: the built-in catalogue unless switched off, then
// the policy's own. Throws std::invalid_argument on a pattern RE2 rejects.
detect::MarkerSet compile_markers(const Policy& policy);

}  // namespace trailgate
