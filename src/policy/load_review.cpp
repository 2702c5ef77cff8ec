#include "policy/policy_builder.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace trailgate::policy_load {

namespace {

constexpr std::string_view kReviewKeys[] = {"verification", "keys", "signature_key", "namespace"};

}  // namespace

void PolicyBuilder::read_review(const toml::table& root) {
  // Without a [review] table every setting keeps its default: signature verification.
  const toml::table* review = r_.table(root, "review", "");
  if (review == nullptr)
    return;
  r_.reject_unknown_keys(*review, "review", kReviewKeys);

  if (auto mode = r_.string(*review, "verification", "review")) {
    if (mode->value == "roster") {
      policy_.review.verification = Verification::roster;
    } else if (mode->value == "signature") {
      policy_.review.verification = Verification::signature;
    } else {
      r_.error(mode->where, "review.verification",
               fmt::format("unknown value {} (expected \"signature\" or \"roster\")",
                           quoted(mode->value)));
    }
  }

  std::optional<Located> signature_key = r_.nonempty_string(*review, "signature_key", "review");
  if (signature_key) {
    if (is_token(signature_key->value)) {
      policy_.review.signature_key = signature_key->value;
    } else {
      r_.error(signature_key->where, "review.signature_key",
               fmt::format("{} is not a trailer key: use only letters, digits and '-'",
                           quoted(signature_key->value)));
      signature_key.reset();
    }
  }

  if (auto name = r_.nonempty_string(*review, "namespace", "review")) {
    const bool printable_ascii = std::all_of(name->value.begin(), name->value.end(),
                                             [](char c) { return c > 0x20 && c < 0x7F; });
    if (printable_ascii) {
      policy_.review.sig_namespace = name->value;
    } else {
      r_.error(name->where, "review.namespace",
               fmt::format("{} is not a signature namespace: use printable ASCII without "
                           "spaces, e.g. \"trailgate-review\"",
                           quoted(name->value)));
    }
  }

  read_review_keys(*review, signature_key);
}

// [review] keys. `signature_key` is the signature_key the file sets, when it is valid. The
// review trailers and the signature trailer must differ: a signature line that also claimed
// a review would be read as two things at once. The clash is reported where it was written:
// at signature_key when the file sets it, else at the review key that takes the default.
void PolicyBuilder::read_review_keys(const toml::table& review,
                                     const std::optional<Located>& signature_key) {
  const std::string& signature = policy_.review.signature_key;
  std::vector<Located> keys;
  if (review.contains("keys")) {
    std::optional<std::vector<Located>> listed = r_.strings(review, "keys", "review");
    if (!listed)
      return;
    if (listed->empty()) {
      r_.error(review.get("keys")->source(), "review.keys",
               "must list at least one trailer key, e.g. [\"Reviewed-by\"]");
      return;
    }
    keys = std::move(*listed);
  }

  std::vector<std::string> accepted;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const Located& key = keys[i];
    const std::string path = element_path("review.keys", i);
    if (!is_token(key.value)) {
      r_.error(key.where, path,
               fmt::format("{} is not a trailer key: use only letters, digits and '-'",
                           quoted(key.value)));
    } else if (std::any_of(accepted.begin(), accepted.end(),
                           [&](const std::string& k) { return iequals(k, key.value); })) {
      r_.error(
          key.where, path,
          fmt::format("{} is listed twice (keys compare case-insensitively)", quoted(key.value)));
    } else {
      if (!review.contains("signature_key") && iequals(key.value, signature)) {
        r_.error(key.where, path,
                 fmt::format("{} is the key of the signature trailer (review.signature_key "
                             "defaults to {}); a review trailer must use a different key",
                             quoted(key.value), quoted(signature)));
      }
      accepted.push_back(key.value);
    }
  }
  if (!keys.empty())
    policy_.review.trailer_keys = accepted;

  if (!signature_key)
    return;
  const std::vector<std::string>& claims = policy_.review.trailer_keys;
  auto clash = std::find_if(claims.begin(), claims.end(),
                            [&](const std::string& k) { return iequals(k, signature); });
  if (clash != claims.end()) {
    r_.error(signature_key->where, "review.signature_key",
             fmt::format("{} is also a review trailer ({} {}); the signature trailer must be "
                         "a different key, e.g. \"Review-Signature\"",
                         quoted(signature_key->value), quoted(*clash),
                         keys.empty() ? "is the default of review.keys" : "in review.keys"));
  }
}

}  // namespace trailgate::policy_load
