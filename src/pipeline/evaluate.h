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
#include "model/finding.h"
#include "model/verdict.h"
#include "pipeline/blast_radius.h"
#include "policy/policy.h"
#include "review/review.h"
#include "trailers/trailers.h"

namespace trailgate {

struct CommitEvaluation {
  std::string id;
  std::string ref;  // the ref (or revision) whose rule judged it, as evaluate_commit was given
  std::string subject;
  Identity author;
  Identity committer;
  std::vector<trailers::Trailer> trailers;    // the git-exact trailer block
  std::vector<detect::Detection> detections;  // empty when not AI-assisted
  std::optional<std::string> declaration;     // the AI-Assisted trailer's value, if any
  bool review_required = false;
  int approvals_required = 0;
  Requirement required;                    // approvals and level, raised by blast_reasons
  std::vector<BlastReason> blast_reasons;  // sensitive paths or mass change that applied
  review::ReviewOutcome reviews;
  Verdict verdict = Verdict::not_ai;
  std::vector<Finding> findings;  // empty when the commit passes

  bool ai_assisted() const { return !detections.empty(); }
  bool passed() const { return findings.empty(); }
};

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
