// What the pipeline found for a push or a range: plain data, made by run()
// (src/pipeline/pipeline.h) and read by the outputs and the host.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "model/evaluation.h"
#include "model/finding.h"

namespace trailgate {

struct ProtectRule;  // policy/policy.h: only pointed to here

// One line of pre-receive input: <old-id> SP <new-id> SP <refname>.
struct RefUpdate {
  std::string old_id;  // all zeros when the ref is created
  std::string new_id;  // all zeros when the ref is deleted
  std::string ref;
  bool creates() const;
  bool deletes() const;
};

struct RefResult {
  RefUpdate update;
  const ProtectRule* rule = nullptr;
  std::string judged_as;  // as RefCheck::judged_as
  std::vector<Finding> ref_findings;
  std::size_t commits_checked = 0;
  std::size_t commits_failed = 0;
  // The id of every failing commit entering this ref, in walk order, however many: what
  // break-glass waives and the decision log records. 40 or 64 bytes each, so bounded by the
  // push itself.
  std::vector<std::string> failed_commits;
};

struct Report {
  std::vector<RefResult> refs;
  // Failing evaluations, at most Policy::max_listed_commits of them (or RunOptions::keep_passing
  // when larger), and passing ones up to RunOptions::keep_passing, all in walk order.
  std::vector<CommitEvaluation> evaluations;
  std::size_t commits_checked = 0;
  std::size_t commits_failed = 0;  // may exceed the failing evaluations kept
  std::size_t findings = 0;        // every finding, ref-level and per commit

  bool passed() const { return findings == 0; }
  // True when some ref has a ref-level finding (deletion, history rewrite).
  bool has_ref_findings() const;
};

}  // namespace trailgate
