#include "pipeline/evaluate.h"

#include <algorithm>

#include <fmt/format.h>

#include "model/work_counters.h"

namespace trailgate {

namespace {

constexpr std::string_view kDeclarationKey = "AI-Assisted";

// A finding lists at most this many review trailers that do not count, then a count.
constexpr std::size_t kListedClaims = 10;

// `s` cut to at most `max` bytes, marked with "..." when cut (the renderer escapes the rest).
std::string cut(std::string_view s, std::size_t max) {
  return s.size() <= max ? std::string(s) : std::string(s.substr(0, max)) + "...";
}

// The malformed-commit finding for `problems` (the first few listed, each cut short).
std::string malformed_problem(const std::vector<std::string>& problems) {
  std::string text = "the commit object is malformed: ";
  for (std::size_t i = 0; i < problems.size() && i < 5; ++i)
    text += (i ? "; " : "") + cut(problems[i], 400);
  if (problems.size() > 5)
    text += fmt::format("; and {} more", problems.size() - 5);
  return text;
}

constexpr const char* kMalformedFix =
    "Recreate the commit with git commit, which writes well-formed objects (git commit --amend "
    "for the last commit, git rebase -i for an older one; for a tree nested too deep, move the "
    "files to a shallower path first), and push again. A protected ref takes no malformed "
    "commit, AI-assisted or not: git and trailgate could read it differently.";

bool is_grandfathered(const CommitInfo& commit, const Baseline& baseline) {
  // Both dates must be old: a committer date is easier to keep honest on a server than an
  // author date, but both are client-written, which docs/policy.md spells out.
  return baseline.before && commit.author.time < *baseline.before &&
         commit.committer.time < *baseline.before;
}

Verdict failing_verdict(const review::ReviewOutcome& reviews) {
  if (reviews.claims.empty())
    return Verdict::unreviewed;
  auto any = [&](review::ClaimStatus s) {
    return std::any_of(reviews.claims.begin(), reviews.claims.end(),
                       [&](const review::ReviewClaim& c) { return c.status == s; });
  };
  // A review by any responsible human, the author or a co-author, is a self-review.
  if (any(review::ClaimStatus::self_review) || any(review::ClaimStatus::co_author))
    return Verdict::self_reviewed;
  if (any(review::ClaimStatus::below_level))
    return Verdict::below_level;
  return Verdict::unverified;
}

// Up to three roster people who could still approve `commit` under `required`, for the fix
// text: at the level, not expired, none of its responsible humans, and not already among the
// verified reviewers.
std::vector<const Person*> eligible_reviewers(const Requirement& required, const Policy& policy,
                                              std::int64_t now,
                                              const review::ReviewOutcome& reviews,
                                              const review::Responsibility& responsible,
                                              const Person* excluded) {
  std::vector<const Person*> approved;
  if (excluded)
    approved.push_back(excluded);
  for (const auto& claim : reviews.claims)
    if (claim.status == review::ClaimStatus::verified)
      approved.push_back(policy.person_by_email(claim.email));
  std::vector<const Person*> out;
  for (const auto& person : policy.people) {
    if (std::find(approved.begin(), approved.end(), &person) != approved.end())
      continue;
    if (out.size() == 3)
      break;
    if (policy.level_rank(person.level) < policy.level_rank(required.min_level))
      continue;
    if (person.expires && now >= *person.expires)
      continue;
    if (!person.emails.empty() &&
        !review::responsible_role(responsible, person.emails.front(), policy))
      out.push_back(&person);
  }
  return out;
}

std::string review_fix(const Requirement& required, const Policy& policy, std::int64_t now,
                       const review::ReviewOutcome& reviews,
                       const review::Responsibility& responsible, const Person* excluded) {
  int missing = required.approvals - reviews.verified;
  const std::string& key = policy.review.trailer_keys.front();
  std::vector<const Person*> who =
      eligible_reviewers(required, policy, now, reviews, responsible, excluded);
  std::string example = who.empty() ? "Reviewer Name <reviewer@example.com>"
                                    : who.front()->name + " <" + who.front()->emails.front() + ">";
  std::string names;
  for (const Person* p : who)
    names += (names.empty() ? "" : ", ") + p->name;
  std::string who_text = fmt::format(
      "Have {} more reviewer{} at level {} or above who {} not the author{}{} review it", missing,
      missing == 1 ? "" : "s", required.min_level, missing == 1 ? "is" : "are",
      responsible.humans.size() > 1 ? " or a co-author" : "",
      names.empty() ? "" : " (for example " + names + ")");
  if (policy.review.verification == Verification::signature)
    return who_text +
           ", then run `trailgate approve` on it with their SSH key on the roster (it adds the " +
           key + " and " + policy.review.signature_key +
           " trailers; for older commits, approve A..HEAD), and push again.";
  return fmt::format(
      "{}, then add the trailer to the commit's last paragraph: git commit --amend --no-edit "
      "--trailer \"{}: {}\" (git rebase -i for an older commit), and push again.",
      who_text, key, example);
}

// "agent-authored (<tool>: <evidence>)" for the first agent-class detection.
std::string agent_why(const std::vector<detect::Detection>& detections) {
  auto agent = std::find_if(detections.begin(), detections.end(), [](const detect::Detection& d) {
    return d.marker_class == detect::MarkerClass::agent;
  });
  if (agent == detections.end())
    agent = detections.begin();
  return fmt::format("agent-authored ({}: {})", agent->tool, agent->evidence);
}

// What sets the author level, for people: "Mid One (co-author) is mid",
// "<x@example.com> (author) is not on the roster", "copilot-swe-agent[bot] (author) is a bot".
std::string level_setter(const CommitEvaluation& eval) {
  for (const ResponsibleHuman& human : eval.responsible) {
    if (human.level != eval.author_level)
      continue;
    const std::string who =
        fmt::format("{} ({})",
                    human.bot || human.person.empty()
                        ? (human.name.empty() ? fmt::format("<{}>", cut(human.email, 200))
                                              : cut(human.name, 200))
                        : human.person,
                    to_string(human.role));
    if (human.bot)
      return who + " is a bot";
    if (human.person.empty())
      return who + " is not on the roster";
    return fmt::format("{} is {}", who, human.level);
  }
  return "an AI agent wrote it";
}

// Why the requirement is what it is, when the commit's author level or class chose it (the rule
// has [[protect.author_level]] entries, or asks more of an agent-authored commit): e.g.
// "an agent-authored commit at author level junior (copilot-swe-agent[bot] (author) is a bot) ".
// Empty when the rule asks the same of every commit.
std::string requirement_basis(const CommitEvaluation& eval, const ProtectRule& rule,
                              const Requirement& base) {
  if (rule.author_levels.empty() && base == Requirement{rule.approvals, rule.min_level})
    return {};
  return fmt::format("{} at author level {} ({}) ",
                     eval.agent_authored ? "an agent-authored commit" : "a commit",
                     eval.author_level, level_setter(eval));
}

bool is_mass_change(BlastReasonKind kind) {
  return kind != BlastReasonKind::sensitive_path;
}

// The mass-change guard over a whole push: when the push's change crosses a limit and this
// commit deletes files, the commit needs what the limit asks for, unless its own change already
// raised the requirement for a mass change.
void apply_push_mass_change(const ChangeSource& push, const ChangeSource& own,
                            const ProtectRule& rule, const Policy& policy,
                            const CommitClass& commit_class, CommitEvaluation& eval) {
  const BlastRules mass_only{{}, rule.blast.mass_change};
  if (!needs_changes(mass_only, commit_class) || own().deleted == 0 ||
      std::any_of(eval.blast_reasons.begin(), eval.blast_reasons.end(),
                  [](const BlastReason& r) { return is_mass_change(r.kind); }))
    return;
  const git::ChangeSet& push_changes = push();
  BlastRadius radius = assess_blast_radius(push_changes, mass_only, commit_class, eval.required,
                                           policy, rule.min_level);
  if (radius.reasons.empty())
    return;
  eval.required = radius.required;
  eval.review_required = true;
  for (BlastReason& reason : radius.reasons) {
    reason.message =
        fmt::format("this push as a whole ({}..{}): {}", short_id(push_changes.parent_id),
                    short_id(push_changes.commit_id), reason.message);
    eval.blast_reasons.push_back(std::move(reason));
  }
}

// The pusher whose own review cannot count for `commit`: the host names them, and the roster
// does not know the commit's author, so the author may be the pusher under an address the
// roster does not list (a self-review by another name). nullptr when there is none.
const Person* unknown_author_pusher(const CommitInfo& commit, const Policy& policy,
                                    const Person* pusher) {
  return pusher && !policy.person_by_email(commit.author.email) ? pusher : nullptr;
}

// Turns the verified reviews of `pusher` (see unknown_author_pusher) into self-reviews.
void discount_pusher_review(const CommitInfo& commit, const Person* pusher,
                            review::ReviewOutcome& reviews) {
  if (!pusher)
    return;
  for (auto& claim : reviews.claims) {
    if (claim.status != review::ClaimStatus::verified || claim.person != pusher->name)
      continue;
    claim.status = review::ClaimStatus::self_review;
    claim.reason = fmt::format(
        "{} is the pusher, and the commit's author <{}> is not on the roster: the author may be "
        "{} under another address, so the pusher's own review does not count",
        pusher->name, cut(commit.author.email, 200), pusher->name);
    --reviews.verified;
  }
}

// True for the findings a review can answer: the review requirements, never a malformed commit
// or a missing declaration.
bool answered_by_review(const Finding& finding) {
  return finding.rule == rules::kAiReview || finding.rule == rules::kReviewAll ||
         finding.rule == rules::kBlastRadius;
}

// What the repository's records settle about a commit the rules alone fail or grandfather
// (EvaluationContext): a review note that pays its review makes it reviewed_late, and
// break-glass makes a violation break_glass.
void settle_records(CommitEvaluation& eval, const CommitInfo& commit, const ProtectRule& rule,
                    const Policy& policy, const EvaluationContext& context) {
  const bool grandfathered = eval.verdict == Verdict::grandfathered;
  const bool debt = grandfathered ? eval.ai_assisted() : is_violation(eval.verdict);
  if (debt && context.late_reviews &&
      std::all_of(eval.findings.begin(), eval.findings.end(), answered_by_review)) {
    // A grandfathered commit was not judged, so who is responsible for it is worked out here.
    const review::Responsibility responsible =
        grandfathered
            ? review::responsibility_of(commit, eval.trailers, eval.detections, policy)
            : review::Responsibility{eval.responsible, eval.author_level, eval.agent_authored};
    // A grandfathered commit owes what its rule asks of its author level and class; a failing
    // one what it was judged to need.
    const Requirement required =
        grandfathered ? rule.requirement_for(responsible.author_level, responsible.agent_authored)
                      : eval.required;
    if (std::optional<review::ReviewOutcome> late = context.late_reviews(required.min_level)) {
      eval.late_reviews = std::move(*late);
      // The note was judged without the commit's detections: refuse every responsible human.
      review::discount_responsible(eval.late_reviews, responsible, policy);
      discount_pusher_review(commit, unknown_author_pusher(commit, policy, context.pusher),
                             eval.late_reviews);
      std::vector<const review::ReviewOutcome*> outcomes{&eval.late_reviews};
      if (!grandfathered)
        outcomes.push_back(&eval.reviews);
      if (review::count_approvers(outcomes, policy) >= required.approvals) {
        eval.verdict = Verdict::reviewed_late;
        eval.findings.clear();
      }
    }
  }
  if (is_violation(eval.verdict) && context.break_glass)
    eval.verdict = Verdict::break_glass;
}

}  // namespace

CommitEvaluation evaluate_commit(const CommitInfo& commit, const std::string& ref,
                                 const ProtectRule& rule, const Policy& policy,
                                 const detect::MarkerSet& markers, std::int64_t now,
                                 const ChangeSource& changes, const EvaluationContext& context) {
  work::add(work::Counter::evaluations);
  CommitEvaluation eval;
  eval.id = commit.id;
  eval.ref = ref;
  eval.subject = std::string(subject_of(commit.message));
  eval.author = commit.author;
  eval.committer = commit.committer;
  trailers::TrailerBlock block = trailers::parse(commit.message);
  eval.detections = markers.detect_parsed(commit, block);
  eval.trailers = std::move(block.trailers);
  for (const auto& t : eval.trailers) {
    if (!trailers::key_equals(t.key, kDeclarationKey))
      continue;
    // Two declarations that disagree declare nothing valid; the message shows both.
    if (eval.declaration && !iequals(*eval.declaration, t.value))
      eval.declaration = *eval.declaration + "\" and \"" + t.value;
    else
      eval.declaration = t.value;
  }

  auto add_finding = [&](const char* rule_id, std::string problem, std::string fix) {
    eval.findings.push_back(
        Finding{rule_id, ref, commit.id, eval.subject, std::move(problem), std::move(fix)});
  };
  // A malformed commit is rejected whatever else holds (a baseline date included: its dates are
  // what the pusher wrote); the verdict says so when nothing else failed.
  auto malformed = [&](const std::vector<std::string>& problems) {
    add_finding(rules::kMalformedCommit, malformed_problem(problems), kMalformedFix);
    if (eval.verdict == Verdict::ok || eval.verdict == Verdict::not_ai ||
        eval.verdict == Verdict::grandfathered)
      eval.verdict = Verdict::malformed;
  };
  // Reachable from the baseline commit: the hook never reads such a commit, so nothing about it
  // is judged here either.
  if (context.in_baseline) {
    eval.verdict = Verdict::grandfathered;
    settle_records(eval, commit, rule, policy, context);
    return eval;
  }
  if (!commit.malformed.empty())
    malformed(commit.malformed);

  if (context.dates_may_grandfather && is_grandfathered(commit, policy.baseline)) {
    if (eval.findings.empty())
      eval.verdict = Verdict::grandfathered;
    settle_records(eval, commit, rule, policy, context);
    return eval;
  }

  // Who is responsible, and what their author level and the commit's class ask for.
  const review::Responsibility responsible =
      review::responsibility_of(commit, eval.trailers, eval.detections, policy);
  eval.responsible = responsible.humans;
  eval.author_level = responsible.author_level;
  eval.agent_authored = responsible.agent_authored;
  const Requirement base = rule.requirement_for(eval.author_level, eval.agent_authored);

  eval.review_required = eval.ai_assisted() || rule.review_all;
  eval.required = base;
  const CommitClass commit_class{eval.ai_assisted(), eval.review_required};
  const Person* self_pusher = unknown_author_pusher(commit, policy, context.pusher);
  auto verify = [&](const std::string& min_level) {
    review::ReviewOutcome outcome =
        review::verify_reviews(commit, eval.trailers, policy, min_level, now, responsible);
    discount_pusher_review(commit, self_pusher, outcome);
    return outcome;
  };
  bool read_changes = changes && needs_changes(rule.blast, commit_class);
  // Reviews judged at the base level (the rule's, for the commit's author level and class), when
  // that was needed to decide whether to read the changes; reused when the blast-radius rules
  // leave the level as it is.
  std::optional<review::ReviewOutcome> base_reviews;
  if (read_changes && context.skip_needless_changes && eval.review_required) {
    base_reviews = verify(base.min_level);
    // The blast-radius rules only raise the base (at least one approval): raising the level or
    // the approvals cannot turn no verified review into enough.
    if (base_reviews->verified == 0) {
      read_changes = false;
      eval.changes_unread = true;
    }
  }
  std::optional<std::string> too_deep;  // the tree walk's reason, when the tree nests too deep
  try {
    if (read_changes) {
      BlastRadius radius = assess_blast_radius(changes(), rule.blast, commit_class, eval.required,
                                               policy, rule.min_level);
      eval.required = radius.required;
      eval.review_required = eval.review_required || !radius.reasons.empty();
      eval.blast_reasons = std::move(radius.reasons);
    }
    if (read_changes && context.push_changes)
      apply_push_mass_change(context.push_changes, changes, rule, policy, commit_class, eval);
  } catch (const git::TreeTooDeep& e) {
    too_deep = e.what();
  }
  const Requirement& required = eval.required;
  if (eval.verdict != Verdict::malformed)
    eval.verdict = eval.review_required ? Verdict::ok : Verdict::not_ai;
  if (too_deep)
    malformed({*too_deep});
  if (eval.review_required) {
    eval.approvals_required = required.approvals;
    eval.reviews = base_reviews && required.min_level == base.min_level
                       ? std::move(*base_reviews)
                       : verify(required.min_level);
    if (!eval.reviews.over_limit.empty())
      add_finding(rules::kTooManyReviews, eval.reviews.over_limit + ", so none was judged",
                  fmt::format("Keep one {} trailer and one {} trailer per reviewer (at most {} "
                              "of each): rewrite the message with git commit --amend (git rebase "
                              "-i for an older commit), and push again.",
                              policy.review.trailer_keys.front(), policy.review.signature_key,
                              review::kMaxReviewTrailers));
    if (eval.reviews.verified < required.approvals) {
      eval.verdict = failing_verdict(eval.reviews);
      std::string why = eval.agent_authored ? agent_why(eval.detections)
                        : eval.ai_assisted()
                            ? fmt::format("AI-assisted ({}: {})", eval.detections.front().tool,
                                          eval.detections.front().evidence)
                        : rule.review_all ? std::string("every commit to this ref needs review")
                                          : std::string("a mass change needs review");
      std::string problem = fmt::format("{}; {}needs {} verified review{} by {} or above, has {}",
                                        why, requirement_basis(eval, rule, base),
                                        required.approvals, required.approvals == 1 ? "" : "s",
                                        required.min_level, eval.reviews.verified);
      if (!eval.blast_reasons.empty())
        problem += fmt::format(" (raised by the blast-radius rules: {})",
                               describe_reasons(BlastRadius{required, eval.blast_reasons}));
      // The first few review trailers that do not count, each cut short: a message with 100k
      // of them, or one 10 MB trailer, must not become a 10 MB rejection.
      std::size_t not_counting = 0;
      for (const auto& claim : eval.reviews.claims) {
        if (claim.status == review::ClaimStatus::verified || ++not_counting > kListedClaims)
          continue;
        problem += fmt::format("; \"{}\" does not count ({}): {}", cut(claim.trailer, 200),
                               review::to_string(claim.status), cut(claim.reason, 300));
      }
      if (not_counting > kListedClaims)
        problem += fmt::format(
            "; and {} more review trailers that do not count (`trailgate explain {}` lists them)",
            not_counting - kListedClaims, short_id(commit.id));
      // Named for the blast-radius rules when they alone make the difference.
      const bool only_for_blast = !eval.ai_assisted() && !rule.review_all;
      const char* rule_id = eval.ai_assisted() ? rules::kAiReview : rules::kReviewAll;
      if (only_for_blast ||
          (!eval.blast_reasons.empty() && eval.reviews.verified >= base.approvals))
        rule_id = rules::kBlastRadius;
      add_finding(rule_id, std::move(problem),
                  review_fix(required, policy, now, eval.reviews, responsible, self_pusher));
    }
  }

  if (rule.require_declaration) {
    bool valid =
        eval.declaration && (iequals(*eval.declaration, "yes") || iequals(*eval.declaration, "no"));
    if (!valid) {
      if (eval.findings.empty())
        eval.verdict = Verdict::undeclared;
      add_finding(rules::kDeclaration,
                  eval.declaration ? fmt::format("the AI-Assisted trailer says \"{}\"; it must be "
                                                 "\"yes\" or \"no\"",
                                                 *eval.declaration)
                                   : std::string("every commit to this ref must declare whether "
                                                 "it is AI-assisted"),
                  "Add the trailer \"AI-Assisted: yes\" or \"AI-Assisted: no\" to the commit's "
                  "last paragraph: git commit --amend --no-edit --trailer \"AI-Assisted: no\", "
                  "and push again.");
    }
  }
  // Fail closed: a finding always makes a violation, whatever set the verdict.
  if (!eval.findings.empty() && !is_violation(eval.verdict))
    eval.verdict = Verdict::unverified;
  settle_records(eval, commit, rule, policy, context);
  return eval;
}

}  // namespace trailgate
