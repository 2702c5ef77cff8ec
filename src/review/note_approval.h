// Late approvals: reviews stored in a git note (refs/notes/trailgate) instead of the commit's
// trailers, for history already on a protected ref that nobody wants to rewrite.
//
// A note holds approvals, one after another, each exactly two lines:
//
//   Reviewed-by: Name <email>
//   Review-Signature: <base64 SSHSIG over the commit's review payload>
//
// (the keys are the policy's first review key and its signature key). The payload is the same
// one a trailer approval signs (payload.h), so one signature format serves both. Notes are
// append-only: a change may only add approvals after the existing bytes. Pure: no git, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/commit.h"
#include "policy/policy.h"
#include "review/review.h"
#include "trailers/trailers.h"

namespace trailgate::review {

// The largest note trailgate reads; a bigger one is malformed.
inline constexpr std::size_t kMaxNoteBytes = 1u << 20;

// The two lines of one approval, each ending in a line feed.
std::string format_note_approval(const ReviewSettings& settings, std::string_view reviewer,
                                 std::string_view signature_base64);

// A note's approvals as trailers, in order; `error` says what is wrong when the note does not
// follow the format above (then `trailers` is empty).
struct ParsedNote {
  std::vector<trailers::Trailer> trailers;
  std::string error;
};
ParsedNote parse_note(std::string_view text, const ReviewSettings& settings);

// Judges the approvals in `note_text` for `commit`, exactly as verify_reviews judges trailers
// (none by one of `responsible`'s humans counts: self_review or co_author), except that a
// signature is always required, whatever policy.review.verification says: a note can be pushed
// on its own, long after the commit, so only a signature binds it to a reviewer. A malformed
// note yields no claims.
// REQUIRES: commit.parent_tree_ids is filled; `min_level` is one of policy.levels.
ReviewOutcome verify_note(const CommitInfo& commit, std::string_view note_text,
                          const Policy& policy, std::string_view min_level, std::int64_t now,
                          const Responsibility& responsible);
// The same, with the responsible humans the commit's message shows without its detections (see
// the second verify_reviews): the same people are refused.
ReviewOutcome verify_note(const CommitInfo& commit, std::string_view note_text,
                          const Policy& policy, std::string_view min_level, std::int64_t now);

// What is wrong with the text alone of changing a note from `old_text` to `new_text`
// (nullopt: no note before), before any commit or history is read: it removes or alters existing
// bytes, or the new text does not follow the format above. Nullopt when the text is fine or
// unchanged. judge_note_change starts with this check.
std::optional<std::string> note_change_format_problem(const std::optional<std::string>& old_text,
                                                      const std::string& new_text,
                                                      const ReviewSettings& settings);

// What is wrong with changing `commit`'s note from `old_text` to `new_text` (nullopt: no note).
// Allowed: adding approvals after the existing bytes, each of which verifies (verify_note) and
// is not a second approval by someone who already approved in the note (nor, as verify_note
// judges it, by the commit's author or a co-author). Everything else is a problem: removing or
// altering existing bytes, malformed text, an approval that does not verify. Returns one sentence
// per problem; empty when the change is allowed.
std::vector<std::string> judge_note_change(const CommitInfo& commit,
                                           const std::optional<std::string>& old_text,
                                           const std::optional<std::string>& new_text,
                                           const Policy& policy, std::string_view min_level,
                                           std::int64_t now);

}  // namespace trailgate::review
