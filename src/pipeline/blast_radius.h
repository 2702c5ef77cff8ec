// Blast radius: how much review a commit needs given WHAT it changes, on top of the [[protect]]
// rule's own requirement. Two kinds of rules raise it:
//   - sensitive paths ([[protect.sensitive]]): a change to a path that matches;
//   - mass change ([protect.mass_change], with defaults that apply even when the table is
//     absent): many deletions, a large share of the tree deleted, or a directory deleted and
//     recreated with rewritten content.
// When several match, the strictest applies: the most approvals any of them asks for, at the
// highest level any of them asks for (both maxima, even when they come from different rules).
//
// Pure: a ChangeSet (git/tree_changes.h) and the rules in, the requirement and the reasons out.
// It never reads git; docs/blast-radius.md states every rule and default exactly.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "git/tree_changes.h"
#include "model/requirement.h"
#include "policy/blast_rules.h"
#include "policy/policy.h"

namespace trailgate {

// --- judging a change set ----------------------------------------------------------------------

// A modified file whose measured similarity to its old content is below this (percent) was
// rewritten, not edited: git's rename threshold, read the other way round.
inline constexpr int kRewriteSimilarity = 50;
// Paths named per sensitive rule in a reason; the rest are counted.
inline constexpr std::size_t kMaxListedPaths = 5;

// How evaluate_commit classed the commit.
struct CommitClass {
  bool ai_assisted = false;
  bool review_required = false;  // AI-assisted, or the [[protect]] rule has review_all
};

struct BlastRadius {
  Requirement required;              // the strictest of the base and every reason
  std::vector<BlastReason> reasons;  // in rule order: sensitive rules, then mass change
};

// True when assess_blast_radius can raise the requirement of a commit of class `commit`
// under `rules`, i.e. whether its changes are worth reading at all: a sensitive rule and a
// commit that needs review, or an enabled mass-change rule that applies to the commit.
bool needs_changes(const BlastRules& rules, const CommitClass& commit);

// The deleted_share to read a commit's changes with (git::first_parent_changes) when `rules`
// will judge them: the parent's files are counted only as far as the mass-change rule can tell
// them apart. 1 (a share never crossed) when that rule is off.
double counted_share(const BlastRules& rules);

// Judges `changes` under `rules` for a commit of class `commit` whose [[protect]] rule asks for
// `base`. Sensitive rules apply when commit.review_required; the mass-change rule when enabled
// and the commit is AI-assisted or applies_to is all. A rule applies when any changed path
// (old and new path of a rename) matches one of its patterns, or when a mass-change limit is
// crossed; each applying rule gives one reason (the mass-change rule up to three, one per
// limit, plus one per recreated directory). required = base when there are no reasons.
// Reasons are listed even when they ask for no more than `base`. A rule without a min_level
// asks for `rule_level`: the [[protect]] rule's own min_level, which `base` may differ from when
// the commit's author level chose another ([[protect.author_level]]); nullopt = base.min_level.
// REQUIRES: base.min_level, rule_level and every rule's min_level are in policy.levels.
BlastRadius assess_blast_radius(const git::ChangeSet& changes, const BlastRules& rules,
                                const CommitClass& commit, const Requirement& base,
                                const Policy& policy,
                                const std::optional<std::string>& rule_level = std::nullopt);

// The reasons joined for a rejection message ("; " between them); empty when there are none.
std::string describe_reasons(const BlastRadius& radius);

}  // namespace trailgate
