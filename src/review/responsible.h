// The responsible humans of a commit: who wrote it, and so who can neither review it nor be
// judged above the least senior of them.
//
// Pure: it sees the commit, its trailers, its detections and the policy, never git. It decides
// no verdict; evaluate_commit (src/pipeline/evaluate.h) picks the requirement from the author
// level, and verify_reviews (review.h) refuses a review by any responsible human.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/commit.h"
#include "model/detection.h"
#include "model/evaluation.h"
#include "model/trailer.h"
#include "policy/policy.h"

namespace trailgate::review {

// Who is responsible for one commit, and the level it is judged at.
struct Responsibility {
  // The author first, then each co-author or named human once (one entry per roster person,
  // or per email skeleton for identities not on the roster), in message order.
  std::vector<ResponsibleHuman> humans;
  // The lowest level among `humans` (one of policy.levels): an identity not on the roster and
  // any bot identity count at the policy's lowest level, and so does every agent-authored
  // commit (the agent that wrote it is among its authors).
  std::string author_level;
  bool agent_authored = false;  // some detection has marker_class agent
};

// Determines the humans responsible for `commit`:
//  - the author (role author), whether or not on the roster; a bot when the author is an
//    agent-class identity (an agent detection whose evidence is the author's name or email) or
//    its name or email contains "[bot]" (ASCII case ignored);
//  - every Co-authored-by trailer (key compared like trailers::key_equals) whose email is one of
//    a roster person's emails, compared by email_skeleton (case and look-alike letters ignored),
//    role co_author. Trailer-shaped lines outside git's trailer block count too (and those of
//    commit.decoded_messages): for independence, being liberal about who co-wrote is the strict
//    choice;
//  - for an agent-authored commit (any detection of class agent), the humans its markers name:
//    each Co-authored-by identity that is not a bot (on the roster or not), role named_by_agent
//    (in practice the human who assigned the task, whom the Copilot coding agent adds).
// A roster person is listed once, under the first role that names them (author before others).
// A human's level is their roster level when their email is exactly (ASCII case ignored) one
// of a roster person's emails, or a look-alike of one in a co-author line (adding a co-author
// can only lower the author level); the policy's lowest level otherwise, and for bots.
// `trailers` must be trailers::parse(commit.message).trailers; `detections` the commit's
// detections (empty: not AI-assisted). Never throws on any message bytes; linear time.
// REQUIRES: policy.levels is not empty.
Responsibility responsibility_of(const CommitInfo& commit,
                                 const std::vector<trailers::Trailer>& trailers,
                                 const std::vector<detect::Detection>& detections,
                                 const Policy& policy);

// The role of the identity with `email` among the responsible humans: the role of the first
// entry of `responsible.humans` whose email has the same email_skeleton, or that belongs to the
// same roster person as `email` (any of that person's emails, compared by email_skeleton).
// nullopt when that identity is not responsible. An empty email is never responsible.
std::optional<ResponsibleRole> responsible_role(const Responsibility& responsible,
                                                std::string_view email, const Policy& policy);

}  // namespace trailgate::review
