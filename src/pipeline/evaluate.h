// The verdict on one commit under one protection rule. This is where trailgate decides; the
// hook, `check` and (later) `audit` all come here, so the logic exists once.
//
// Pure: a CommitInfo, the rule and the policy in; the evaluation with its Findings out. It never
// reads git, so it can be tested exhaustively.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detect/markers.h"
#include "model/commit.h"
#include "model/finding.h"
#include "policy/policy.h"
#include "review/review.h"
#include "trailers/trailers.h"

namespace trailgate {

enum class Verdict {
  ok,             // AI-assisted (or review_all) and enough verified reviews
  not_ai,         // not AI-assisted and nothing else required
  unreviewed,     // review required, no review trailer at all
  unverified,     // review trailers present, too few count (not on roster, malformed, expired)
  self_reviewed,  // the only reviews are by the author
  below_level,    // reviews by people below the required level
  grandfathered,  // before the policy's baseline
  undeclared,     // the rule requires an AI-Assisted declaration and there is none
};

// Stable name, as in JSON output: "ok", "not-ai", "self-reviewed", ...
std::string_view to_string(Verdict verdict);

struct CommitEvaluation {
  std::string id;
  std::string subject;
  Identity author;
  std::vector<trailers::Trailer> trailers;    // the git-exact trailer block
  std::vector<detect::Detection> detections;  // empty when not AI-assisted
  std::optional<std::string> declaration;     // the AI-Assisted trailer's value, if any
  bool review_required = false;
  int approvals_required = 0;
  review::ReviewOutcome reviews;
  Verdict verdict = Verdict::not_ai;
  std::vector<Finding> findings;  // empty when the commit passes

  bool ai_assisted() const { return !detections.empty(); }
  bool passed() const { return findings.empty(); }
};

// Judges `commit` as it enters `ref` under `rule`. `markers` is the policy's compiled marker
// set; `now` is seconds since the epoch (roster expiry is judged at that time).
// REQUIRES: rule.min_level is one of policy.levels.
CommitEvaluation evaluate_commit(const CommitInfo& commit, const std::string& ref,
                                 const ProtectRule& rule, const Policy& policy,
                                 const detect::MarkerSet& markers, std::int64_t now);

}  // namespace trailgate
