// `trailgate explain REV`: everything trailgate sees in one commit, and its verdict.
#include <fmt/format.h>
#include <ctime>
#include <iostream>

#include "cli/cli.h"
#include "cli/commands.h"
#include "detect/markers.h"
#include "pipeline/pipeline.h"
#include "report/render.h"
#include "review/payload.h"

namespace trailgate::cli {

namespace {

// `explain --payload`: exactly the signed bytes on stdout, nothing else.
int print_payload(const CommitInfo& commit, const Policy& policy, const std::string& reviewer) {
  std::string email = reviewer;
  if (email.empty()) {
    std::vector<std::string> named;
    for (const auto& t : trailers::parse(commit.message).trailers)
      if (review::is_review_key(policy.review, t.key))
        named.push_back(review::email_of(t.value));
    if (named.size() != 1 || named.front().empty())
      throw InputError(
          fmt::format("{} has {} reviewer trailers; say whose payload with "
                      "--reviewer EMAIL",
                      short_id(commit.id), named.size()));
    email = named.front();
  }
  std::string payload =
      review::review_payload(commit, review::payload_context(commit, policy.review), email);
  std::cout.write(payload.data(), static_cast<std::streamsize>(payload.size()));
  return kPassed;
}

}  // namespace

int run_explain(const GlobalOptions& options, const ExplainOptions& explain) {
  try {
    git::Repository repo = open_repository(options);
    CommitInfo commit = repo.read_commit(repo.resolve_commit(explain.rev), git::ParentTrees::read);
    // A reviewer's clone rarely holds the policy; the payload needs only its review settings.
    if (explain.payload)
      return print_payload(commit, policy_or_defaults(options, &repo), explain.reviewer);
    LoadedPolicy loaded = load_policy(options, &repo);
    const Policy& policy = loaded.policy;
    std::string ref = explain.ref;
    if (ref.empty())
      if (auto upstream = repo.head_upstream())
        ref = upstream->remote_ref;
    if (ref.empty())
      ref = "refs/heads/main";
    const ProtectRule* rule = policy.rule_for(ref);
    // An unprotected ref still gets an explanation, judged as if it had the default rule.
    ProtectRule fallback;
    // The commit judged by the hook's own run(), as if it alone entered `ref` (its parents
    // already there), with the records every entry point consults: the baseline, the review
    // notes, the decision log, and whether the protected refs already reach it (dates).
    const ProtectedState history = known_protected_state(repo, policy);
    const std::unordered_set<std::string> logged = logged_break_glass(repo, policy, "explain");
    RefCheck check;
    check.update = RefUpdate{
        commit.parent_ids.empty() ? std::string(commit.id.size(), '0') : commit.parent_ids.front(),
        commit.id, ref};
    check.rule = rule ? rule : &fallback;
    check.judged_as = ref;
    check.include = {commit.id};
    check.exclude = commit.parent_ids;
    check.exclude.insert(check.exclude.end(), history.baseline.begin(), history.baseline.end());
    RunOptions run_options;
    run_options.now = std::time(nullptr);
    run_options.keep_passing = 1;
    run_options.before = &history;
    run_options.logged_break_glass = &logged;
    Report report = run(repo, policy, loaded.markers, {check}, run_options);
    if (report.evaluations.size() != 1)
      throw std::logic_error(
          fmt::format("explain judged {} commits, not one", report.evaluations.size()));
    const CommitEvaluation& e = report.evaluations.front();
    using report::sanitize;
    std::string out;
    out += fmt::format("commit   {}\n", e.id);
    out += fmt::format("subject  {}\n", sanitize(e.subject));
    out += fmt::format("author   {} <{}>\n", sanitize(commit.author.name),
                       sanitize(commit.author.email));
    out += fmt::format("committer {} <{}>\n", sanitize(commit.committer.name),
                       sanitize(commit.committer.email));
    out += fmt::format("judged as entering {} ({})\n\n", ref,
                       rule ? "protected" : "not protected; shown under the default rule");
    out += fmt::format("trailers (as git log %(trailers:only,unfold) shows them): {}\n",
                       e.trailers.empty() ? "none" : "");
    for (const auto& t : e.trailers)
      out += fmt::format("  {}: {}\n", sanitize(t.key), sanitize(t.value));
    out += fmt::format("\nAI-assisted: {}\n",
                       !e.ai_assisted()   ? "no"
                       : e.agent_authored ? "yes (agent-authored: an AI agent wrote it on its own)"
                                          : "yes (assisted: a human's commit with AI help)");
    for (const auto& d : e.detections)
      out += fmt::format("  marker {}\n", report::render_detection(d));
    out += fmt::format("  (built-in marker catalogue {}{})\n", detect::catalogue_version(),
                       policy.detect.builtin ? "" : ", switched off by the policy");
    out += "\nresponsible:";
    out += e.responsible.empty() ? " not determined (the commit was not judged)\n" : "\n";
    for (const auto& h : e.responsible)
      out += fmt::format("  {}\n", report::render_responsible(h));
    if (!e.responsible.empty())
      out += fmt::format("author level: {} (the lowest level among them)\n",
                         e.author_level.empty() ? "unknown" : sanitize(e.author_level));
    out += fmt::format("\nreview required: {}", e.review_required ? "yes" : "no");
    if (e.review_required)
      out += fmt::format(" ({} verified of {} needed, verification: {})", e.reviews.verified,
                         e.approvals_required,
                         policy.review.verification == Verification::signature
                             ? "signature"
                             : "roster, the weaker level: reviews are not signed");
    out += "\n";
    for (const auto& c : e.reviews.claims)
      out += fmt::format("  {}: {}{}\n", sanitize(c.trailer), review::to_string(c.status),
                         c.reason.empty() ? "" : " (" + sanitize(c.reason) + ")");
    for (const auto& c : e.late_reviews.claims)
      out +=
          fmt::format("  review note: {}: {}{}\n", sanitize(c.trailer), review::to_string(c.status),
                      c.reason.empty() ? "" : " (" + sanitize(c.reason) + ")");
    for (const auto& reason : e.blast_reasons)
      out += fmt::format("  blast radius: {}\n", sanitize(reason.message));
    out += fmt::format("\nverdict: {}\n", to_string(e.verdict));
    for (const auto& f : e.findings)
      out += fmt::format("  {}: {}\n  fix: {}\n", f.rule, sanitize(f.problem), sanitize(f.fix));
    std::cout << out;
    return e.passed() ? kPassed : kViolations;
  } catch (...) {
    return report_exception("explain failed");
  }
}

}  // namespace trailgate::cli
