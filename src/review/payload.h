// The canonical review payload: the exact bytes a reviewer signs for one commit.
//
// It binds the commit's content (tree, parents' trees, author, message) and the reviewer, but
// not commit ids, so adding review trailers to a commit or a range keeps every signature valid,
// while any change to content, author or message voids it. Pure. Specified byte for byte in
// docs/payload.md so that others can reimplement it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/commit.h"
#include "policy/policy.h"

namespace trailgate::review {

inline constexpr std::string_view kPayloadFormat = "trailgate-review-payload v1";

// What the payload needs besides the commit.
struct PayloadContext {
  std::vector<std::string> parent_tree_ids;  // the tree id of each parent, in parent order
  std::vector<std::string> review_keys;      // trailer keys that claim a review (Reviewed-by)
  std::string signature_key;                 // the signature trailer key (Review-Signature)
  std::string sig_namespace;                 // the SSHSIG namespace (trailgate-review)
};

// The context a policy's review settings give for `commit`.
// REQUIRES: commit.parent_tree_ids is filled (git::ParentTrees::read).
PayloadContext payload_context(const CommitInfo& commit, const ReviewSettings& settings);

// Returns the payload for `reviewer_email` reviewing `commit`. The message is taken without
// any trailer-block line whose key is a review key or the signature key (continuations
// included), and normalised as docs/payload.md says.
// REQUIRES: context.parent_tree_ids.size() == commit.parent_ids.size(). Throws
// std::invalid_argument when a field that is a line of the payload holds a line feed (git cannot
// produce such a commit), so no message can forge a header line.
std::string review_payload(const CommitInfo& commit, const PayloadContext& context,
                           std::string_view reviewer_email);

// The message part of the payload alone (exposed for tests and `explain`).
std::string normalized_message(std::string_view message, const PayloadContext& context);

}  // namespace trailgate::review
