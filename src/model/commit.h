// The commit as every stage sees it: plain data read once from git.
//
// Stages after src/git/ never touch libgit2; they take a CommitInfo. It must stay free of
// anything but the standard library so that the pure cores can be tested and fuzzed alone.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace trailgate {

// An author or committer line of a commit object.
struct Identity {
  std::string name;
  std::string email;
  std::int64_t time = 0;   // seconds since the epoch, as written in the commit
  int offset_minutes = 0;  // the timezone offset written next to it
};

// One commit, read from the object database.
struct CommitInfo {
  std::string id;                            // full hex object id
  std::string tree_id;                       // full hex id of the commit's tree
  std::vector<std::string> parent_ids;       // in the order the commit lists them
  std::vector<std::string> parent_tree_ids;  // each parent's tree id, in the same order; filled
                                             // only when read with ParentTrees::read
  Identity author;
  Identity committer;
  std::string message;   // raw bytes, exactly as stored (may be non-UTF-8)
  std::string encoding;  // the commit's "encoding" header; empty when absent
};

// Returns the first non-blank line of `message`, without its line ending. Returns "" for a
// message with no non-blank line.
std::string_view subject_of(std::string_view message);

// Returns the first 12 hex digits of `id` (or all of it when shorter).
std::string_view short_id(std::string_view id);

}  // namespace trailgate
