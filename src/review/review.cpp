#include "review/review.h"

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "review/payload.h"
#include "ssh/sshsig.h"

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

bool is_review_key(const ReviewSettings& settings, std::string_view key) {
  return std::any_of(settings.trailer_keys.begin(), settings.trailer_keys.end(),
                     [&](const std::string& k) { return trailers::key_equals(k, key); });
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

// The commit's signature trailers, each decoded once.
struct SignatureTrailer {
  std::optional<ssh::SshSignature> signature;  // nullopt when it does not decode
  std::string error;                           // why it does not decode
};

std::vector<SignatureTrailer> decode_signatures(const std::vector<trailers::Trailer>& trailers,
                                                const Policy& policy) {
  std::vector<SignatureTrailer> out;
  for (const auto& t : trailers) {
    if (!trailers::key_equals(t.key, policy.review.signature_key))
      continue;
    SignatureTrailer decoded;
    if (std::optional<std::string> blob = ssh::base64_decode(t.value))
      decoded.signature = ssh::decode_sshsig(*blob, &decoded.error);
    else
      decoded.error = "the value is not strict base64";
    out.push_back(std::move(decoded));
  }
  return out;
}

const Person* owner_of(const Policy& policy, std::string_view blob) {
  for (const auto& person : policy.people)
    for (const auto& key : person.keys)
      if (key.key.blob == blob)
        return &person;
  return nullptr;
}

// The signature step: is there a valid signature by one of `person`'s keys over this commit's
// payload for `claim.email`? Sets claim.status and claim.reason.
void check_signature(ReviewClaim& claim, const Person& person, const CommitInfo& commit,
                     const std::vector<SignatureTrailer>& signatures, const Policy& policy,
                     std::int64_t now) {
  const ReviewSettings& settings = policy.review;
  if (person.keys.empty() || signatures.empty()) {
    claim.status = ClaimStatus::no_key;
    claim.reason = person.keys.empty()
                       ? person.name +
                             " has no SSH key on the roster, so their review cannot be "
                             "verified"
                       : "there is no " + settings.signature_key + " trailer; " + person.name +
                             " must sign the review (trailgate approve)";
    return;
  }
  PayloadContext context = payload_context(commit, settings);
  std::string payload;
  // Report the most telling problem when several signatures fail.
  ClaimStatus status = ClaimStatus::bad_signature;
  std::string reason;
  for (const auto& trailer : signatures) {
    if (!trailer.signature) {
      if (reason.empty())
        reason = "a " + settings.signature_key +
                 " trailer is not a valid SSH signature: " + trailer.error;
      continue;
    }
    const ssh::SshSignature& sig = *trailer.signature;
    auto key = std::find_if(person.keys.begin(), person.keys.end(),
                            [&](const PersonKey& k) { return k.key.blob == sig.public_key; });
    if (key == person.keys.end()) {
      if (status == ClaimStatus::bad_signature) {
        status = ClaimStatus::key_not_on_roster;
        const Person* owner = owner_of(policy, sig.public_key);
        reason =
            "the signature was made with " +
            (owner ? owner->name + "'s key"
                   : "key " + ssh::fingerprint(sig.public_key) + ", which is not on the roster") +
            ", not with one of " + person.name + "'s keys";
      }
      continue;
    }
    std::string fp = ssh::fingerprint(key->key.blob);
    if ((key->valid_after && now < *key->valid_after) ||
        (key->valid_before && now >= *key->valid_before)) {
      status = ClaimStatus::expired;
      reason = person.name + "'s key " + fp + " is outside its valid_after/valid_before dates";
      continue;
    }
    if (sig.sig_namespace != settings.sig_namespace) {
      status = ClaimStatus::bad_signature;
      reason = "the signature is in namespace \"" + sig.sig_namespace + "\", not \"" +
               settings.sig_namespace + "\"";
      continue;
    }
    if (payload.empty())
      payload = review_payload(commit, context, claim.email);
    std::string error;
    if (ssh::verify_sshsig(sig, payload, settings.sig_namespace, &error)) {
      claim.status = ClaimStatus::verified;
      claim.reason.clear();
      return;
    }
    status = ClaimStatus::payload_mismatch;
    reason = "the signature by " + fp +
             " does not match this commit's payload: its content, author or message changed "
             "after approval, or the signature was made for another commit";
  }
  claim.status = status;
  claim.reason = reason;
}

ReviewClaim judge(const trailers::Trailer& trailer, const CommitInfo& commit, const Policy& policy,
                  const std::vector<SignatureTrailer>& signatures, std::string_view min_level,
                  std::int64_t now) {
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
  if (policy.review.verification == Verification::signature)
    check_signature(claim, *person, commit, signatures, policy, now);
  return claim;
}

}  // namespace

ReviewOutcome verify_reviews(const CommitInfo& commit,
                             const std::vector<trailers::Trailer>& trailers, const Policy& policy,
                             std::string_view min_level, std::int64_t now) {
  ReviewOutcome outcome;
  if (policy.review.verification == Verification::signature &&
      commit.parent_tree_ids.size() != commit.parent_ids.size())
    throw std::logic_error("verify_reviews: commit read without its parents' trees");
  std::vector<SignatureTrailer> signatures;
  if (policy.review.verification == Verification::signature)
    signatures = decode_signatures(trailers, policy);
  std::vector<const Person*> approvers;
  for (const auto& trailer : trailers) {
    if (!is_review_key(policy.review, trailer.key))
      continue;
    ReviewClaim claim = judge(trailer, commit, policy, signatures, min_level, now);
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
