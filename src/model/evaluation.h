// The verdict on one commit under one rule, with everything that led to it: plain data, made by
// evaluate_commit (src/pipeline/evaluate.h) and read by every output.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/commit.h"
#include "model/detection.h"
#include "model/finding.h"
#include "model/requirement.h"
#include "model/review_outcome.h"
#include "model/trailer.h"
#include "model/verdict.h"

namespace trailgate {

// Why a person is responsible for a commit.
enum class ResponsibleRole {
  author,          // the commit's author
  co_author,       // a Co-authored-by trailer naming a roster person
  named_by_agent,  // a human an agent-authored commit's markers name (e.g. the person who
                   // assigned the task to the Copilot coding agent)
};

// "author", "co-author", "named-by-agent", as JSON outputs spell it.
inline std::string_view to_string(ResponsibleRole role) {
  return role == ResponsibleRole::author      ? "author"
         : role == ResponsibleRole::co_author ? "co-author"
                                              : "named-by-agent";
}

// One identity responsible for a commit, and the level the policy gives it.
struct ResponsibleHuman {
  ResponsibleRole role = ResponsibleRole::author;
  std::string name;    // as the commit writes it
  std::string email;   // as the commit writes it
  std::string person;  // the roster person's name; empty when not on the roster
  bool bot = false;    // the identity is an AI agent or another bot (then never a human)
  // The level the commit is judged at for this identity: the roster level, or the policy's
  // lowest level for an identity not on the roster and for any bot.
  std::string level;
};

struct CommitEvaluation {
  std::string id;
  std::string ref;  // the ref (or revision) whose rule judged it, as evaluate_commit was given
  std::string subject;
  Identity author;
  Identity committer;
  std::vector<trailers::Trailer> trailers;    // the git-exact trailer block
  std::vector<detect::Detection> detections;  // empty when not AI-assisted
  std::optional<std::string> declaration;     // the AI-Assisted trailer's value, if any
  // The identities responsible for the commit (the author first) and the commit's author
  // level: the lowest of their levels. Filled for every commit that was judged (not for one
  // grandfathered before judging).
  std::vector<ResponsibleHuman> responsible;
  std::string author_level;
  bool agent_authored = false;  // some detection is of class agent
  bool review_required = false;
  int approvals_required = 0;
  Requirement required;                    // approvals and level, raised by blast_reasons
  std::vector<BlastReason> blast_reasons;  // sensitive paths or mass change that applied
  review::ReviewOutcome reviews;
  // The approvals in the commit's review note, judged when its trailers alone fell short
  // (EvaluationContext::late_reviews); empty otherwise.
  review::ReviewOutcome late_reviews;
  // True when what the commit changes was not read because no blast-radius rule could change
  // its verdict (EvaluationContext::skip_needless_changes): `required` is then the base
  // requirement (the rule's, or its author-level entry's, for the commit's author level and class).
  bool changes_unread = false;
  Verdict verdict = Verdict::not_ai;
  std::vector<Finding> findings;  // empty when the commit passes

  bool ai_assisted() const { return !detections.empty(); }
  // False for a violation (is_violation). A break_glass commit passes and keeps its findings:
  // they say what break-glass waived.
  bool passed() const { return !is_violation(verdict); }
};

}  // namespace trailgate
