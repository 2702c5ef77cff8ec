// What a commit changes, file by file, against its first parent: plain data, read by
// src/git/tree_changes.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trailgate::git {

// As `git diff --name-status` with git's defaults (renames on, copies off) shows it. A path
// whose kind of entry changes (file, symlink, submodule) is `modified`.
enum class ChangeKind { added, modified, deleted, renamed };

// Stable name: "added", "modified", "deleted", "renamed".
std::string_view to_string(ChangeKind kind);

// One changed path.
struct FileChange {
  ChangeKind kind = ChangeKind::modified;
  std::string old_path;        // repository-relative, '/'-separated; empty when added
  std::string new_path;        // empty when deleted; for modified, equal to old_path
  std::string old_id;          // the blob (or, for a submodule, commit) id before; empty when added
  std::string new_id;          // the id after; empty when deleted
  std::uint32_t old_mode = 0;  // git's file mode before (0100644, 0100755, 0120000, 0160000)
  std::uint32_t new_mode = 0;  // and after; 0 when absent
  // renamed: git's similarity index of old and new content, 50 to 100.
  // modified: 100 when the content is the same (a mode change); 0 when the kind of entry
  // changed; otherwise the same index between old and new content when it was measured (only
  // for files under a directory in ChangeSet::replaced_directories), else -1.
  // added, deleted: -1.
  int similarity = -1;

  // new_path, or old_path for a deletion: the path the change is listed under.
  const std::string& path() const { return new_path.empty() ? old_path : new_path; }
};

// A directory of the first parent's tree none of whose files is left as it was: each one was
// deleted, renamed, or modified (the candidates for "deleted and recreated").
struct ReplacedDirectory {
  std::string path;       // "" for the root, else "a/b" (no trailing '/')
  std::size_t files = 0;  // files under it, recursively, in the first parent; at least 1
};

// What a commit changes against its first parent (the empty tree for a root commit).
struct ChangeSet {
  std::string commit_id;
  std::string parent_id;            // the first parent; empty for a root commit
  std::vector<FileChange> changes;  // in git's diff order (by path)
  std::size_t deleted = 0;          // changes of kind `deleted`
  // Files in the first parent's tree, recursively (see FileCounter). Counted only when the commit
  // deletes something, since only the share of deleted files needs it: nullopt otherwise, and 0
  // for a root commit.
  std::optional<std::size_t> parent_files;
  // Every directory (the root included) that is a ReplacedDirectory, outermost first (by path).
  std::vector<ReplacedDirectory> replaced_directories;
  // True when there were too many added and deleted files to pair up by content (more than
  // kRenameLimit squared candidate pairs, git's own cut-off): only renames without edits were
  // detected, as git does then.
  bool exact_renames_only = false;
};

}  // namespace trailgate::git
