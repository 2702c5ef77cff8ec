// The blast-radius rules of one [[protect]] entry: plain data that the loader fills and
// pipeline/blast_radius.h applies. docs/blast-radius.md states every rule and default.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "policy/path_glob.h"

namespace trailgate {

// One [[protect.sensitive]] entry.
struct SensitiveRule {
  std::vector<PathGlob> paths;           // at least one
  int approvals = 2;                     // verified reviews a matching commit needs
  std::optional<std::string> min_level;  // nullopt: the [[protect]] rule's min_level
  int source_line = 0;                   // where the entry starts; 0 when not from a file
};

enum class MassChangeScope {
  ai_assisted,  // only AI-assisted commits
  all,          // every commit, even one that otherwise needs no review
};

// [protect.mass_change]. The defaults here apply when the table is absent.
struct MassChangeRule {
  bool enabled = true;
  std::size_t deleted_files = 50;  // deleting MORE files than this raises the requirement
  double deleted_share = 0.25;     // so does deleting MORE than this share of the parent's files
  // A directory of at least this many files in the parent that is deleted and recreated (see
  // kRewriteSimilarity and docs/blast-radius.md) raises it; 0 switches that check off.
  std::size_t recreated_dir_files = 2;
  int approvals = 2;
  std::optional<std::string> min_level;  // nullopt: the [[protect]] rule's min_level
  MassChangeScope applies_to = MassChangeScope::ai_assisted;
  int source_line = 0;  // where the table starts; 0 when absent (the defaults apply)
};

// Everything that can raise one [[protect]] rule's requirement.
struct BlastRules {
  std::vector<SensitiveRule> sensitive;
  MassChangeRule mass_change;
};

}  // namespace trailgate
