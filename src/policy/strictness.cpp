#include "policy/strictness.h"

#include <algorithm>

namespace trailgate {

namespace {

int rank(const std::optional<std::string>& level, const ProtectRule& rule, const Policy& policy) {
  return policy.level_rank(level ? *level : rule.min_level);
}

bool same_patterns(const SensitiveRule& a, const SensitiveRule& b) {
  auto patterns = [](const SensitiveRule& r) {
    std::vector<std::string> out;
    for (const PathGlob& glob : r.paths)
      out.push_back(glob.pattern());
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  };
  return patterns(a) == patterns(b);
}

bool mass_change_as_strict(const ProtectRule& strict, const ProtectRule& lax,
                           const Policy& policy) {
  const MassChangeRule& s = strict.blast.mass_change;
  const MassChangeRule& l = lax.blast.mass_change;
  if (!l.enabled)
    return true;
  if (!s.enabled)
    return false;
  const bool recreated_ok =
      l.recreated_dir_files == 0 ||
      (s.recreated_dir_files != 0 && s.recreated_dir_files <= l.recreated_dir_files);
  const bool scope_ok =
      s.applies_to == MassChangeScope::all || l.applies_to == MassChangeScope::ai_assisted;
  return s.deleted_files <= l.deleted_files && s.deleted_share <= l.deleted_share && recreated_ok &&
         s.approvals >= l.approvals &&
         rank(s.min_level, strict, policy) >= rank(l.min_level, lax, policy) && scope_ok;
}

}  // namespace

bool at_least_as_strict(const ProtectRule& strict, const ProtectRule& lax, const Policy& policy) {
  if (&strict == &lax)
    return true;
  if (strict.approvals < lax.approvals ||
      policy.level_rank(strict.min_level) < policy.level_rank(lax.min_level))
    return false;
  // What each author level and class needs ([[protect.author_level]], agent_approvals).
  for (const std::string& level : policy.levels)
    for (const bool agent : {false, true}) {
      const Requirement s = strict.requirement_for(level, agent);
      const Requirement l = lax.requirement_for(level, agent);
      if (s.approvals < l.approvals ||
          policy.level_rank(s.min_level) < policy.level_rank(l.min_level))
        return false;
    }
  if ((lax.review_all && !strict.review_all) ||
      (lax.require_declaration && !strict.require_declaration))
    return false;
  if ((strict.allow_delete && !lax.allow_delete) ||
      (strict.allow_force_push && !lax.allow_force_push))
    return false;
  for (const std::string& name : strict.break_glass)
    if (!lax.allows_break_glass(name))
      return false;
  for (const SensitiveRule& l : lax.blast.sensitive) {
    const bool covered = std::any_of(
        strict.blast.sensitive.begin(), strict.blast.sensitive.end(), [&](const SensitiveRule& s) {
          return same_patterns(s, l) && s.approvals >= l.approvals &&
                 rank(s.min_level, strict, policy) >= rank(l.min_level, lax, policy);
        });
    if (!covered)
      return false;
  }
  return mass_change_as_strict(strict, lax, policy);
}

}  // namespace trailgate
