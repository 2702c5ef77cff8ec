#include "pipeline/notes_push.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "git/notes.h"
#include "review/note_approval.h"

namespace trailgate {

namespace {

// A push lists at most this many stray entries of the notes tree, then a count.
constexpr std::size_t kListedStrays = 10;

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

// The protected tips at one min_level, before the push.
struct LevelTips {
  std::string level;
  std::vector<std::string> tips;  // distinct commit ids
};

// The protected tips grouped by their rule's min_level, the highest level first.
std::vector<LevelTips> tips_by_level(const Policy& policy, const std::vector<ProtectedTip>& tips) {
  std::map<int, LevelTips, std::greater<>> by_rank;
  for (const ProtectedTip& tip : tips) {
    LevelTips& group = by_rank[policy.level_rank(tip.rule->min_level)];
    group.level = tip.rule->min_level;
    group.tips.push_back(tip.commit);
  }
  std::vector<LevelTips> out;
  for (auto& [rank, group] : by_rank) {
    std::sort(group.tips.begin(), group.tips.end());
    group.tips.erase(std::unique(group.tips.begin(), group.tips.end()), group.tips.end());
    out.push_back(std::move(group));
  }
  return out;
}

// For each of `targets`, the highest min_level among the protected tips that contain it; a
// target no protected tip contains is absent from the result. One history walk per distinct
// level (from all of that level's tips at once, highest level first), each stopping as soon as
// every target still unplaced has been seen: the cost is bounded by the protected history, never
// by targets x tips.
std::map<std::string, std::string> levels_needed(const git::Repository& repo,
                                                 const std::vector<LevelTips>& levels,
                                                 std::set<std::string> targets) {
  std::map<std::string, std::string> out;
  for (const LevelTips& group : levels) {
    if (targets.empty())
      break;
    git::Walk walk = repo.walk(group.tips, {});
    while (std::optional<std::string> id = walk.next()) {
      auto found = targets.find(*id);
      if (found == targets.end())
        continue;
      out.emplace(*id, group.level);
      targets.erase(found);
      if (targets.empty())
        break;
    }
  }
  return out;
}

// A note this push adds or changes, well-formed, on a commit the repository has.
struct ChangedNote {
  std::string id;
  const std::string* text;
  std::optional<std::string> old_text;
  CommitInfo commit;
  std::string subject;
};

}  // namespace

bool is_review_notes_ref(std::string_view ref) {
  return ref == git::kReviewNotesRef;
}

std::vector<Finding> check_notes_update(const git::Repository& repo, const Policy& policy,
                                        const RefUpdate& update,
                                        const std::vector<ProtectedTip>& protected_tips,
                                        std::int64_t now) {
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
  for (std::size_t i = 0; i < after.strays.size() && i < kListedStrays; ++i)
    findings.push_back(note_finding(
        update, "", "",
        fmt::format("the notes tree holds \"{}\", which is not a note", after.strays[i])));
  if (after.strays.size() > kListedStrays)
    findings.push_back(note_finding(update, "", "",
                                    fmt::format("and {} more entries of the notes tree are not "
                                                "notes",
                                                after.strays.size() - kListedStrays)));
  for (const auto& [id, text] : before.notes)
    if (!after.notes.count(id))
      findings.push_back(note_finding(update, id, "",
                                      "it deletes the approval note on this commit; approvals "
                                      "are append-only"));

  // The notes this push adds or changes; over the limit, none is read further.
  std::vector<std::pair<const std::string*, const std::string*>> changed;
  for (const auto& [id, text] : after.notes) {
    auto old = before.notes.find(id);
    if (old == before.notes.end() || old->second != text)
      changed.emplace_back(&id, &text);
  }
  if (changed.size() > kMaxChangedNotes) {
    findings.push_back(Finding{
        rules::kReviewNote, update.ref, "", "",
        fmt::format("this push adds or changes {} review notes; trailgate judges at most {} per "
                    "push",
                    changed.size(), kMaxChangedNotes),
        fmt::format("Push the approvals in several pushes of at most {} notes each (push "
                    "intermediate commits of {}: git push origin <notes commit>:{}).",
                    kMaxChangedNotes, git::kReviewNotesRef, git::kReviewNotesRef)});
    return findings;
  }

  // First what needs no history: the note's text, then the object it annotates.
  std::vector<ChangedNote> candidates;
  for (const auto& [id_ptr, text_ptr] : changed) {
    const std::string& id = *id_ptr;
    const std::string& text = *text_ptr;
    auto old = before.notes.find(id);
    std::optional<std::string> old_text;
    if (old != before.notes.end())
      old_text = old->second;
    if (std::optional<std::string> problem =
            review::note_change_format_problem(old_text, text, policy.review)) {
      findings.push_back(note_finding(update, id, "", std::move(*problem)));
      continue;
    }
    bool commit_here = false;
    try {
      commit_here = repo.is_commit(id);
    } catch (const git::GitError& e) {
      if (!e.not_found())
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
    candidates.push_back({id, &text, std::move(old_text), std::move(commit), std::move(subject)});
  }
  if (candidates.empty())
    return findings;

  // Then which protected refs hold each annotated commit: the protected set read once, and one
  // walk per distinct level for all the notes together.
  std::set<std::string> targets;
  for (const auto& note : candidates)
    targets.insert(note.id);
  std::map<std::string, std::string> levels =
      levels_needed(repo, tips_by_level(policy, protected_tips), std::move(targets));

  for (const auto& note : candidates) {
    auto level = levels.find(note.id);
    if (level == levels.end()) {
      findings.push_back(note_finding(update, note.id, note.subject,
                                      "the commit is not on a protected ref yet; a note cannot "
                                      "stand in for the Reviewed-by trailers a new commit needs"));
      continue;
    }
    for (auto& problem : review::judge_note_change(note.commit, note.old_text, *note.text, policy,
                                                   level->second, now))
      findings.push_back(note_finding(update, note.id, note.subject, std::move(problem)));
  }
  return findings;
}

}  // namespace trailgate
