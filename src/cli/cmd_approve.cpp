// `trailgate approve [RANGE]`: the reviewer signs each commit's payload with their SSH key and
// adds Reviewed-by and Review-Signature trailers. Only messages change: trees, authors,
// committers and dates stay, so every earlier signature in the range stays valid.
// `trailgate approve --note [RANGE]` signs the same payloads but appends the approvals to git
// notes under refs/notes/trailgate and rewrites nothing: review debt paid late.
#include <fmt/format.h>
#include <iostream>
#include <map>

#include "approve/approve.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "git/notes.h"
#include "pipeline/pipeline.h"
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
    const ReviewSettings settings = policy_or_defaults(options, &repo).review;
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
      return approve_by_note(repo, settings, ids, reviewer, key);
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

    // 2. Sign each payload and write the new commits, oldest first, on the new parents.
    std::map<std::string, std::string> rewritten;  // old id -> new id
    for (const auto& commit : commits) {
      review::PayloadContext context = review::payload_context(commit, settings);
      std::string payload = review::review_payload(commit, context, reviewer.email);
      std::string blob = sign_review(commit, settings, reviewer, key);

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

      std::vector<std::string> parents;
      for (const auto& p : commit.parent_ids)
        parents.push_back(rewritten.count(p) ? rewritten[p] : p);
      rewritten[commit.id] = repo.write_commit_copy(commit, parents, updated.message);
    }

    // 3. Move the branch; the old tip stays in the reflog.
    std::string new_head = rewritten.at(head);
    repo.move_head(head, new_head,
                   fmt::format("trailgate approve: reviewed by {} ({} commit{})", reviewer.email,
                               commits.size(), commits.size() == 1 ? "" : "s"));
    for (const auto& commit : commits)
      std::cout << fmt::format("approved {} -> {}  {}\n", short_id(commit.id),
                               short_id(rewritten.at(commit.id)), subject_of(commit.message));
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
