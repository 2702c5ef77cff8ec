// Plain data built by hand for the unit tests of the pure stages: commits as src/git would read
// them, and roster people as the policy loader would make them. Header-only, so that a test of
// one stage links nothing but that stage.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/commit.h"
#include "policy/policy.h"

namespace trailgate::testing {

// The object id every hand-built commit carries.
inline constexpr const char* kCommitId = "0123456789abcdef0123456789abcdef01234567";

// An author or committer line: `name` <`email`> at `time` (seconds since the epoch, UTC).
inline Identity identity(std::string name, std::string email, std::int64_t time = 0) {
  Identity id;
  id.name = std::move(name);
  id.email = std::move(email);
  id.time = time;
  return id;
}

// A human whose commits carry no AI marker: Jane Doe <jane@example.com>, at time 0.
inline const Identity kJane = identity("Jane Doe", "jane@example.com");

// A commit with id kCommitId and `message`, written by `author` and committed by `committer`
// (by the author when not given). Every other field is empty: a test sets what it needs.
inline CommitInfo make_commit(std::string message, Identity author = kJane,
                              std::optional<Identity> committer = std::nullopt) {
  CommitInfo c;
  c.id = kCommitId;
  c.committer = committer ? std::move(*committer) : author;
  c.author = std::move(author);
  c.message = std::move(message);
  return c;
}

// A roster person as a [[person]] table with only these keys would load.
inline Person roster_person(std::string name, std::vector<std::string> emails, std::string level) {
  Person p;
  p.name = std::move(name);
  p.emails = std::move(emails);
  p.level = std::move(level);
  return p;
}

}  // namespace trailgate::testing
