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
#include <unordered_set>
#include <utility>
#include <vector>

#include "detect/markers.h"
#include "git/repository.h"
#include "model/finding.h"
#include "model/report.h"
#include "pipeline/evaluate.h"
#include "policy/policy.h"

namespace trailgate {

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

// What to check for one ref under one rule: ref-level findings, and the commits that enter it.
// A push to a name that moves protected refs through symbolic refs gives one RefCheck per
// distinct rule among them.
struct RefCheck {
  RefUpdate update;
  const ProtectRule* rule = nullptr;  // nullptr: the ref is not protected, nothing to check
  // The protected ref whose rule this is: update.ref itself, or a ref that moves with it through
  // a symbolic ref (docs/hook.md "Which ref really moves"). Findings name this ref.
  std::string judged_as;
  std::vector<Finding> ref_findings;  // deletion, replace refs, a tip that is not a commit
  std::vector<std::string> include;   // commits entering = reachable from include ...
  std::vector<std::string> exclude;   // ... but not from exclude
  // Non-empty: the old tip; run() adds a history-rewrite finding unless it is an ancestor of
  // include.front().
  std::string must_fast_forward_from;
  // The old tip peeled to a commit, "" when the ref is created (or pointed at no commit): what
  // the ref already held, and the old side of the push's whole change for the mass-change guard.
  std::string old_commit;
};

// A protected ref as the repository has it before the push.
struct ProtectedTip {
  std::string ref;
  std::string commit;  // the tip, peeled to a commit
  const ProtectRule* rule = nullptr;
};

// What a repository protects before a push, which plan_push and run() judge a push against.
struct ProtectedState {
  std::vector<ProtectedTip> tips;     // every protected ref whose tip peels to a commit
  std::vector<std::string> baseline;  // the policy's baseline commit, when present
  // Every symbolic ref under refs/, as (name, the name it points to).
  std::vector<std::pair<std::string, std::string>> symbolic_refs;
};

// The policy's baseline commit (peeled) when this repository has it; empty otherwise.
std::vector<std::string> baseline_tips(const git::Repository& repo, const Policy& policy);

// The repository's protected refs, baseline and symbolic refs as they are now. In the hook this
// is the state before the push.
ProtectedState protected_state(const git::Repository& repo, const Policy& policy);

// What the server protects, as far as this repository knows: in a bare repository (a server),
// protected_state(); in a clone, the remote-tracking refs of protected branches
// (refs/remotes/<remote>/<name> standing for refs/heads/<name>: what the server held when last
// fetched), never the clone's own branches, which may hold exactly the commits being checked.
// With the baseline; no symbolic refs. For check and explain (RunOptions::before).
ProtectedState known_protected_state(const git::Repository& repo, const Policy& policy);

// Every ref that moves when a push writes `ref`: `ref` itself, the refs its symbolic-ref chain
// leads to, and every symbolic ref whose chain leads to the same ref; sorted. `symbolic_refs` is
// ProtectedState::symbolic_refs. A chain deeper than git follows (5) ends where git stops.
std::vector<std::string> refs_moved_by(
    const std::string& ref, const std::vector<std::pair<std::string, std::string>>& symbolic_refs);

// Plans the hook's checks (docs/hook.md). For each update, one RefCheck per distinct rule among
// the refs it moves (refs_moved_by). Findings: deleting a protected ref unless allowed; a
// protected ref whose new tip does not peel to a commit; creating or moving a refs/replace/ ref;
// a non-fast-forward unless allowed (settled by run()). The commits entering are those reachable
// from the new tip and not from the ref's old tip, the baseline, or a protected ref whose rule is
// at least as strict (policy/strictness.h) — never "--not --all": a commit on an unprotected or
// laxer ref is not exempt. Annotated tags are peeled.
std::vector<RefCheck> plan_push(const git::Repository& repo, const Policy& policy,
                                const std::vector<RefUpdate>& updates,
                                const ProtectedState& before);

struct RunOptions {
  std::int64_t now = 0;  // seconds since the epoch, for roster expiry
  // Passing evaluations to keep, at most, in walk order (check --format json: all of them; the
  // hook: Policy::max_listed_commits, for the decision log). While it exceeds
  // Policy::max_listed_commits, failing ones are kept up to it too.
  std::size_t keep_passing = 0;
  // When set, receives every evaluation, passing or failing, in walk order as soon as it is
  // made, before the Report decides whether to keep it. A caller that shows every commit as it
  // comes (check's text output) can then leave keep_passing off, and its memory stays bounded
  // however many commits the range holds; keep_passing holds them all until run() returns.
  std::function<void(const CommitEvaluation&)> on_evaluation;
  // Commits that break-glass let in (the decision log): they never count as protected for
  // another ref, so each one entering a ref is judged under its rule, whatever excludes it.
  std::vector<std::string> break_glass_commits;
  // What the repository protected before the push (nullptr: nothing). A [baseline] date
  // grandfathers, and a review note pays for, only commits reachable from its tips: never a
  // commit this push brings into the protected history. A push to the review notes ref is judged
  // against them too.
  const ProtectedState* before = nullptr;
  // The roster person the host names as the pusher (hook only; nullptr when none): their own
  // review does not count for a commit whose author the roster does not know.
  const Person* pusher = nullptr;
  // Commits the decision log says break-glass let in: a violation among them is break_glass.
  // check and explain set it, describing history as it stands; the hook never does (it decides
  // break-glass for its own push, waive_break_glass, and judges logged commits under each rule).
  const std::unordered_set<std::string>* logged_break_glass = nullptr;
};

// Walks each RefCheck's commits, evaluates them under its rule and gathers the Report. A commit
// entering several refs is evaluated once per distinct rule: a ref's walk also excludes the new
// tips of the refs judged before it under a rule at least as strict. The mass-change guard also
// judges each ref's whole change (old tip against new tip). Memory stays bounded: only the listed
// evaluations are kept, however many commits enter.
Report run(const git::Repository& repo, const Policy& policy, const detect::MarkerSet& markers,
           const std::vector<RefCheck>& checks, const RunOptions& options);

// Marks the failing evaluations of `refs` in `report` as break_glass: what the hook does once it
// has honoured a break-glass claim (host/break_glass.h) that waives those refs' commit findings.
// The findings stay, saying what was waived; the counts stay as run() made them.
void waive_break_glass(Report& report, const std::vector<std::string>& refs);

// The approvals in `note` (the text of `commit`'s review note, nullopt: none) judged for
// `min_level` (review::verify_note); nullopt when there is no note. Reads the parents' trees into
// `commit` when its signatures need them and they are not there yet. Every scheduler judges
// late reviews through this.
std::optional<review::ReviewOutcome> judge_review_note(
    const git::Repository& repo, CommitInfo& commit, const std::optional<std::string>& note,
    const Policy& policy, const std::string& min_level, std::int64_t now);

// The compiled markers the policy asks for: the built-in catalogue unless switched off, then
// the policy's own. Throws std::invalid_argument on a pattern RE2 rejects.
detect::MarkerSet compile_markers(const Policy& policy);

}  // namespace trailgate
