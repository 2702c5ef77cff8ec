// The verdict on one commit under one protection rule: the one vocabulary every entry point
// (the hook, `check`, `explain`, `audit`) and every output speaks. The pipeline decides it
// (pipeline/evaluate.h); nothing else turns a commit into a verdict.
#pragma once

#include <optional>
#include <string_view>

namespace trailgate {

enum class Verdict {
  ok,             // AI-assisted (or review_all) and enough verified reviews
  not_ai,         // not AI-assisted and nothing else required
  unreviewed,     // review required, no review trailer at all
  unverified,     // review trailers present, too few count (not on roster, malformed, expired)
  self_reviewed,  // the only reviews are by the author
  below_level,    // reviews by people below the required level
  grandfathered,  // before the policy's baseline (its commit or its date)
  undeclared,     // the rule requires an AI-Assisted declaration and there is none
  malformed,      // the commit object is malformed (rules::kMalformedCommit), nothing else failed
  reviewed_late,  // failed (or grandfathered AI-assisted), and its review note approves it enough
  break_glass,    // failed, and break-glass let it in (this push's honoured claim, or the log's)
};

// Stable name, as in every output: "ok", "not-ai", "self-reviewed", "reviewed-late", ...
std::string_view to_string(Verdict verdict);

// The verdict named `name` (to_string's inverse); nullopt for any other text.
std::optional<Verdict> verdict_named(std::string_view name);

// True when the verdict breaks the rule: everything but ok, not-ai, grandfathered,
// reviewed-late and break-glass. The one definition of "violation" in trailgate.
bool is_violation(Verdict verdict);

}  // namespace trailgate
