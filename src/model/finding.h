// A policy violation, as data. Violations never travel as exceptions: every stage appends
// Findings so that a pusher sees every problem in one round trip.
#pragma once

#include <string>

namespace trailgate {

// Stable rule identifiers. They appear in messages, JSON output and the docs; never rename.
namespace rules {
inline constexpr const char* kAiReview = "ai-review-required";
inline constexpr const char* kReviewAll = "review-required";
inline constexpr const char* kDeclaration = "declaration-required";
inline constexpr const char* kDeleteRef = "protected-ref-delete";
inline constexpr const char* kRewriteRef = "protected-ref-rewrite";
inline constexpr const char* kReviewNote = "review-note";
inline constexpr const char* kBlastRadius = "blast-radius-review";
inline constexpr const char* kReplaceRef = "replace-ref";
inline constexpr const char* kNonCommitRef = "protected-ref-not-commit";
inline constexpr const char* kTooManyReviews = "too-many-reviews";
// The commit object is malformed: a NUL byte, an identity git and libgit2 read differently, what
// git fsck rejects, or a tree nested deeper than git's core.maxTreeDepth.
inline constexpr const char* kMalformedCommit = "malformed-commit";
}  // namespace rules

struct Finding {
  std::string rule;       // one of rules::k*
  std::string ref;        // the ref being updated or checked
  std::string commit_id;  // full hex id; empty for ref-level findings
  std::string subject;    // the commit's subject line; empty for ref-level findings
  std::string problem;    // what is wrong, one sentence
  std::string fix;        // what to do about it, one or more sentences
};

}  // namespace trailgate
