#include "host/break_glass.h"

#include <fmt/format.h>

#include <set>

namespace trailgate::host {

BreakGlassDecision decide_break_glass(const std::vector<BreakGlassClaim>& claims,
                                      const Pusher& pusher, const Report& report) {
  BreakGlassDecision decision;
  if (claims.empty())
    return decision;
  decision.pusher = pusher.name;
  std::vector<std::string>& refusals = decision.refusals;
  const std::string option(kBreakGlassOption);

  if (claims.size() > 1) {
    refusals.push_back(
        fmt::format("{} was given {} times; give it once, with one reason", option, claims.size()));
  } else if (claims[0].reason.empty()) {
    refusals.push_back(fmt::format(
        "no reason was given; say what is broken and why it cannot wait for review: git push "
        "-o {}=\"<reason>\"",
        option));
  } else if (claims[0].reason.size() > kMaxReasonBytes) {
    refusals.push_back(fmt::format(
        "the reason is {} bytes long; keep it under {} (a sentence, and the incident ticket)",
        claims[0].reason.size(), kMaxReasonBytes));
  } else {
    decision.reason = claims[0].reason;
  }

  bool any_protected = false;
  for (const RefResult& ref : report.refs)
    any_protected = any_protected || ref.rule != nullptr;

  if (!pusher.identified()) {
    refusals.push_back(fmt::format(
        "the host did not identify the pusher (none of {} is set); break-glass is honoured "
        "only for a pusher the host's own authentication names, never for a name the client "
        "sends",
        fmt::join(pusher.consulted, ", ")));
  } else if (!any_protected) {
    refusals.push_back(fmt::format(
        "this push updates no protected ref, so there is nothing to break glass for; push again "
        "without -o {}",
        option));
  } else {
    for (const RefResult& ref : report.refs) {
      if (ref.rule == nullptr || ref.rule->allows_break_glass(pusher.name))
        continue;
      refusals.push_back(fmt::format(
          "{} ({}) is not on the break_glass list for {} (the [[protect]] rule at line {} of "
          "the policy{})",
          pusher.name, pusher.variable, ref.update.ref, ref.rule->source_line,
          ref.rule->break_glass.empty() ? ", which lists nobody" : ""));
    }
  }

  for (const RefResult& ref : report.refs) {
    for (const Finding& finding : ref.ref_findings) {
      refusals.push_back(fmt::format(
          "break-glass waives commit findings only, never {} on {}: deleting or rewriting a "
          "protected ref is allowed only by the policy's allow_delete and allow_force_push",
          finding.rule, ref.update.ref));
    }
  }

  if (!refusals.empty()) {
    decision.state = BreakGlassState::refused;
    return decision;
  }
  decision.state = BreakGlassState::honoured;
  std::set<std::string> seen;
  for (const RefResult& ref : report.refs) {
    if (ref.failed_commits.empty())
      continue;
    decision.refs.push_back(ref.update.ref);
    for (const std::string& id : ref.failed_commits) {
      if (seen.insert(id).second)
        decision.commits.push_back(id);
    }
  }
  return decision;
}

std::string_view to_string(PushVerdict verdict) {
  switch (verdict) {
    case PushVerdict::accepted:
      return "accepted";
    case PushVerdict::rejected:
      return "rejected";
    case PushVerdict::accepted_break_glass:
      return "accepted-break-glass";
  }
  return "rejected";
}

PushVerdict push_verdict(const Report& report, const BreakGlassDecision& decision) {
  switch (decision.state) {
    case BreakGlassState::refused:
      return PushVerdict::rejected;
    case BreakGlassState::honoured:
      return decision.commits.empty() ? PushVerdict::accepted : PushVerdict::accepted_break_glass;
    case BreakGlassState::none:
      break;
  }
  return report.passed() ? PushVerdict::accepted : PushVerdict::rejected;
}

}  // namespace trailgate::host
