#include "report/render.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "detect/markers.h"
#include "report/commit_json.h"
#include "util/escape.h"

namespace trailgate::report {

std::string sanitize(std::string_view text) {
  return util::escape_control_bytes(text);
}

namespace {

struct Style {
  bool on;
  std::string wrap(const char* code, std::string_view s) const {
    return on ? fmt::format("\033[{}m{}\033[0m", code, s) : std::string(s);
  }
  std::string bad(std::string_view s) const { return wrap("1;31", s); }
  std::string good(std::string_view s) const { return wrap("32", s); }
  std::string dim(std::string_view s) const { return wrap("2", s); }
  std::string warn(std::string_view s) const { return wrap("1;33", s); }
};

std::string truncated(std::string_view s, std::size_t max) {
  std::string clean = sanitize(s);
  if (clean.size() <= max)
    return clean;
  return clean.substr(0, max) + "...";
}

// `fix` replaces the finding's own fix when not empty (a waived finding's next step).
void render_finding(std::string& out, const Finding& f, const Style& st,
                    std::string_view fix = {}) {
  if (f.commit_id.empty())
    out += fmt::format("  {} {}\n", st.bad("ref"), f.ref);
  else
    out += fmt::format("  {} {} \"{}\" (entering {})\n", st.bad("commit"), short_id(f.commit_id),
                       truncated(f.subject, 72), f.ref);
  out += fmt::format("    rule:    {}\n", f.rule);
  out += fmt::format("    problem: {}\n", sanitize(f.problem));
  out += fmt::format("    fix:     {}\n", sanitize(fix.empty() ? std::string_view(f.fix) : fix));
}

// The next step for a commit that break-glass let onto a protected ref: it is there now, so
// amending it and pushing again (its finding's own fix) would be a refused rewrite; a senior
// approves it by note instead (docs/review-notes.md).
std::string review_debt_fix(const Finding& f) {
  return fmt::format(
      "review debt: the commit stays as it is; a senior approves it by note: trailgate approve "
      "--note {}, then git push origin refs/notes/trailgate (docs/review-notes.md)",
      short_id(f.commit_id));
}

std::string describe(const CommitEvaluation& e) {
  std::string s;
  if (e.ai_assisted()) {
    s = fmt::format("{} via {}", ai_involvement(e), e.detections.front().tool);
    if (e.detections.size() > 1)
      s += fmt::format(" (+{} markers)", e.detections.size() - 1);
  } else {
    s = "not AI-assisted";
  }
  if (e.review_required)
    s += fmt::format("; {}/{} verified review{}", e.reviews.verified, e.approvals_required,
                     e.approvals_required == 1 ? "" : "s");
  return s;
}

std::string render_problem_count(const Report& report) {
  std::string out =
      fmt::format("trailgate: {} problem{}", report.findings, report.findings == 1 ? "" : "s");
  if (report.commits_checked > 0)
    out += fmt::format("; {} of {} commit{} checked fail{}", report.commits_failed,
                       report.commits_checked, report.commits_checked == 1 ? "" : "s",
                       report.commits_failed == 1 ? "s" : "");
  return out + ".\n";
}

// Every finding: ref-level ones first, then each listed commit's; then how many commits were
// not listed.
constexpr std::string_view kCheckLocally = "run `trailgate check` locally to see all";

// `more_hint` says where the failing commits that are not listed can be seen; `waived` renders
// each commit finding with its review-debt next step instead of its own fix.
void render_findings(std::string& out, const Report& report, const Style& st,
                     std::string_view more_hint, bool waived = false) {
  for (const auto& r : report.refs)
    for (const auto& f : r.ref_findings)
      render_finding(out, f, st);
  std::size_t listed = 0;
  for (const auto& e : report.evaluations) {
    if (e.findings.empty())  // passing; a break-glass commit keeps what was waived
      continue;
    ++listed;
    for (const auto& f : e.findings)
      render_finding(out, f, st, waived ? review_debt_fix(f) : std::string());
  }
  if (listed < report.commits_failed)
    out += fmt::format("  ... and {} more failing commit{} not listed ({}).\n",
                       report.commits_failed - listed,
                       report.commits_failed - listed == 1 ? "" : "s", more_hint);
}

// The hook's lines about the push itself: who pushed, and remarks.
void render_push_context(std::string& out, const TextOptions& options, const Style& st) {
  if (!options.pusher.empty())
    out += fmt::format("trailgate: pusher: {}\n", sanitize(options.pusher));
  for (const auto& note : options.notes)
    out += fmt::format("trailgate: {} {}\n", st.dim("note:"), sanitize(note));
}

// The loud banner of a push that break-glass let through, with the findings it waived.
std::string render_break_glass(const Report& report, const TextOptions& options, const Style& st) {
  static const std::string rule(66, '=');
  const BreakGlassView view = options.break_glass.value_or(BreakGlassView{});
  std::string out;
  out += fmt::format("trailgate: {}\n", st.warn(rule));
  out += fmt::format(
      "trailgate: {}\n",
      st.warn("BREAK-GLASS: push PASSED trailgate WITHOUT THE REVIEW THE POLICY REQUIRES"));
  out += fmt::format("trailgate: {}\n", st.warn(rule));
  if (!options.pusher.empty())
    out += fmt::format("trailgate:   pusher:  {}\n", sanitize(options.pusher));
  out += fmt::format("trailgate:   reason:  \"{}\"\n", sanitize(view.reason));
  out += fmt::format("trailgate:   waived:  {} commit{} entering {}\n", view.commits,
                     view.commits == 1 ? "" : "s", fmt::join(view.refs, ", "));
  out += fmt::format("trailgate:   policy:  {}\n", options.policy_source);
  if (!options.log_path.empty())
    out += fmt::format("trailgate:   logged:  {}\n", sanitize(options.log_path));
  out +=
      "trailgate: These commits are review debt. Do not amend them or push them again: once the\n"
      "trailgate: incident is over, a senior approves each one by note (trailgate approve --note\n"
      "trailgate: <commit>, then git push origin refs/notes/trailgate). `trailgate audit` lists\n"
      "trailgate: them until then. Other hooks on the server may still refuse this push.\n";
  for (const auto& note : options.notes)
    out += fmt::format("trailgate: {} {}\n", st.dim("note:"), sanitize(note));
  out += fmt::format("trailgate: {}\n", st.warn(rule));
  out += "\nWaived by break-glass:\n";
  out += render_problem_count(report);
  render_findings(out, report, st, kCheckLocally, /*waived=*/true);
  out += fmt::format("\ntrailgate: {}\n", st.warn(rule));
  return out;
}

}  // namespace

std::string_view ai_involvement(const CommitEvaluation& e) {
  if (!e.ai_assisted())
    return "not AI-assisted";
  return e.agent_authored ? "agent-authored" : "AI-assisted";
}

std::string render_responsible(const ResponsibleHuman& h) {
  std::string out =
      fmt::format("{} <{}> ({}", sanitize(h.name), sanitize(h.email), to_string(h.role));
  if (h.bot)
    out += ", bot";
  else if (h.person.empty())
    out += ", not on the roster";
  else if (h.person != h.name)
    out += fmt::format(", roster: {}", sanitize(h.person));
  out += h.level.empty() ? std::string(", level unknown") : ", " + sanitize(h.level);
  return out + ")";
}

std::string render_author_level(const CommitEvaluation& e) {
  std::string out = "author level: ";
  if (e.responsible.empty())
    out += "not determined (the commit was not judged)";
  else
    out += e.author_level.empty() ? std::string("unknown") : sanitize(e.author_level);
  if (e.ai_assisted())
    out += e.agent_authored ? "; agent-authored (an AI agent wrote it on its own)"
                            : "; AI-assisted (a human's commit with AI help)";
  return out;
}

std::string render_detection(const detect::Detection& d) {
  std::string out = fmt::format("{} ({}, {}): {}", sanitize(d.marker_id), sanitize(d.tool),
                                detect::to_string(d.marker_class), sanitize(d.evidence));
  std::string names;
  auto add = [&](std::string_view what, std::string_view value) {
    names += names.empty() ? "; " : ", ";
    names += what;
    names += ' ';
    names += sanitize(value);
  };
  if (!d.agent.empty())
    add("agent", d.agent);
  if (!d.model.empty())
    add("model", d.model);
  if (!d.tools.empty()) {
    std::string tools;
    for (const auto& t : d.tools)
      tools += (tools.empty() ? "" : ", ") + t;
    add(d.tools.size() == 1 ? "tool" : "tools", tools);
  }
  return out + names;
}

std::string render_check_commit(const CommitEvaluation& e, bool color) {
  Style st{color};
  std::string verdict = std::string(to_string(e.verdict));
  std::string out =
      fmt::format("{:<14} {} {}  {}\n", e.passed() ? st.good(verdict) : st.bad(verdict),
                  short_id(e.id), truncated(e.subject, 60), st.dim(describe(e)));
  if (e.ai_assisted() || e.review_required) {
    if (!e.responsible.empty()) {
      out += "    responsible: ";
      for (std::size_t i = 0; i < e.responsible.size(); ++i)
        out += (i ? "; " : "") + render_responsible(e.responsible[i]);
      out += "\n";
    }
    out += fmt::format("    {}\n", render_author_level(e));
  }
  for (const auto& c : e.reviews.claims) {
    bool ok = c.status == review::ClaimStatus::verified;
    std::string status(review::to_string(c.status));
    out += fmt::format("    {} {}{}\n", ok ? st.good(status) : st.bad(status),
                       truncated(c.trailer, 70), ok ? "" : ": " + sanitize(c.reason));
  }
  return out;
}

std::string render_text(const Report& report, const TextOptions& options) {
  Style st{options.color};
  std::string out;
  const char* who = options.audience == Audience::push ? "push" : "check";
  if (options.audience == Audience::check) {
    if (report.commits_checked > 0)
      out += "\n";
    if (options.roster_only)
      out +=
          "note: verification = \"roster\", the weaker level: a Reviewed-by naming a roster "
          "person counts without a signature, so anyone could have typed it.\n\n";
  }
  bool any_protected = false;
  for (const auto& r : report.refs)
    any_protected = any_protected || r.rule;
  const bool push = options.audience == Audience::push;
  const Outcome outcome = !push || options.outcome == Outcome::from_report
                              ? (report.passed() ? Outcome::accepted : Outcome::rejected)
                              : options.outcome;
  if (outcome == Outcome::accepted_break_glass)
    return render_break_glass(report, options, st);
  if (outcome == Outcome::accepted) {
    // The hook decides for trailgate only: another hook (the host's own update hook, a chained
    // one) may still refuse the push, so it never says the push was accepted.
    const char* verdict = push ? "passed trailgate" : "accepted";
    if (!any_protected) {
      out += fmt::format("trailgate: {} {}: no protected ref is updated.\n", who, verdict);
    } else {
      out += fmt::format(
          "trailgate: {} {}: {} commit{} checked against policy {}; all "
          "pass.\n",
          who, verdict, report.commits_checked, report.commits_checked == 1 ? "" : "s",
          options.policy_source);
    }
    if (push)
      out +=
          "trailgate: (trailgate's verdict only: other hooks on the server may still refuse "
          "the push)\n";
    render_push_context(out, options, st);
    if (options.break_glass && options.break_glass->honoured)
      out +=
          "trailgate: note: break-glass was not needed: nothing here fails, so nothing was "
          "waived (the claim is logged).\n";
    if (!options.log_problem.empty())
      out += fmt::format("trailgate: {} {}\n", st.warn("WARNING:"), sanitize(options.log_problem));
    return out;
  }
  out += fmt::format("trailgate: {} {} by policy {}\n", who, st.bad("REJECTED"),
                     options.policy_source);
  render_push_context(out, options, st);
  if (options.break_glass && !options.break_glass->honoured) {
    out += fmt::format("trailgate: break-glass {}:\n", st.bad("REFUSED"));
    for (const auto& why : options.break_glass->refusals)
      out += fmt::format("  - {}\n", sanitize(why));
  }
  if (!options.log_problem.empty())
    out += fmt::format("trailgate: {}\n", sanitize(options.log_problem));
  if (!report.passed()) {
    out += render_problem_count(report);
    out += "\n";
    render_findings(
        out, report, st,
        push ? "run `trailgate check` locally to see all" : "each is among the commit lines above");
  }
  if (push) {
    bool ref_findings = false;
    for (const auto& r : report.refs)
      ref_findings = ref_findings || !r.ref_findings.empty();
    const bool commit_findings = report.commits_failed > 0;
    out += "\nThe whole push was rejected; nothing was updated.";
    // The next step fits the problems: a delete or a rewrite is not fixed by new commits.
    if (commit_findings && ref_findings)
      out += " Fix the commits above, do what the fix says for each ref, and push again.";
    else if (commit_findings)
      out += " Fix the commits above and push again.";
    else if (ref_findings)
      out += " No commit needs fixing: the fix above says what to do about the ref.";
    out += "\n";
  }
  return out;
}

std::string prefix_lines(std::string_view text, std::string_view prefix) {
  std::string out;
  while (!text.empty()) {
    std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol == std::string_view::npos ? text.size() : eol + 1);
    out += prefix;
    out += line;
    text.remove_prefix(line.size());
  }
  return out;
}

std::string render_json(const Report& report, const Policy& policy, const PolicyOrigin* origin) {
  using json = nlohmann::ordered_json;
  json refs = json::array();
  for (const auto& r : report.refs) {
    json findings = json::array();
    for (const auto& f : r.ref_findings)
      findings.push_back(
          {{"rule", f.rule}, {"ref", f.ref}, {"problem", f.problem}, {"fix", f.fix}});
    refs.push_back({{"ref", r.update.ref},
                    {"old", r.update.old_id},
                    {"new", r.update.new_id},
                    {"protected", r.rule != nullptr},
                    {"commits_checked", r.commits_checked},
                    {"commits_failed", r.commits_failed},
                    {"findings", findings}});
  }
  json head = {
      {"schema", kCheckSchema},
      {"verdict", report.passed() ? "passed" : "rejected"},
      {"policy", policy.source},
      {"catalogue_version", detect::catalogue_version()},
      {"verification", policy.review.verification == Verification::roster ? "roster" : "signature"},
      {"commits_checked", report.commits_checked},
      {"commits_failed", report.commits_failed},
      {"refs", refs}};
  if (origin != nullptr && !origin->commit.empty())
    head["policy_rev"] = {
        {"revision", origin->revision},
        {"commit", origin->commit},
        {"path", origin->path},
        {"blob", origin->blob},
        {"changed", origin->changed},
        {"head_blob",
         origin->changed && !origin->head_blob.empty() ? json(origin->head_blob) : json(nullptr)}};
  else
    head["policy_rev"] = nullptr;
  // The commits are the one commit object (report/commit_json.h), one per line.
  std::string out = head.dump(-1, ' ', false, json::error_handler_t::replace);
  out.pop_back();  // the closing brace
  out += ",\"commits\":[";
  for (std::size_t i = 0; i < report.evaluations.size(); ++i) {
    out += i ? ",\n" : "\n";
    append_commit_json(out, report.evaluations[i]);
  }
  out += report.evaluations.empty() ? "]}\n" : "\n]}\n";
  return out;
}

}  // namespace trailgate::report
