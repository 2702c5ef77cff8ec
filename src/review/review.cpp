#include "review/review.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <utility>

#include "model/work_counters.h"
#include "review/payload.h"
#include "ssh/sshsig.h"
#include "util/ascii.h"
#include "util/utf8.h"

namespace trailgate::review {

bool is_review_key(const ReviewSettings& settings, std::string_view key) {
  return std::any_of(settings.trailer_keys.begin(), settings.trailer_keys.end(),
                     [&](const std::string& k) { return trailers::key_equals(k, key); });
}

namespace {

// Letters of other scripts that look like a Latin letter, and what they look like.
struct Confusable {
  char32_t code_point;
  char latin;
};
// clang-format off
constexpr Confusable kConfusables[] = {
    // Cyrillic
    {0x0430, 'a'}, {0x0410, 'a'}, {0x0412, 'b'}, {0x0432, 'b'}, {0x0441, 'c'}, {0x0421, 'c'},
    {0x0501, 'd'}, {0x0435, 'e'}, {0x0415, 'e'}, {0x04BB, 'h'},
    {0x041D, 'h'}, {0x043D, 'h'}, {0x0456, 'i'}, {0x0406, 'i'}, {0x0458, 'j'},
    {0x0408, 'j'}, {0x041A, 'k'}, {0x043A, 'k'}, {0x04CF, 'l'}, {0x041C, 'm'}, {0x043C, 'm'},
    {0x043E, 'o'}, {0x041E, 'o'}, {0x0440, 'p'}, {0x0420, 'p'}, {0x051B, 'q'}, {0x0455, 's'},
    {0x0405, 's'}, {0x0422, 't'}, {0x0442, 't'}, {0x0443, 'y'}, {0x04AF, 'y'}, {0x0423, 'y'},
    {0x051D, 'w'}, {0x0445, 'x'}, {0x0425, 'x'},
    // Greek
    {0x03B1, 'a'}, {0x0391, 'a'}, {0x0392, 'b'}, {0x03B2, 'b'}, {0x0395, 'e'}, {0x03B5, 'e'},
    {0x0397, 'h'}, {0x03B9, 'i'}, {0x0399, 'i'}, {0x039A, 'k'}, {0x03BA, 'k'}, {0x039C, 'm'},
    {0x039D, 'n'}, {0x03BD, 'v'}, {0x03BF, 'o'}, {0x039F, 'o'}, {0x03C1, 'p'}, {0x03A1, 'p'},
    {0x03A4, 't'}, {0x03C4, 't'}, {0x03C5, 'u'}, {0x03A5, 'y'}, {0x03A7, 'x'}, {0x03C7, 'x'},
    {0x0396, 'z'},
    // Latin look-alikes
    {0x0131, 'i'}, {0x0269, 'i'}, {0x0261, 'g'}, {0x01C0, 'l'}, {0x2113, 'l'}, {0x212A, 'k'},
    {0x212E, 'e'}, {0x0251, 'a'}, {0x1D00, 'a'}, {0x0280, 'r'}, {0x1D0F, 'o'}, {0x0299, 'b'},
};
// clang-format on

bool is_invisible(char32_t cp) {
  return cp == 0x00AD || cp == 0x034F || cp == 0x061C || cp == 0x180E ||
         (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2060 && cp <= 0x2064) || cp == 0xFEFF;
}

}  // namespace

std::string email_skeleton(std::string_view email) {
  std::string out;
  out.reserve(email.size());
  // ASCII (almost every address): no look-alikes and no invisible characters, only case.
  if (std::all_of(email.begin(), email.end(), [](char c) { return (c & 0x80) == 0; })) {
    for (char c : email)
      out.push_back(util::ascii_lower(c));
    return out;
  }
  std::size_t i = 0;
  while (i < email.size()) {
    const std::size_t start = i;
    // A byte that starts no well-formed sequence is a code of its own, above U+10FFFF, so bad
    // bytes stay distinct.
    const util::Utf8Char decoded = util::utf8_char_at(email, i);
    i += decoded.length;
    char32_t cp = decoded.code;
    if (cp >= 0xFF01 && cp <= 0xFF5E)
      cp -= 0xFEE0;  // fullwidth forms of ASCII
    if (is_invisible(cp))
      continue;
    if (cp < 0x80) {
      out.push_back(util::ascii_lower(static_cast<char>(cp)));
      continue;
    }
    auto look = std::find_if(std::begin(kConfusables), std::end(kConfusables),
                             [&](const Confusable& k) { return k.code_point == cp; });
    if (look != std::end(kConfusables)) {
      out.push_back(look->latin);
      continue;
    }
    // Anything else stays as written, so it stays distinct from ASCII text.
    out.append(email.substr(start, i - start));
  }
  return out;
}

const Person* person_by_skeleton(const Policy& policy, std::string_view email,
                                 std::string* matched) {
  const std::string skeleton = email_skeleton(email);
  if (skeleton.empty())
    return nullptr;
  for (const Person& person : policy.people)
    for (const std::string& e : person.emails)
      if (email_skeleton(e) == skeleton) {
        if (matched)
          *matched = e;
        return &person;
      }
  return nullptr;
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
  const std::string author = email_skeleton(commit.author.email);
  return std::any_of(person.emails.begin(), person.emails.end(),
                     [&](const std::string& e) { return email_skeleton(e) == author; });
}

// git log re-encodes a message that declares another encoding, so its bytes on screen differ
// from the bytes stored; a review is only trusted where the two are the same.
bool declares_foreign_encoding(const CommitInfo& commit) {
  return !is_utf8_encoding(commit.encoding);
}

// The commit's distinct signature trailers, each decoded once: copies of one value are one
// signature.
struct SignatureTrailer {
  std::optional<ssh::SshSignature> signature;  // nullopt when it does not decode
  std::string error;                           // why it does not decode
};

std::vector<SignatureTrailer> decode_signatures(const std::vector<trailers::Trailer>& trailers,
                                                const Policy& policy) {
  std::vector<SignatureTrailer> out;
  std::set<std::string_view> seen;
  for (const auto& t : trailers) {
    if (!trailers::key_equals(t.key, policy.review.signature_key))
      continue;
    if (!seen.insert(t.value).second)
      continue;
    SignatureTrailer decoded;
    if (t.value.size() > kMaxSignatureChars)
      decoded.error = fmt::format(
          "the value is {} characters long; no SSH signature trailgate "
          "accepts is longer than {}",
          t.value.size(), kMaxSignatureChars);
    else if (std::optional<std::string> blob = ssh::base64_decode(t.value))
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

// What one commit's signature checks have already computed, so that no claim repeats the work
// of another: payloads and their digests per reviewer email, verdicts per (signature, email).
class SignatureCache {
 public:
  SignatureCache(const CommitInfo& commit, const ReviewSettings& settings)
      : commit_(commit), settings_(settings) {}

  // Whether signature number `index` (`sig`), made with roster key `key`, verifies over the
  // payload for `email`. The roster key is imported for verification once per policy.
  bool verifies(std::size_t index, const ssh::SshSignature& sig, const ssh::PublicKey& roster_key,
                const std::string& email) {
    auto key = std::make_pair(index, email);
    auto known = verdicts_.find(key);
    if (known != verdicts_.end())
      return known->second;
    bool ok = false;
    if (const std::optional<std::string>& digest = digest_for(email, sig.hash_algorithm)) {
      std::string error;
      if (std::shared_ptr<const ssh::VerifyingKey> imported =
              ssh::verifying_key(roster_key, &error))
        ok = ssh::verify_sshsig_digest(sig, *imported, *digest, settings_.sig_namespace, &error);
    }
    verdicts_.emplace(std::move(key), ok);
    return ok;
  }

 private:
  const std::optional<std::string>& digest_for(const std::string& email,
                                               const std::string& algorithm) {
    auto key = std::make_pair(email, algorithm);
    auto known = digests_.find(key);
    if (known != digests_.end())
      return known->second;
    auto payload = payloads_.find(email);
    if (payload == payloads_.end()) {
      if (!context_)
        context_ = payload_context(commit_, settings_);
      payload = payloads_.emplace(email, review_payload(commit_, *context_, email)).first;
    }
    work::add(work::Counter::payload_digests);
    return digests_.emplace(std::move(key), ssh::sshsig_message_digest(algorithm, payload->second))
        .first->second;
  }

  const CommitInfo& commit_;
  const ReviewSettings& settings_;
  std::optional<PayloadContext> context_;
  std::map<std::string, std::string> payloads_;
  std::map<std::pair<std::string, std::string>, std::optional<std::string>> digests_;
  std::map<std::pair<std::size_t, std::string>, bool> verdicts_;
};

// The signature step: is there a valid signature by one of `person`'s keys over this commit's
// payload for `claim.email`? Sets claim.status and claim.reason.
void check_signature(ReviewClaim& claim, const Person& person,
                     const std::vector<SignatureTrailer>& signatures, SignatureCache& cache,
                     const Policy& policy, std::int64_t now) {
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
  // Report the most telling problem when several signatures fail.
  ClaimStatus status = ClaimStatus::bad_signature;
  std::string reason;
  for (std::size_t index = 0; index < signatures.size(); ++index) {
    const SignatureTrailer& trailer = signatures[index];
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
    if ((key->valid_after && now < *key->valid_after) ||
        (key->valid_before && now >= *key->valid_before)) {
      status = ClaimStatus::expired;
      reason = person.name + "'s key " + ssh::fingerprint(key->key.blob) +
               " is outside its valid_after/valid_before dates";
      continue;
    }
    if (sig.sig_namespace != settings.sig_namespace) {
      status = ClaimStatus::bad_signature;
      reason = "the signature is in namespace \"" + sig.sig_namespace + "\", not \"" +
               settings.sig_namespace + "\"";
      continue;
    }
    if (cache.verifies(index, sig, key->key, claim.email)) {
      claim.status = ClaimStatus::verified;
      claim.reason.clear();
      return;
    }
    status = ClaimStatus::payload_mismatch;
    reason = "the signature by " + ssh::fingerprint(key->key.blob) +
             " does not match this commit's payload: its content, author or message changed "
             "after approval, or the signature was made for another commit";
  }
  claim.status = status;
  claim.reason = reason;
}

// Why `person` (role `role` among the responsible humans) cannot review: the claim's reason.
std::string responsible_reason(const Person& person, ResponsibleRole role) {
  switch (role) {
    case ResponsibleRole::author:
      return person.name + " is the commit's author and cannot review it";
    case ResponsibleRole::co_author:
      return person.name +
             " is a co-author of the commit (a Co-authored-by line names them) and cannot "
             "review it: a review must be independent";
    case ResponsibleRole::named_by_agent:
      break;
  }
  return person.name +
         " is the human an agent-authored commit names (a Co-authored-by line the agent wrote), "
         "responsible for it, and cannot review it: a review must be independent";
}

ClaimStatus responsible_status(ResponsibleRole role) {
  return role == ResponsibleRole::author ? ClaimStatus::self_review : ClaimStatus::co_author;
}

ReviewClaim judge(const trailers::Trailer& trailer, const CommitInfo& commit, const Policy& policy,
                  const std::vector<SignatureTrailer>& signatures, SignatureCache& cache,
                  std::string_view min_level, std::int64_t now, const Responsibility& responsible) {
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
    std::string known;
    if (person_by_skeleton(policy, claim.email, &known))
      claim.reason += "; it only looks like <" + known +
                      ">: emails must match byte for byte, ignoring ASCII case";
    return claim;
  }
  claim.person = person->name;
  if (is_author(*person, commit)) {
    claim.status = ClaimStatus::self_review;
    claim.reason = responsible_reason(*person, ResponsibleRole::author);
    return claim;
  }
  if (std::optional<ResponsibleRole> role = responsible_role(responsible, claim.email, policy)) {
    claim.status = responsible_status(*role);
    claim.reason = responsible_reason(*person, *role);
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
    check_signature(claim, *person, signatures, cache, policy, now);
  return claim;
}

}  // namespace

ReviewOutcome verify_reviews(const CommitInfo& commit,
                             const std::vector<trailers::Trailer>& trailers, const Policy& policy,
                             std::string_view min_level, std::int64_t now) {
  return verify_reviews(
      commit, trailers, policy, min_level, now,
      responsibility_of(commit, trailers::parse(commit.message).trailers, {}, policy));
}

void discount_responsible(ReviewOutcome& outcome, const Responsibility& responsible,
                          const Policy& policy) {
  for (ReviewClaim& claim : outcome.claims) {
    if (claim.status != ClaimStatus::verified)
      continue;
    std::optional<ResponsibleRole> role = responsible_role(responsible, claim.email, policy);
    if (!role)
      continue;
    claim.status = responsible_status(*role);
    const Person* person = policy.person_by_email(claim.email);
    claim.reason = person ? responsible_reason(*person, *role)
                          : "<" + claim.email + "> is responsible for the commit";
    --outcome.verified;
  }
}

ReviewOutcome verify_reviews(const CommitInfo& commit,
                             const std::vector<trailers::Trailer>& trailers, const Policy& policy,
                             std::string_view min_level, std::int64_t now,
                             const Responsibility& responsible) {
  ReviewOutcome outcome;
  if (policy.review.verification == Verification::signature &&
      commit.parent_tree_ids.size() != commit.parent_ids.size())
    throw std::logic_error("verify_reviews: commit read without its parents' trees");
  const auto count = [&](auto is_key) {
    return static_cast<std::size_t>(std::count_if(
        trailers.begin(), trailers.end(), [&](const trailers::Trailer& t) { return is_key(t); }));
  };
  const std::size_t reviews =
      count([&](const trailers::Trailer& t) { return is_review_key(policy.review, t.key); });
  const std::size_t signed_ = count([&](const trailers::Trailer& t) {
    return trailers::key_equals(t.key, policy.review.signature_key);
  });
  if (reviews > kMaxReviewTrailers || signed_ > kMaxSignatureTrailers) {
    outcome.over_limit =
        reviews > kMaxReviewTrailers
            ? fmt::format("it carries {} review trailers; trailgate judges at most {} per commit",
                          reviews, kMaxReviewTrailers)
            : fmt::format("it carries {} {} trailers; trailgate judges at most {} per commit",
                          signed_, policy.review.signature_key, kMaxSignatureTrailers);
    return outcome;
  }
  std::vector<SignatureTrailer> signatures;
  if (policy.review.verification == Verification::signature)
    signatures = decode_signatures(trailers, policy);
  SignatureCache cache(commit, policy.review);
  std::vector<const Person*> approvers;
  for (const auto& trailer : trailers) {
    if (!is_review_key(policy.review, trailer.key))
      continue;
    ReviewClaim claim =
        judge(trailer, commit, policy, signatures, cache, min_level, now, responsible);
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
  // A review that only a decoded reading shows (git log decodes the message first) does not
  // count either; it is listed so that the pusher learns why the review git shows is ignored.
  // They are malformed at once (no signature is checked), and listed up to the same limit.
  if (declares_foreign_encoding(commit)) {
    for (const std::string& reading : commit.decoded_messages) {
      for (const auto& trailer : trailers::parse(reading).trailers) {
        if (!is_review_key(policy.review, trailer.key))
          continue;
        if (outcome.claims.size() >= 2 * kMaxReviewTrailers)
          break;
        ReviewClaim claim =
            judge(trailer, commit, policy, signatures, cache, min_level, now, responsible);
        if (std::none_of(outcome.claims.begin(), outcome.claims.end(),
                         [&](const ReviewClaim& c) { return c.trailer == claim.trailer; }))
          outcome.claims.push_back(std::move(claim));
      }
    }
  }
  return outcome;
}

int count_approvers(const std::vector<const ReviewOutcome*>& outcomes, const Policy& policy) {
  std::vector<const Person*> approvers;
  for (const ReviewOutcome* outcome : outcomes)
    for (const auto& claim : outcome->claims)
      if (claim.status == ClaimStatus::verified)
        if (const Person* person = policy.person_by_email(claim.email))
          if (std::find(approvers.begin(), approvers.end(), person) == approvers.end())
            approvers.push_back(person);
  return static_cast<int>(approvers.size());
}

}  // namespace trailgate::review
