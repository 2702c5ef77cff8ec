// The hook's rules for the review notes ref (git::kReviewNotesRef), through which seniors pay
// review debt on history already on a protected ref (review/note_approval.h).
//
// A push to the notes ref is accepted only when every change to it adds approvals that verify:
// it is a fast-forward of the notes history, it only adds bytes after existing notes, each
// annotated object is a commit already reachable from a protected ref before this push, and
// each added approval is signed by a roster person at that ref's level who is not the author.
// Everything else (deleting the ref or a note, altering a note, a stray file in the notes
// tree, a note on a commit that is not yet protected) is a finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "git/repository.h"
#include "model/finding.h"
#include "pipeline/pipeline.h"
#include "policy/policy.h"

namespace trailgate {

// The most notes one push may add or change (docs/hook.md "Limits"); a push with more is
// rejected before any of them is read further.
inline constexpr std::size_t kMaxChangedNotes = 1000;

// True when `ref` is the review notes ref, whose updates check_notes_update judges.
bool is_review_notes_ref(std::string_view ref);

// Judges one update of the review notes ref against the repository as it is before the push,
// whose protected refs are `protected_tips` (ProtectedState::tips, listed once per push).
// Cost, whatever the push holds: each changed note's text is checked before anything else is
// read for it; which protected refs hold the annotated commits is answered by one history walk
// per distinct min_level for all notes together. `now` is seconds since the epoch, for roster
// and key expiry. Throws GitError when an object is missing or corrupt (the caller rejects).
std::vector<Finding> check_notes_update(const git::Repository& repo, const Policy& policy,
                                        const RefUpdate& update,
                                        const std::vector<ProtectedTip>& protected_tips,
                                        std::int64_t now);

}  // namespace trailgate
