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
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "git/repository.h"
#include "model/change_set.h"

namespace trailgate::git {

// Thrown by every tree walk when directories nest more than FileCounter::kMaxDepth (git's
// core.maxTreeDepth default, 4096) below the tree it started from. A GitError, so callers that
// only know GitError still stop; the hook turns it into a malformed-commit finding.
class TreeTooDeep : public GitError {
 public:
  explicit TreeTooDeep(const std::string& message) : GitError(message, Kind::invalid) {}
};

// git's default diff.renameLimit.
inline constexpr std::size_t kRenameLimit = 1000;

// What the diffs of one thread share, so that consecutive commits, whose trees share most
// subtrees, cost only their changed parts:
//   - the file count of every subtree it finished counting (count(), count_up_to());
//   - the trees the last two diffs read (first_parent_changes, changes_between): a commit's
//     first parent's tree, and the subtrees along the paths it changed, were usually read by the
//     diff of the commit judged just before it (its child). A diff keeps the trees it reads; the
//     next diff takes over those it reads again, and the rest are freed.
// A "file" is every tree entry that is not a directory: regular and executable files, symlinks
// and submodules. Not thread-safe: one per thread, used with one repository (trees kept from
// another repository are dropped when the repository changes). The memory it holds is capped
// (kMaxRemembered subtree counts; kMaxKeptTrees trees of at most kMaxKeptEntries entries in
// all per diff).
class FileCounter {
 public:
  static constexpr std::size_t kMaxRemembered = 1 << 18;   // subtree counts kept at most
  static constexpr std::size_t kMaxDepth = 4096;           // as git's core.maxTreeDepth
  static constexpr std::size_t kMaxKeptTrees = 4096;       // trees one diff keeps for the next
  static constexpr std::size_t kMaxKeptEntries = 1 << 20;  // their entries, all together

  FileCounter();
  ~FileCounter();
  FileCounter(const FileCounter&) = delete;
  FileCounter& operator=(const FileCounter&) = delete;

  // The number of files in tree `tree_id`, recursively. Throws GitError when a tree is missing
  // or corrupt, or when directories nest more than kMaxDepth deep below it.
  std::size_t count(const Repository& repo, const std::string& tree_id);

  // Like count(), but stops as soon as it has seen more than `limit` files and then returns
  // limit + 1: exact when the result is <= limit.
  std::size_t count_up_to(const Repository& repo, const std::string& tree_id, std::size_t limit);

  // Subtree counts currently remembered.
  std::size_t remembered() const { return memo_.size(); }
  // Trees currently kept for the next diff (those the last two diffs read, up to the caps).
  std::size_t kept_trees() const;

  // The trees kept between diffs; opaque outside src/git/tree_changes.cpp.
  class TreeCache;
  TreeCache& tree_cache() { return *trees_; }

 private:
  std::unordered_map<std::string, std::size_t> memo_;  // raw tree id -> files under it
  std::unique_ptr<TreeCache> trees_;
  friend class TreeCounting;
};

// The changes of commit `commit_id` against its first parent, with renames detected as git's
// defaults do (content at least 50% similar, copies not detected). `counter` serves the file
// counts and the trees the previous diff read, and keeps its memory for later calls. The parent's
// files are counted only when the commit deletes some (ChangeSet::parent_files). Throws GitError
// when the commit or any object read is missing or corrupt.
ChangeSet first_parent_changes(const Repository& repo, const std::string& commit_id,
                               FileCounter& counter);

// first_parent_changes for a commit whose tree and first parent's tree the caller already holds
// (from the commit it read, and its parent's): no commit is read again, only the trees. Empty
// `parent_id` and `parent_tree_id` for a root commit.
//
// `deleted_share`, when not negative, is the deleted_share of the only mass-change rule that
// will judge the result: the parent's files are then counted only as far as that rule needs
// them. ChangeSet::parent_files is exact whenever deleting `deleted` files could be more than
// that share of them (below deleted / deleted_share), and otherwise some count at or above it,
// which the rule judges the same way. A deep tree is then not read whole for a commit that
// deletes one file. Negative (the default): always exact.
ChangeSet first_parent_changes(const Repository& repo, const std::string& commit_id,
                               const std::string& tree_id, const std::string& parent_id,
                               const std::string& parent_tree_id, FileCounter& counter,
                               double deleted_share = -1);

// The changes from commit `old_commit_id`'s tree to commit `new_commit_id`'s, as
// first_parent_changes reads them (parent_id is the old commit): what a push does to a ref as a
// whole. Throws GitError as first_parent_changes does.
ChangeSet changes_between(const Repository& repo, const std::string& old_commit_id,
                          const std::string& new_commit_id, FileCounter& counter);

}  // namespace trailgate::git
