#include "pipeline/notes_push.h"

#include <fmt/format.h>

#include <optional>
#include <string>

#include "git/notes.h"
#include "review/note_approval.h"

namespace trailgate {

namespace {

Finding note_finding(const RefUpdate& update, std::string commit_id, std::string subject,
                     std::string problem) {
  return Finding{rules::kReviewNote,
                 update.ref,
                 std::move(commit_id),
                 std::move(subject),
                 std::move(problem),
                 "Review notes only grow: add approvals with `trailgate approve --note <range>` "
                 "on top of the server's notes (git fetch origin " +
                     std::string(git::kReviewNotesRef) + ":" + git::kReviewNotesRef +
                     " first) and push again. Approvals by note are for commits already on a "
                     "protected ref; new commits need Reviewed-by trailers."};
}

// The highest min_level among the protected tips that contain `commit`, or nullopt when none
// contains it.
std::optional<std::string> level_needed(const git::Repository& repo, const Policy& policy,
                                        const std::vector<ProtectedTip>& tips,
                                        const std::string& commit) {
  std::optional<std::string> level;
  for (const auto& tip : tips) {
    if (!repo.is_ancestor(commit, tip.commit))
      continue;
    if (!level || policy.level_rank(tip.rule->min_level) > policy.level_rank(*level))
      level = tip.rule->min_level;
  }
  return level;
}

}  // namespace

bool is_review_notes_ref(std::string_view ref) {
  return ref == git::kReviewNotesRef;
}

std::vector<Finding> check_notes_update(const git::Repository& repo, const Policy& policy,
                                        const RefUpdate& update, std::int64_t now) {
  std::vector<Finding> findings;
  if (update.deletes()) {
    findings.push_back(note_finding(update, "", "",
                                    "deleting the review notes ref would delete every late "
                                    "approval; approvals are append-only"));
    return findings;
  }
  if (!update.creates() && !repo.is_ancestor(update.old_id, update.new_id)) {
    findings.push_back(note_finding(update, "", "",
                                    "this push rewrites the review notes history (not a "
                                    "fast-forward); approvals are append-only"));
    return findings;
  }
  if (!repo.is_commit(update.new_id)) {
    findings.push_back(
        note_finding(update, "", "", "the review notes ref must point to a notes commit"));
    return findings;
  }
  git::NotesTree before;
  if (!update.creates())
    before = git::read_notes_tree(repo, update.old_id);
  git::NotesTree after = git::read_notes_tree(repo, update.new_id);
  for (const auto& stray : after.strays)
    findings.push_back(note_finding(
        update, "", "", fmt::format("the notes tree holds \"{}\", which is not a note", stray)));
  for (const auto& [id, text] : before.notes)
    if (!after.notes.count(id))
      findings.push_back(note_finding(update, id, "",
                                      "it deletes the approval note on this commit; approvals "
                                      "are append-only"));
  std::vector<ProtectedTip> tips;
  bool tips_read = false;
  for (const auto& [id, text] : after.notes) {
    auto old = before.notes.find(id);
    if (old != before.notes.end() && old->second == text)
      continue;
    bool commit_here = false;
    try {
      commit_here = repo.is_commit(id);
    } catch (const git::GitError& e) {
      if (e.code() != GIT_ENOTFOUND)
        throw;
      findings.push_back(note_finding(update, id, "",
                                      "the commit is not on a protected ref yet (this repository "
                                      "does not have it); a note cannot stand in for the "
                                      "Reviewed-by trailers a new commit needs"));
      continue;
    }
    if (!commit_here) {
      findings.push_back(note_finding(update, id, "", "review notes may only annotate commits"));
      continue;
    }
    CommitInfo commit = repo.read_commit(id, git::ParentTrees::read);
    std::string subject(subject_of(commit.message));
    if (!tips_read) {
      tips = protected_state(repo, policy).tips;
      tips_read = true;
    }
    std::optional<std::string> level = level_needed(repo, policy, tips, id);
    if (!level) {
      findings.push_back(note_finding(update, id, subject,
                                      "the commit is not on a protected ref yet; a note cannot "
                                      "stand in for the Reviewed-by trailers a new commit needs"));
      continue;
    }
    std::optional<std::string> old_text;
    if (old != before.notes.end())
      old_text = old->second;
    for (auto& problem : review::judge_note_change(commit, old_text, text, policy, *level, now))
      findings.push_back(note_finding(update, id, subject, std::move(problem)));
  }
  return findings;
}

}  // namespace trailgate
