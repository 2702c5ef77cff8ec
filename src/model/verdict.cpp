#include "model/verdict.h"

#include <initializer_list>

namespace trailgate {

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::ok:
      return "ok";
    case Verdict::not_ai:
      return "not-ai";
    case Verdict::unreviewed:
      return "unreviewed";
    case Verdict::unverified:
      return "unverified";
    case Verdict::self_reviewed:
      return "self-reviewed";
    case Verdict::below_level:
      return "below-level";
    case Verdict::grandfathered:
      return "grandfathered";
    case Verdict::undeclared:
      return "undeclared";
    case Verdict::malformed:
      return "malformed";
    case Verdict::reviewed_late:
      return "reviewed-late";
    case Verdict::break_glass:
      return "break-glass";
  }
  return "unknown";
}

std::optional<Verdict> verdict_named(std::string_view name) {
  for (Verdict v :
       {Verdict::ok, Verdict::not_ai, Verdict::unreviewed, Verdict::unverified,
        Verdict::self_reviewed, Verdict::below_level, Verdict::grandfathered, Verdict::undeclared,
        Verdict::malformed, Verdict::reviewed_late, Verdict::break_glass})
    if (to_string(v) == name)
      return v;
  return std::nullopt;
}

bool is_violation(Verdict verdict) {
  switch (verdict) {
    case Verdict::ok:
    case Verdict::not_ai:
    case Verdict::grandfathered:
    case Verdict::reviewed_late:
    case Verdict::break_glass:
      return false;
    default:
      return true;
  }
}

}  // namespace trailgate
