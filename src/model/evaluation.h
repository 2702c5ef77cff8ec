// The verdict on one commit under one rule, with everything that led to it: plain data, made by
// evaluate_commit (src/pipeline/evaluate.h) and read by every output.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/commit.h"
#include "model/detection.h"
#include "model/finding.h"
#include "model/requirement.h"
#include "model/review_outcome.h"
#include "model/trailer.h"
#include "model/verdict.h"

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
  // The approvals in the commit's review note, judged when its trailers alone fell short
  // (EvaluationContext::late_reviews); empty otherwise.
  review::ReviewOutcome late_reviews;
  // True when what the commit changes was not read because no blast-radius rule could change
  // its verdict (EvaluationContext::skip_needless_changes): `required` is then the rule's own.
  bool changes_unread = false;
  Verdict verdict = Verdict::not_ai;
  std::vector<Finding> findings;  // empty when the commit passes

  bool ai_assisted() const { return !detections.empty(); }
  // False for a violation (is_violation). A break_glass commit passes and keeps its findings:
  // they say what break-glass waived.
  bool passed() const { return !is_violation(verdict); }
};

}  // namespace trailgate
