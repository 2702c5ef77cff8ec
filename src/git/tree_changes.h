// What a commit changes, file by file, against its first parent: the input of the
// blast-radius rules (sensitive paths, mass deletions, a directory deleted and recreated).
//
// Tree and blob level only: which paths were added, modified, deleted or renamed, never which
// lines. Unchanged subtrees are skipped by id, so the cost follows the size of the change, not
// of the repository. Blobs are read only where git itself would read them to detect renames, and
// for the few modified files whose similarity the directory rule needs. It reads, never writes,
// and decides nothing: blast_radius.h judges what it returns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "git/repository.h"

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

// Thrown by every tree walk when directories nest more than FileCounter::kMaxDepth (git's
// core.maxTreeDepth default, 4096) below the tree it started from. A GitError, so callers that
// only know GitError still stop; the hook turns it into a malformed-commit finding.
class TreeTooDeep : public GitError {
 public:
  explicit TreeTooDeep(const std::string& message) : GitError(message, Kind::invalid) {}
};

// git's default diff.renameLimit.
inline constexpr std::size_t kRenameLimit = 1000;

// Counts files in trees, remembering the count of every subtree it finished, so that the
// trees of consecutive commits, which share most subtrees, cost only their changed parts. A
// "file" is every tree entry that is not a directory: regular and executable files, symlinks and
// submodules. Not thread-safe: one per thread. The memory it holds is capped (kMaxRemembered).
class FileCounter {
 public:
  static constexpr std::size_t kMaxRemembered = 1 << 18;  // subtree counts kept at most
  static constexpr std::size_t kMaxDepth = 4096;          // as git's core.maxTreeDepth

  // The number of files in tree `tree_id`, recursively. Throws GitError when a tree is missing
  // or corrupt, or when directories nest more than kMaxDepth deep below it.
  std::size_t count(const Repository& repo, const std::string& tree_id);

  // Like count(), but stops as soon as it has seen more than `limit` files and then returns
  // limit + 1: exact when the result is <= limit.
  std::size_t count_up_to(const Repository& repo, const std::string& tree_id, std::size_t limit);

  // Subtree counts currently remembered.
  std::size_t remembered() const { return memo_.size(); }

 private:
  std::unordered_map<std::string, std::size_t> memo_;  // raw tree id -> files under it
  friend class TreeCounting;
};

// The changes of commit `commit_id` against its first parent, with renames detected as git's
// defaults do (content at least 50% similar, copies not detected). `counter` serves the file
// counts and keeps its memory for later calls. Throws GitError when the commit or any object
// read is missing or corrupt.
ChangeSet first_parent_changes(const Repository& repo, const std::string& commit_id,
                               FileCounter& counter);

// The changes from commit `old_commit_id`'s tree to commit `new_commit_id`'s, as
// first_parent_changes reads them (parent_id is the old commit): what a push does to a ref as a
// whole. Throws GitError as first_parent_changes does.
ChangeSet changes_between(const Repository& repo, const std::string& old_commit_id,
                          const std::string& new_commit_id, FileCounter& counter);

}  // namespace trailgate::git
