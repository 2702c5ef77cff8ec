// The verdict on one commit under one protection rule. This is where trailgate decides; the
// hook, `check` and (later) `audit` all come here, so the logic exists once.
//
// Pure: a CommitInfo, the rule and the policy in; the evaluation with its Findings out. It never
// reads git, so it can be tested exhaustively.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detect/markers.h"
#include "git/tree_changes.h"
#include "model/commit.h"
#include "model/evaluation.h"
#include "model/finding.h"
#include "model/verdict.h"
#include "pipeline/blast_radius.h"
#include "policy/policy.h"
#include "review/review.h"
#include "trailers/trailers.h"

namespace trailgate {

// Reads what a commit changes against its first parent; called only when the blast-radius rules
// need it (needs_changes), so diffs cost only the commits they can matter for.
using ChangeSource = std::function<const git::ChangeSet&()>;

// What the pipeline knows about a commit beyond the commit itself.
struct EvaluationContext {
  // False when the commit is not in the protected history from before the push being judged:
  // a [baseline] date, which trusts dates the pusher wrote, then grandfathers nothing.
  bool dates_may_grandfather = true;
  // The push's whole change to the ref (its old tip against its new tip), or empty. When it
  // crosses a mass-change limit, every commit of the push that deletes files needs what that
  // limit asks for, so that a deletion split over several commits needs what one would.
  // Read only when a commit deletes files and the mass-change rule applies to it.
  ChangeSource push_changes;
  // The roster person the host names as the pusher (nullptr when none): their own review does
  // not count for a commit whose author the roster does not know, since they may be its author
  // under another address.
  const Person* pusher = nullptr;

  // What the repository's own records say about the commit, beyond its bytes and the push.
  // Every entry point reads them from the same places: the baseline commit, the review notes
  // (refs/notes/trailgate) and the decision log (docs/architecture.md).
  //
  // The commit is reachable from the policy's baseline commit: grandfathered, and nothing else is
  // judged (the hook never walks such commits; it judges one only when a push's new tip is one).
  bool in_baseline = false;
  // The approvals in the commit's review note judged for a level, or nullopt when it has no note;
  // null when notes are not consulted. Asked only for a commit whose review falls short (or an
  // AI-assisted grandfathered one): when the note's approvals and the commit's own verified
  // reviews together reach the requirement, the verdict is reviewed_late.
  std::function<std::optional<review::ReviewOutcome>(const std::string& min_level)> late_reviews;
  // Break-glass let the commit in (the decision log says so): a violation becomes break_glass.
  // The hook never sets it: it decides break-glass for the push it judges (waive_break_glass).
  bool break_glass = false;
  // Read what the commit changes only when a blast-radius rule could change its verdict: not for
  // a commit that needs review and has no verified review at the rule's own level, which fails
  // whatever the rules would ask. The audit's choice (docs/audit.md); the hook reads them, so
  // that its message names every requirement at once.
  bool skip_needless_changes = false;
};

// Judges `commit` as it enters `ref` under `rule`. `markers` is the policy's compiled marker
// set; `now` is seconds since the epoch (roster expiry is judged at that time). With `changes`,
// the rule's sensitive-path and mass-change rules (rule.blast) can raise the requirement;
// without, only the [[protect]] rule's own requirement applies.
// `context` carries what only the pipeline knows (EvaluationContext).
// REQUIRES: rule.min_level is one of policy.levels.
CommitEvaluation evaluate_commit(const CommitInfo& commit, const std::string& ref,
                                 const ProtectRule& rule, const Policy& policy,
                                 const detect::MarkerSet& markers, std::int64_t now,
                                 const ChangeSource& changes = nullptr,
                                 const EvaluationContext& context = {});

}  // namespace trailgate
