// What a commit needs to pass, and the blast-radius rules that raised it: plain data, decided by
// src/pipeline/blast_radius.h.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace trailgate {

// Verified reviews needed, and the lowest level that counts.
struct Requirement {
  int approvals = 0;
  std::string min_level;
  bool operator==(const Requirement&) const = default;
};

enum class BlastReasonKind {
  sensitive_path,       // a changed path matches a [[protect.sensitive]] pattern
  deleted_files,        // more deletions than deleted_files
  deleted_share,        // more than deleted_share of the parent's files deleted
  recreated_directory,  // a directory deleted and recreated
};

// One rule that raised (or would raise) the requirement, and why.
struct BlastReason {
  BlastReasonKind kind = BlastReasonKind::sensitive_path;
  Requirement requirement;  // what this rule asks for, its level resolved
  int source_line = 0;      // the rule's line in the policy; 0 for defaults
  // sensitive_path: up to kMaxListedPaths matching paths, each with the pattern it matched,
  // and how many paths matched in all. A rename counts under each of its two paths.
  std::vector<std::pair<std::string, std::string>> paths;  // (path, pattern)
  std::size_t matching_paths = 0;
  // deleted_files, deleted_share: the counts.
  std::size_t deleted = 0;
  std::size_t parent_files = 0;
  // recreated_directory: the directory ("" for the whole tree), its files before and after.
  std::string directory;
  std::size_t files_before = 0;
  std::size_t files_after = 0;
  // For people: what matched, which rule, and what it asks for, e.g. `infra/main.tf (added)
  // matches "infra/**" ([[protect.sensitive]] at line 12: 2 approvals by senior or above)`.
  std::string message;
};

}  // namespace trailgate
