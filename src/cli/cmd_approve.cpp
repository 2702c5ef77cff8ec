// `trailgate approve [RANGE]`: the reviewer signs each commit's payload with their SSH key and
// adds Reviewed-by and Review-Signature trailers. Only messages change: trees, authors,
// committers and dates stay, so every earlier signature in the range stays valid.
// `trailgate approve --note [RANGE]` signs the same payloads but appends the approvals to git
// notes under refs/notes/trailgate and rewrites nothing: review debt paid late.
//
// With a policy available (found as check finds it), approve first asks the engine whether the
// review it is about to sign would count where the commits are going (the target ref's rule:
// --ref, else the upstream's ref, else refs/heads/main), and refuses, changing nothing, when it
// would not: the signer is one of a commit's responsible humans, is off the roster, is below the
// level the rule asks for that commit, or has expired. --force signs anyway, and says so.
#include <fmt/format.h>
#include <ctime>
#include <iostream>
#include <map>
#include <optional>

#include "approve/approve.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "git/notes.h"
#include "git/tree_changes.h"
#include "pipeline/evaluate.h"
#include "pipeline/pipeline.h"
#include "report/render.h"
#include "review/note_approval.h"
#include "review/payload.h"
#include "review/review.h"
#include "ssh/ssh_key.h"
#include "ssh/sshsig.h"

namespace trailgate::cli {

namespace {

struct Reviewer {
  std::string name;
  std::string email;
};

Reviewer reviewer_identity(const git::Repository& repo, const std::string& as) {
  if (!as.empty()) {
    std::string email = review::email_of(as);
    std::size_t lt = as.rfind('<');
    std::string name = lt == std::string::npos ? "" : as.substr(0, lt);
    while (!name.empty() && name.back() == ' ')
      name.pop_back();
    if (email.empty() || name.empty())
      throw InputError(fmt::format("--as \"{}\" is not \"Name <email>\"", as));
    return {name, email};
  }
  auto name = repo.config_string("user.name");
  auto email = repo.config_string("user.email");
  if (!name || !email)
    throw InputError("set git config user.name and user.email, or pass --as \"Name <email>\"");
  return {*name, *email};
}

// The commits to approve, oldest first: HEAD alone, or a range A..B that ends at HEAD.
std::vector<std::string> commits_to_approve(const git::Repository& repo, const std::string& range,
                                            const std::string& head) {
  if (range.empty())
    return {head};
  std::size_t dots = range.find("..");
  std::string to = dots == std::string::npos ? range : range.substr(dots + 2);
  if (range.find("...") != std::string::npos)
    throw InputError("symmetric ranges (A...B) are not supported; use A..HEAD");
  if (repo.resolve_commit(to.empty() ? "HEAD" : to) != head)
    throw InputError(
        fmt::format("\"{}\" does not end at HEAD; approve rewrites commits, so the "
                    "range must end at the commit you have checked out",
                    range));
  if (dots == std::string::npos)
    return {head};
  std::string from = range.substr(0, dots);
  return repo.range_oldest_first(repo.resolve_commit(from.empty() ? "HEAD" : from), head);
}

// The commits a note approval covers, oldest first: HEAD, one commit, or a range A..B.
std::vector<std::string> commits_to_note(const git::Repository& repo, const std::string& range) {
  if (range.find("...") != std::string::npos)
    throw InputError("symmetric ranges (A...B) are not supported; use A..B");
  std::size_t dots = range.find("..");
  if (dots == std::string::npos)
    return {repo.resolve_commit(range.empty() ? "HEAD" : range)};
  std::string from = range.substr(0, dots), to = range.substr(dots + 2);
  return repo.range_oldest_first(repo.resolve_commit(from.empty() ? "HEAD" : from),
                                 repo.resolve_commit(to.empty() ? "HEAD" : to));
}

// Signs `commit`'s review payload for `reviewer` with `key`, checks the signature, and returns
// the SSHSIG blob.
std::string sign_review(const CommitInfo& commit, const ReviewSettings& settings,
                        const Reviewer& reviewer, const std::string& key) {
  review::PayloadContext context = review::payload_context(commit, settings);
  std::string payload = review::review_payload(commit, context, reviewer.email);
  std::string blob = approve::sign_with_ssh_keygen(payload, key, settings.sig_namespace);
  std::string error;
  std::optional<ssh::SshSignature> sig = ssh::decode_sshsig(blob, &error);
  if (!sig || !ssh::verify_sshsig(*sig, payload, settings.sig_namespace, &error))
    throw std::runtime_error("the signature ssh-keygen made does not verify: " + error);
  return blob;
}

// What approve judges a review by: the policy check would use, and the ref the commits are to
// enter with its rule. Without a policy (a reviewer's clone rarely holds one) nothing is judged.
struct Judge {
  std::optional<LoadedPolicy> loaded;  // nullopt: no policy found anywhere
  std::string ref;                     // the target ref
  const ProtectRule* rule = nullptr;   // the ref's rule; nullptr when the ref is unprotected
  Policy roster_policy;  // the policy with verification = "roster": the signature is yet to be made
  git::FileCounter counter;
};

// Fills `judge` for `repo` under `options` (the policy lookup of check).
void find_judge(Judge& judge, const GlobalOptions& options, const git::Repository& repo,
                const ApproveOptions& approve_options) {
  try {
    judge.loaded = load_policy(options, &repo);
  } catch (const NoPolicyError&) {
    return;
  }
  judge.ref = approve_options.ref;
  if (judge.ref.empty())
    if (auto upstream = repo.head_upstream())
      judge.ref = upstream->remote_ref;
  if (judge.ref.empty())
    judge.ref = "refs/heads/main";
  judge.rule = judge.loaded->policy.rule_for(judge.ref);
  judge.roster_policy = judge.loaded->policy;
  judge.roster_policy.review.verification = Verification::roster;
}

// One commit the signer's review would not count for, and the engine's reason.
struct Refusal {
  std::string id;
  std::string subject;
  std::string status;  // review::to_string of the claim's status
  std::string reason;
  std::string who;  // the commit's author level and responsible humans, as the engine found them
};

// Asks the engine (evaluate_commit, the hook's own) how `reviewer`'s review of `commit` would be
// judged on the judge's ref: the commit as it will be once approved (its message with the
// reviewer's review trailer, unless it names them already), under the ref's rule with every
// commit needing review (so that the claim is judged whatever the commit's class) and
// verification by roster, since the signature is made only after this. An unprotected ref asks
// no level, but the reviewer must still be an independent person on the roster. Returns the
// refusal, or nullopt when the review would count.
std::optional<Refusal> judge_review(Judge& judge, const git::Repository& repo,
                                    const CommitInfo& commit, const Reviewer& reviewer,
                                    bool already_named, std::int64_t now) {
  const Policy& policy = judge.roster_policy;
  ProtectRule rule;
  if (judge.rule) {
    rule = *judge.rule;
  } else {
    rule.min_level = policy.levels.front();
    rule.approvals = 1;
  }
  rule.review_all = true;
  rule.require_declaration = false;
  CommitInfo approved = commit;
  if (!already_named)
    approved.message = approve::add_trailers(
        commit.message, {fmt::format("{}: {} <{}>", policy.review.trailer_keys.front(),
                                     reviewer.name, reviewer.email)});
  ChangeSource changes;
  std::optional<git::ChangeSet> read;
  if (judge.rule)
    changes = [&]() -> const git::ChangeSet& {
      if (!read)
        read = git::first_parent_changes(repo, commit.id, judge.counter);
      return *read;
    };
  EvaluationContext context;
  context.dates_may_grandfather = false;  // approving an old commit is still a review
  CommitEvaluation e = evaluate_commit(approved, judge.ref, rule, policy, judge.loaded->markers,
                                       now, changes, context);
  Refusal refusal{commit.id, e.subject, "", "", ""};
  if (!e.author_level.empty()) {
    refusal.who = "author level " + e.author_level;
    for (std::size_t i = 0; i < e.responsible.size(); ++i) {
      const ResponsibleHuman& h = e.responsible[i];
      refusal.who += fmt::format("{} {} <{}> ({})", i == 0 ? "; responsible:" : ",",
                                 h.person.empty() ? h.name : h.person, h.email, to_string(h.role));
    }
  }
  if (!e.reviews.over_limit.empty()) {
    refusal.status = "too-many-reviews";
    refusal.reason = e.reviews.over_limit;
    return refusal;
  }
  const std::string mine = review::email_skeleton(reviewer.email);
  for (const auto& claim : e.reviews.claims) {
    if (review::email_skeleton(claim.email) != mine)
      continue;
    // A duplicate: the same person's review already counts under another of their emails.
    if (claim.status == review::ClaimStatus::verified ||
        claim.status == review::ClaimStatus::duplicate)
      return std::nullopt;
    refusal.status = std::string(review::to_string(claim.status));
    refusal.reason = claim.reason;
    return refusal;
  }
  refusal.status = "not-judged";
  refusal.reason = "trailgate found no review trailer of yours to judge in the approved message";
  return refusal;
}

// Judges the signer's review of each of `commits` (judge_review). Returns kPassed when every
// review would count, or when there is no policy to judge by (a note on stderr says so). Else
// lists every refusal on stderr and returns kViolations, or, with `force`, lists them as
// overridden, sets `*forced` and returns kPassed.
int judge_reviews(Judge& judge, const git::Repository& repo, const std::vector<CommitInfo>& commits,
                  const Reviewer& reviewer, const ReviewSettings& settings, bool force,
                  bool* forced) {
  if (!judge.loaded) {
    std::cerr << "trailgate: note: no policy found (see `trailgate policy check`); approve "
                 "cannot tell whether this review will count. Pass --policy FILE to find out.\n";
    return kPassed;
  }
  const std::int64_t now = std::time(nullptr);
  std::vector<Refusal> refusals;
  for (const auto& commit : commits) {
    bool already_named = false;
    for (const auto& t : trailers::parse(commit.message).trailers)
      already_named = already_named || (review::is_review_key(settings, t.key) &&
                                        iequals(review::email_of(t.value), reviewer.email));
    if (auto refusal = judge_review(judge, repo, commit, reviewer, already_named, now))
      refusals.push_back(std::move(*refusal));
  }
  if (refusals.empty())
    return kPassed;
  using report::sanitize;
  const Policy& policy = judge.loaded->policy;
  std::string out = fmt::format(
      "trailgate: {}: the review of {} <{}> would not count for {} of {} commit{} entering {} "
      "({}, policy {}):\n",
      force ? "approve --force signs anyway" : "approve refused", sanitize(reviewer.name),
      sanitize(reviewer.email), refusals.size(), commits.size(), commits.size() == 1 ? "" : "s",
      sanitize(judge.ref), judge.rule ? "protected" : "not protected", sanitize(policy.source));
  for (const auto& r : refusals) {
    out += fmt::format("trailgate:   {} {}: {}: {}\n", short_id(r.id), sanitize(r.subject),
                       r.status, sanitize(r.reason));
    if (!r.who.empty())
      out += fmt::format("trailgate:     ({})\n", sanitize(r.who));
  }
  if (force) {
    std::cerr << out;
    *forced = true;
    return kPassed;
  }
  out +=
      "trailgate: Nothing was signed or changed. Ask a reviewer the policy counts for these "
      "commits (`trailgate check` names who can), pass --ref REF if they are going elsewhere, "
      "or pass --force to sign anyway.\n";
  std::cerr << out;
  return kViolations;
}

// True when `commit` already carries `reviewer`'s review: a review trailer naming their email
// and a signature trailer by the key that made `blob` over `payload`.
bool already_signed(const CommitInfo& commit, const ReviewSettings& settings,
                    const Reviewer& reviewer, const std::string& payload, const std::string& blob) {
  std::string error;
  std::optional<ssh::SshSignature> mine = ssh::decode_sshsig(blob, &error);
  if (!mine)
    return false;
  bool named = false, signed_by_key = false;
  for (const auto& t : trailers::parse(commit.message).trailers) {
    if (review::is_review_key(settings, t.key) &&
        iequals(review::email_of(t.value), reviewer.email))
      named = true;
    if (!trailers::key_equals(t.key, settings.signature_key) || signed_by_key)
      continue;
    std::optional<std::string> bytes = ssh::base64_decode(t.value);
    std::optional<ssh::SshSignature> sig =
        bytes ? ssh::decode_sshsig(*bytes, &error) : std::nullopt;
    signed_by_key = sig && sig->public_key == mine->public_key &&
                    ssh::verify_sshsig(*sig, payload, settings.sig_namespace, &error);
  }
  return named && signed_by_key;
}

// approve --note: appends one signed approval per commit to its review note.
int approve_by_note(const git::Repository& repo, const ReviewSettings& settings,
                    const std::vector<std::string>& ids, const Reviewer& reviewer,
                    const std::string& key) {
  std::string reviewer_value = fmt::format("{} <{}>", reviewer.name, reviewer.email);
  std::size_t added = 0;
  for (const auto& id : ids) {
    CommitInfo commit = repo.read_commit(id, git::ParentTrees::read);
    std::optional<std::string> note = git::read_note(repo, git::kReviewNotesRef, id);
    bool already = false;
    if (note)
      for (const auto& t : review::parse_note(*note, settings).trailers)
        already = already || (review::is_review_key(settings, t.key) &&
                              iequals(review::email_of(t.value), reviewer.email));
    if (already) {
      std::cout << fmt::format("already approved {}  {}\n", short_id(id),
                               subject_of(commit.message));
      continue;
    }
    std::string blob = sign_review(commit, settings, reviewer, key);
    git::append_note(
        repo, git::kReviewNotesRef, id,
        review::format_note_approval(settings, reviewer_value, ssh::base64_encode(blob)));
    ++added;
    std::cout << fmt::format("approved {} by note  {}\n", short_id(id), subject_of(commit.message));
  }
  std::cout << fmt::format(
      "Signed as {} in namespace {}; {} approval{} added to {}. No commit was rewritten. "
      "Publish with: git push origin {}\n",
      reviewer_value, settings.sig_namespace, added, added == 1 ? "" : "s", git::kReviewNotesRef,
      git::kReviewNotesRef);
  return kPassed;
}

}  // namespace

int run_approve(const GlobalOptions& options, const ApproveOptions& approve_options) {
  try {
    git::Repository repo = open_repository(options);
    Judge judge;
    find_judge(judge, options, repo, approve_options);
    bool forced = false;  // --force overrode a refusal
    const ReviewSettings settings = judge.loaded ? judge.loaded->policy.review : ReviewSettings{};
    Reviewer reviewer = reviewer_identity(repo, approve_options.as);
    std::string key = approve_options.key;
    if (key.empty())
      key = repo.config_string("user.signingKey").value_or("");
    if (key.empty())
      throw InputError("no signing key: pass --key FILE or set git config user.signingKey");
    if (approve_options.note) {
      std::vector<std::string> ids = commits_to_note(repo, approve_options.range);
      if (ids.empty())
        throw InputError(fmt::format("\"{}\" holds no commits", approve_options.range));
      std::vector<CommitInfo> commits;
      for (const auto& id : ids)
        commits.push_back(repo.read_commit(id, git::ParentTrees::read));
      if (judge_reviews(judge, repo, commits, reviewer, settings, approve_options.force, &forced) !=
          kPassed)
        return kViolations;
      int rc = approve_by_note(repo, settings, ids, reviewer, key);
      if (forced)
        std::cout << "Signed with --force: the policy says this review does not count (see "
                     "above).\n";
      return rc;
    }

    if (repo.has_uncommitted_changes())
      throw InputError(
          "the work tree has uncommitted changes; commit or stash them first, "
          "because approve rewrites commits");
    std::string head = repo.resolve_commit("HEAD");
    std::vector<std::string> ids = commits_to_approve(repo, approve_options.range, head);
    if (ids.empty())
      throw InputError(fmt::format("\"{}\" holds no commits", approve_options.range));

    // 1. Read every commit first, so that a merge anywhere refuses before anything is signed.
    std::vector<CommitInfo> commits;
    for (const auto& id : ids) {
      commits.push_back(repo.read_commit(id, git::ParentTrees::read));
      if (commits.back().parent_ids.size() > 1)
        throw InputError(
            fmt::format("{} is a merge; approve handles only linear history. "
                        "Approve the commits on each side before merging.",
                        short_id(id)));
    }

    // 2. Ask the policy whether the review would count, before anything is signed.
    if (judge_reviews(judge, repo, commits, reviewer, settings, approve_options.force, &forced) !=
        kPassed)
      return kViolations;

    // 3. Sign each payload and write the new commits, oldest first, on the new parents. A
    // commit that already carries this reviewer's signature by this key keeps its message.
    std::map<std::string, std::string> rewritten;  // old id -> new id
    std::vector<bool> already(commits.size(), false);
    for (std::size_t i = 0; i < commits.size(); ++i) {
      const CommitInfo& commit = commits[i];
      review::PayloadContext context = review::payload_context(commit, settings);
      std::string payload = review::review_payload(commit, context, reviewer.email);
      std::string blob = sign_review(commit, settings, reviewer, key);
      std::vector<std::string> parents;
      for (const auto& p : commit.parent_ids)
        parents.push_back(rewritten.count(p) ? rewritten[p] : p);
      if (already_signed(commit, settings, reviewer, payload, blob)) {
        already[i] = true;
        rewritten[commit.id] = parents == commit.parent_ids
                                   ? commit.id
                                   : repo.write_commit_copy(commit, parents, commit.message);
        continue;
      }

      std::vector<std::string> lines;
      std::string review_line =
          fmt::format("{}: {} <{}>", settings.trailer_keys.front(), reviewer.name, reviewer.email);
      bool already_named = false;
      for (const auto& t : trailers::parse(commit.message).trailers)
        already_named =
            already_named || (trailers::key_equals(t.key, settings.trailer_keys.front()) &&
                              iequals(review::email_of(t.value), reviewer.email));
      if (!already_named)
        lines.push_back(review_line);
      lines.push_back(settings.signature_key + ": " + ssh::base64_encode(blob));
      CommitInfo updated = commit;
      updated.message = approve::add_trailers(commit.message, lines);
      // The new message must give the same payload, or the signature would not verify.
      if (review::review_payload(updated, context, reviewer.email) != payload)
        throw std::runtime_error(
            fmt::format("adding the trailers to {} would change its payload; nothing was changed",
                        short_id(commit.id)));

      rewritten[commit.id] = repo.write_commit_copy(commit, parents, updated.message);
    }

    // 4. Move the branch; the old tip stays in the reflog. Nothing moves when every commit was
    // approved already.
    std::string new_head = rewritten.at(head);
    if (new_head == head) {
      for (const auto& commit : commits)
        std::cout << fmt::format("already approved {}  {}\n", short_id(commit.id),
                                 subject_of(commit.message));
      std::cout << fmt::format("{} <{}> has approved {} already; nothing was changed.\n",
                               reviewer.name, reviewer.email,
                               commits.size() == 1 ? "this commit" : "these commits");
      return kPassed;
    }
    repo.move_head(head, new_head,
                   fmt::format("trailgate approve: reviewed by {} ({} commit{})", reviewer.email,
                               commits.size(), commits.size() == 1 ? "" : "s"));
    for (std::size_t i = 0; i < commits.size(); ++i)
      std::cout << fmt::format("{} {} -> {}  {}\n", already[i] ? "already approved" : "approved",
                               short_id(commits[i].id), short_id(rewritten.at(commits[i].id)),
                               subject_of(commits[i].message));
    if (forced)
      std::cout << "Signed with --force: the policy says this review does not count (see above).\n";
    std::cout << fmt::format(
        "Signed as {} <{}> in namespace {}. The old tip was {}; it stays in the reflog "
        "(git reset --hard {} undoes this).\n",
        reviewer.name, reviewer.email, settings.sig_namespace, head, short_id(head));
    return kPassed;
  } catch (const approve::SigningError& e) {
    // HEAD has not moved (it moves only after every commit is signed); with --note, the notes
    // of commits signed before this one stay.
    std::cerr << fmt::format("trailgate: approve failed: {}\n", e.what());
    return kInternal;
  } catch (...) {
    return report_exception("approve failed");
  }
}

}  // namespace trailgate::cli
