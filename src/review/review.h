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
#include "policy/policy.h"
#include "trailers/trailers.h"

namespace trailgate::review {

enum class ClaimStatus {
  verified,       // counts towards the approvals
  malformed,      // the value is not "Name <email>", or the commit declares a non-UTF-8 encoding
  not_on_roster,  // no roster person has that email
  self_review,    // the person is the commit's author (under any of their emails)
  below_level,    // the person is on the roster below the required level
  expired,        // the person's roster entry (or the signing key) has expired
  duplicate,      // the same person already approved this commit
  // Under verification = "signature" only:
  no_key,             // no signature at all, or the person has no key on the roster
  key_not_on_roster,  // signatures exist, but none by one of this person's roster keys
  bad_signature,      // not a valid SSHSIG: undecodable, truncated, wrong namespace or algorithm
  payload_mismatch,   // the person's key signed something else: content, author or message
                      // changed since approval, or the signature belongs to another commit
};

// Stable name of a status, as used in JSON output: "verified", "not-on-roster", ...
std::string_view to_string(ClaimStatus status);

// One review trailer and what became of it.
struct ReviewClaim {
  std::string trailer;  // "Reviewed-by: Name <email>" as git shows it
  std::string email;    // the email inside <...>, empty when malformed
  std::string person;   // the roster person's name, empty when not on the roster
  ClaimStatus status = ClaimStatus::malformed;
  std::string reason;  // one sentence for people; empty when verified
};

// Per-commit limits (docs/hook.md "Limits"): a commit, or a review note, with more review
// trailers or more signature trailers than this gets no review judged at all. No review needs
// more: it takes one trailer and one signature per reviewer. The limit keeps the cost of one
// commit bounded, whatever its message holds.
inline constexpr std::size_t kMaxReviewTrailers = 32;
inline constexpr std::size_t kMaxSignatureTrailers = 32;
// The longest signature trailer value decoded; a longer one is a bad signature unread. The
// largest key trailgate accepts (RSA, 16384 bits) makes a signature of under 6,000 characters.
inline constexpr std::size_t kMaxSignatureChars = 16 * 1024;

struct ReviewOutcome {
  std::vector<ReviewClaim> claims;  // every review trailer, in message order
  int verified = 0;                 // distinct people whose review counts
  // Non-empty when the trailers exceed kMaxReviewTrailers or kMaxSignatureTrailers: one
  // sentence saying which and how many. Then nothing was judged, `claims` is empty and
  // `verified` is 0; the caller must reject (rules::kTooManyReviews), never just ignore it.
  std::string over_limit;
};

// Judges every review trailer (policy.review.trailer_keys) in `trailers` for `commit`.
// A review counts when the person is on the roster at `min_level` or above, is not the
// commit's author under any of their emails (compared by email_skeleton(): ASCII case and
// look-alike letters do not make another person), and their entry
// has not expired at `now` (seconds since the epoch). The committer never counts against a
// reviewer: a senior who amends a commit to add their review becomes its committer. Under
// verification = "signature" the commit must also carry a signature trailer made by one of
// that person's keys (valid at `now`) over review_payload(commit, ..., the claim's email).
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
                             std::string_view min_level, std::int64_t now);

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

// Extracts the email from a "Name <email>" trailer value; empty when there is none.
std::string email_of(std::string_view value);

}  // namespace trailgate::review
