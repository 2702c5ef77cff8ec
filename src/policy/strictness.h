// When one [[protect]] rule may stand in for another. A commit already on a protected ref is
// exempt from a second ref's rule only when the first ref's rule asks at least as much in every
// requirement (docs/hook.md "Which rule judges a commit"); otherwise a lax rule would let
// commits into a strict ref.
#pragma once

#include "policy/policy.h"

namespace trailgate {

// True when `strict` asks at least as much as `lax` in every requirement: approvals and level,
// both the rule's own and what it asks of each author level and class (requirement_for, for
// every level of the policy, agent-authored or not);
// review_all and require_declaration; allow_delete and allow_force_push (allowing less); its
// break_glass list a subset of lax's (ignoring ASCII case); every [[protect.sensitive]] entry of
// `lax` matched by one of `strict` with the same patterns and at least its approvals and level;
// and a mass-change rule that is on whenever lax's is, with limits no higher, approvals and level
// no lower, and a scope no narrower. Reflexive. Conservative: a requirement that cannot be
// compared counts as not as strict.
// REQUIRES: both rules' levels are in policy.levels.
bool at_least_as_strict(const ProtectRule& strict, const ProtectRule& lax, const Policy& policy);

}  // namespace trailgate
