// trailgate's review notes: late approvals stored as git notes under refs/notes/trailgate, so
// that history already on a protected ref can be approved without being rewritten.
//
// A notes ref points to a commit whose tree maps annotated object ids to note blobs. git fans
// the ids out into directories ("ab/cdef...") as the tree grows; readers here accept any
// fanout, as git does.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "git/repository.h"

namespace trailgate::git {

// The notes ref that holds review approvals.
inline constexpr const char* kReviewNotesRef = "refs/notes/trailgate";

// Every note in one notes commit.
struct NotesTree {
  std::map<std::string, std::string> notes;  // annotated object id -> the note's bytes
  std::vector<std::string> strays;           // tree paths that are not notes (for messages)
};

// Reads every note in notes commit `notes_commit`. An entry is a note when it is a blob whose
// path, with the '/' of the fanout removed, is a full hex object id; any other entry (a
// non-hex name, a wrong length, a symlink or a submodule) is listed in `strays`. Throws
// GitError when the commit or an object in its tree is missing or corrupt.
NotesTree read_notes_tree(const Repository& repo, const std::string& notes_commit);

// Reads every note `notes_ref` holds now; empty when the ref does not exist.
NotesTree read_notes(const Repository& repo, const std::string& notes_ref);

// The note on `object_id` under `notes_ref`, or nullopt when there is none.
std::optional<std::string> read_note(const Repository& repo, const std::string& notes_ref,
                                     const std::string& object_id);

// Appends `text` to the note on `object_id` under `notes_ref` (creating the note, and the ref,
// when absent), as one new notes commit by the repository's configured user. Existing bytes
// are kept unchanged in front of `text`. Throws GitError on failure; throws when the notes ref
// moved while this ran (git_note_create updates it with a compare-and-swap).
void append_note(const Repository& repo, const std::string& notes_ref, const std::string& object_id,
                 const std::string& text);

}  // namespace trailgate::git
