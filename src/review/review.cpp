#include "review/review.h"

#include <algorithm>

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
    case ClaimStatus::below_level:
      return "below-level";
    case ClaimStatus::expired:
      return "expired";
    case ClaimStatus::duplicate:
      return "duplicate";
  }
  return "unknown";
}

std::string email_of(std::string_view value) {
  // The address is the last <...> group, as in git's ident lines; anything else is malformed
  // rather than guessed at, so a reviewer can't be named by a loose substring.
  std::size_t close = value.rfind('>');
  if (close == std::string_view::npos)
    return {};
  std::size_t open = value.rfind('<', close);
  if (open == std::string_view::npos)
    return {};
  std::string_view email = value.substr(open + 1, close - open - 1);
  if (email.empty() || email.find('@') == std::string_view::npos ||
      email.find_first_of(" \t<>") != std::string_view::npos)
    return {};
  return std::string(email);
}

namespace {

bool is_review_key(const Policy& policy, std::string_view key) {
  return std::any_of(policy.review.trailer_keys.begin(), policy.review.trailer_keys.end(),
                     [&](const std::string& k) { return trailers::key_equals(k, key); });
}

bool is_author(const Person& person, const CommitInfo& commit) {
  return std::any_of(person.emails.begin(), person.emails.end(),
                     [&](const std::string& e) { return iequals(e, commit.author.email); });
}

// git log re-encodes a message that declares another encoding, so its bytes on screen differ
// from the bytes stored; a review is only trusted where the two are the same.
bool declares_foreign_encoding(const CommitInfo& commit) {
  return !commit.encoding.empty() && !iequals(commit.encoding, "UTF-8") &&
         !iequals(commit.encoding, "UTF8");
}

ReviewClaim judge(const trailers::Trailer& trailer, const CommitInfo& commit, const Policy& policy,
                  std::string_view min_level, std::int64_t now) {
  ReviewClaim claim;
  claim.trailer = trailer.key + ": " + trailer.value;
  if (declares_foreign_encoding(commit)) {
    claim.status = ClaimStatus::malformed;
    claim.reason = "the commit declares encoding \"" + commit.encoding +
                   "\"; reviews only count in UTF-8 messages, where what git shows is what "
                   "trailgate reads";
    return claim;
  }
  claim.email = email_of(trailer.value);
  if (claim.email.empty()) {
    claim.status = ClaimStatus::malformed;
    claim.reason = "the value is not \"Name <email>\"";
    return claim;
  }
  const Person* person = policy.person_by_email(claim.email);
  if (!person) {
    claim.status = ClaimStatus::not_on_roster;
    claim.reason = "<" + claim.email + "> is not on the policy's roster";
    return claim;
  }
  claim.person = person->name;
  if (is_author(*person, commit)) {
    claim.status = ClaimStatus::self_review;
    claim.reason = person->name + " is the commit's author and cannot review it";
    return claim;
  }
  if (policy.level_rank(person->level) < policy.level_rank(min_level)) {
    claim.status = ClaimStatus::below_level;
    claim.reason = person->name + " is " + person->level + "; " + std::string(min_level) +
                   " or above is required";
    return claim;
  }
  if (person->expires && now >= *person->expires) {
    claim.status = ClaimStatus::expired;
    claim.reason = person->name + "'s roster entry has expired";
    return claim;
  }
  claim.status = ClaimStatus::verified;
  return claim;
}

}  // namespace

ReviewOutcome verify_reviews(const CommitInfo& commit,
                             const std::vector<trailers::Trailer>& trailers, const Policy& policy,
                             std::string_view min_level, std::int64_t now) {
  ReviewOutcome outcome;
  std::vector<const Person*> approvers;
  for (const auto& trailer : trailers) {
    if (!is_review_key(policy, trailer.key))
      continue;
    ReviewClaim claim = judge(trailer, commit, policy, min_level, now);
    if (claim.status == ClaimStatus::verified) {
      // Two trailers naming one person (say, under two emails) are one approval.
      const Person* person = policy.person_by_email(claim.email);
      if (std::find(approvers.begin(), approvers.end(), person) != approvers.end()) {
        claim.status = ClaimStatus::duplicate;
        claim.reason = claim.person + " already approved this commit";
      } else {
        approvers.push_back(person);
        ++outcome.verified;
      }
    }
    outcome.claims.push_back(std::move(claim));
  }
  return outcome;
}

}  // namespace trailgate::review
