#include "model/review_outcome.h"

namespace trailgate::review {

std::string_view to_string(ClaimStatus status) {
  switch (status) {
    case ClaimStatus::verified:
      return "verified";
    case ClaimStatus::malformed:
      return "malformed";
    case ClaimStatus::not_on_roster:
      return "not-on-roster";
    case ClaimStatus::self_review:
      return "self-review";
    case ClaimStatus::co_author:
      return "co-author";
    case ClaimStatus::below_level:
      return "below-level";
    case ClaimStatus::expired:
      return "expired";
    case ClaimStatus::duplicate:
      return "duplicate";
    case ClaimStatus::no_key:
      return "no-key";
    case ClaimStatus::key_not_on_roster:
      return "key-not-on-roster";
    case ClaimStatus::bad_signature:
      return "bad-signature";
    case ClaimStatus::payload_mismatch:
      return "payload-mismatch";
  }
  return "unknown";
}

}  // namespace trailgate::review
