// Reviews: which Reviewed-by trailers of a commit count, and why the others do not.
//
// Pure: it sees the commit, its trailer block and the policy, never git or the filesystem.
// Only trailers in git's trailer block count (the caller passes trailers::parse's result);
// a Reviewed-by line anywhere else in the message is ordinary text. Each claim is judged in
// order of the checks below; the first that fails is its reason. Signature verification, when
// the policy asks for it, is one more check per claim after the roster checks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/commit.h"
#include "model/review_outcome.h"
#include "policy/policy.h"
#include "review/responsible.h"
#include "trailers/trailers.h"

namespace trailgate::review {

// Per-commit limits (docs/hook.md "Limits"): a commit, or a review note, with more review
// trailers or more signature trailers than this gets no review judged at all. No review needs
// more: it takes one trailer and one signature per reviewer. The limit keeps the cost of one
// commit bounded, whatever its message holds.
inline constexpr std::size_t kMaxReviewTrailers = 32;
inline constexpr std::size_t kMaxSignatureTrailers = 32;
// The longest signature trailer value decoded; a longer one is a bad signature unread. The
// largest key trailgate accepts (RSA, 16384 bits) makes a signature of under 6,000 characters.
inline constexpr std::size_t kMaxSignatureChars = 16 * 1024;

// Judges every review trailer (policy.review.trailer_keys) in `trailers` for `commit`.
// A review counts when the person is on the roster at `min_level` or above, is none of the
// commit's responsible humans (`responsible`, review/responsible.h) under any of their emails
// (compared by email_skeleton(): ASCII case and look-alike letters do not make another
// person), and their entry has not expired at `now` (seconds since the epoch). The commit's
// author is self_review (whatever `responsible` lists); a co-author or the human an agent
// commit's markers name is co_author, with a reason naming the role. The committer never
// counts against a reviewer: a senior who amends a commit to add their review becomes its
// committer. Under verification = "signature" the commit must also carry a signature trailer
// made by one of that person's keys (valid at `now`) over review_payload(commit, ..., the
// claim's email).
// Cost: identical signature trailers are decoded once; each review payload is built and hashed
// once per reviewer email and hash algorithm (work::Counter::payload_digests); each distinct
// signature is verified at most once per reviewer email, whatever the number of claims.
// Over the per-commit limits above, nothing is judged (ReviewOutcome::over_limit).
// A commit that declares a non-UTF-8 encoding gets no verified review: each claim is malformed,
// and claims that only commit.decoded_messages show (as git log decodes the message) are
// listed after the others, once each, so the pusher learns why they do not count.
// REQUIRES: `min_level` is one of policy.levels; under signature verification,
// commit.parent_tree_ids is filled (git::ParentTrees::read).
ReviewOutcome verify_reviews(const CommitInfo& commit,
                             const std::vector<trailers::Trailer>& trailers, const Policy& policy,
                             std::string_view min_level, std::int64_t now,
                             const Responsibility& responsible);

// The same, with the responsible humans the commit's own message shows without its detections:
// responsibility_of(commit, trailers::parse(commit.message).trailers, {}, policy). It refuses
// the same reviewers (an agent commit's named humans are its roster co-authors, and nobody off
// the roster counts anyway); only their role reads co-author instead of named-by-agent.
ReviewOutcome verify_reviews(const CommitInfo& commit,
                             const std::vector<trailers::Trailer>& trailers, const Policy& policy,
                             std::string_view min_level, std::int64_t now);

// Turns every verified claim in `outcome` by one of `responsible`'s humans (responsible_role)
// into self_review (the author) or co_author, with its reason, and lowers `verified` to match.
// For approvals judged without the commit's detections (a review note read by the audit).
void discount_responsible(ReviewOutcome& outcome, const Responsibility& responsible,
                          const Policy& policy);

// The distinct roster people with a verified claim in any of `outcomes` (two claims by one
// person, under any of their emails, are one approval): the one way approvals are counted when
// reviews come from more than one place (trailers and a review note).
int count_approvers(const std::vector<const ReviewOutcome*>& outcomes, const Policy& policy);

// True when `key` claims a review under `settings` (one of trailer_keys, ASCII case-insensitive).
bool is_review_key(const ReviewSettings& settings, std::string_view key);

// The "skeleton" of an email, for deciding whether two emails are one person's: ASCII letters
// lower-cased, fullwidth forms of ASCII made ASCII, Cyrillic, Greek and other letters that look
// like a Latin letter replaced by it, invisible characters (zero-width spaces and joiners, soft
// hyphens, direction marks, BOM) dropped. Any other code point, and any byte that is not
// well-formed UTF-8, stays distinct. Two emails that differ only in ASCII case, or that a
// reader cannot tell apart, have one skeleton. Used for self-review: an author cannot escape
// it by writing their own email with a Cyrillic 'е'.
std::string email_skeleton(std::string_view email);

// The first roster person (in roster order) with an email whose email_skeleton is `email`'s: the
// person `email` is, or only looks like. nullptr when none, or when the skeleton is empty.
// `matched`, when given, receives that roster email.
const Person* person_by_skeleton(const Policy& policy, std::string_view email,
                                 std::string* matched = nullptr);

// Extracts the email from a "Name <email>" trailer value; empty when there is none.
std::string email_of(std::string_view value);

}  // namespace trailgate::review
