// What became of a commit's review trailers: plain data, judged by src/review.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace trailgate::review {

enum class ClaimStatus {
  verified,       // counts towards the approvals
  malformed,      // the value is not "Name <email>", or the commit declares a non-UTF-8 encoding
  not_on_roster,  // no roster person has that email
  self_review,    // the person is the commit's author (under any of their emails)
  co_author,      // the person is another of the commit's responsible humans: a human
                  // co-author, or the human an agent commit's markers name (under any email)
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

struct ReviewOutcome {
  std::vector<ReviewClaim> claims;  // every review trailer, in message order
  int verified = 0;                 // distinct people whose review counts
  // Non-empty when the trailers exceed kMaxReviewTrailers or kMaxSignatureTrailers: one
  // sentence saying which and how many. Then nothing was judged, `claims` is empty and
  // `verified` is 0; the caller must reject (rules::kTooManyReviews), never just ignore it.
  std::string over_limit;
};

}  // namespace trailgate::review
