// Break-glass: in an incident, a pusher the policy trusts may push commits that lack their
// review, with `git push -o trailgate.break-glass="<reason>"`. The push is let through loudly
// and logged; the audit lists the commits as review debt.
//
// The decision is pure: the claims from the push options, the pusher as the host identified
// them, and the judged Report in; honoured or refused (and exactly why) out. It never waives a
// ref-level finding: deleting or rewriting a protected ref stays governed by allow_delete and
// allow_force_push.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "host/identity.h"
#include "host/push_options.h"
#include "model/report.h"

namespace trailgate::host {

// A reason longer than this is refused: it belongs in the incident ticket the reason names.
inline constexpr std::size_t kMaxReasonBytes = 1000;

enum class BreakGlassState {
  none,      // nobody asked
  honoured,  // the commit findings of `refs` are waived
  refused,   // asked, and refused: the push is rejected, even if it would otherwise pass
};

struct BreakGlassDecision {
  BreakGlassState state = BreakGlassState::none;
  std::string pusher;                 // the host's name for the pusher; "" if unidentified
  std::string reason;                 // the claim's reason, trimmed; "" when none or several
  std::vector<std::string> refusals;  // why it was refused, one sentence each; may quote the
                                      // pusher's name as the host gave it (escape to print)
  std::vector<std::string> refs;      // honoured: the refs whose commit findings are waived
  std::vector<std::string> commits;   // honoured: every waived commit id, each once, uncapped

  bool claimed() const { return state != BreakGlassState::none; }
  bool honoured() const { return state == BreakGlassState::honoured; }
};

// Decides on the break-glass `claims` of a push judged as `report`. Honoured only when all of
// these hold, otherwise refused with every reason that applies:
//   - exactly one claim, and its reason is not empty (after trimming) nor longer than
//     kMaxReasonBytes;
//   - the host identified the pusher;
//   - the push updates at least one protected ref, and the pusher is on the break_glass list
//     of the rule of every protected ref it updates;
//   - no ref has a ref-level finding (break-glass never waives those).
// When honoured, `refs` are the refs with failing commits and `commits` their ids (possibly
// none: a claim on a push that passes anyway waives nothing). No claims: state none.
// REQUIRES: the rules in `report` are alive.
BreakGlassDecision decide_break_glass(const std::vector<BreakGlassClaim>& claims,
                                      const Pusher& pusher, const Report& report);

// What the hook decides about a whole push.
enum class PushVerdict {
  accepted,
  rejected,
  accepted_break_glass,  // accepted only because break-glass waived commit findings
};

// Stable name, as in the decision log: "accepted", "rejected", "accepted-break-glass".
std::string_view to_string(PushVerdict verdict);

// The verdict on a push judged as `report` with break-glass decided as `decision`: a refused
// claim rejects; an honoured one accepts (accepted_break_glass when it waived commits); with no
// claim the report decides.
PushVerdict push_verdict(const Report& report, const BreakGlassDecision& decision);

}  // namespace trailgate::host
