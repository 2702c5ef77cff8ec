// AI-assistance detection: does a commit carry a marker of an AI coding tool?
//
// Markers come from three places: trailers (git-exact, see trailers.h), the author and
// committer identities, and the message body. Every pattern is an RE2 expression, because
// messages are attacker-controlled and RE2 runs in linear time. This module is pure: it sees
// a CommitInfo and its parsed trailers, never libgit2. It must not decide anything about
// review; it only says which markers matched.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/commit.h"
#include "trailers/trailers.h"

namespace trailgate::detect {

enum class MarkerSource { trailer, identity, body };
enum class IdentityField { name, email, either };

// One way of recognising an AI tool.
struct MarkerSpec {
  std::string id;    // unique, stable, e.g. "claude-code.co-author"; named in every detection
  std::string tool;  // human name of the tool or convention, e.g. "Claude Code"
  MarkerSource source = MarkerSource::trailer;
  std::string trailer_key;  // source == trailer: the key, compared like trailers::key_equals
  // RE2 pattern. trailer: matched against the value (empty = any value matches);
  // identity: against the name and/or email of the author and of the committer;
  // body: against the whole message. Unanchored: use ^ and $ where needed. Text is read as
  // UTF-8 (RE2's default): without (?m), ^ and $ are the ends of the whole text, and '.'
  // does not match a byte that is not part of well-formed UTF-8.
  std::string pattern;
  IdentityField identity_field = IdentityField::either;  // source == identity only
};

// Why a commit is AI-assisted: one matched marker.
struct Detection {
  std::string marker_id;
  std::string tool;
  // Where it matched, for people: `trailer "Co-authored-by: Claude <noreply@anthropic.com>"`,
  // `author name "Dev (aider)"`, `committer email "..."`, or `body line "..."` (the line that
  // holds the start of the match). The quoted text is an excerpt of about 200 bytes at most,
  // with "..." where text was left out. It is always valid UTF-8: control bytes, '"', '\' and
  // bytes that are not well-formed UTF-8 are written as \xNN (or \" and \\).
  std::string evidence;
};

// The built-in catalogue of known tools and conventions (docs/markers.md lists them). Ids
// are "<tool>.<what>", e.g. "aider.identity"; they are stable, since policies and audit
// reports name them.
const std::vector<MarkerSpec>& builtin_catalogue();

// A compiled set of markers.
class MarkerSet {
 public:
  // Compiles every pattern once. Throws std::invalid_argument with a message
  // "marker <id>: <why>" when a pattern does not compile (why is RE2's complaint), when an id
  // is empty or repeated, when a trailer marker's key is not a trailer token (ASCII letters,
  // digits, '-'), or when an identity or body marker has an empty pattern (it would mark every
  // commit). An empty list is valid and detects nothing.
  explicit MarkerSet(std::vector<MarkerSpec> specs);
  ~MarkerSet();
  MarkerSet(MarkerSet&&) noexcept;
  MarkerSet& operator=(MarkerSet&&) noexcept;

  // Returns one Detection per marker that matches, in catalogue order; empty when the
  // commit is not AI-assisted. `trailers` must be trailers::parse(commit.message).trailers.
  // Trailer and body markers are also looked for in each of commit.decoded_messages (a
  // message in a foreign encoding, decoded as git log shows it), after the raw message; such
  // evidence ends in "(in the message decoded from "<encoding>")".
  // Per marker only the first match counts: the first trailer in message order; the first of
  // author name, author email, committer name, committer email; the leftmost body match. A
  // commit can match several markers, also of one tool. Never throws on any message or
  // identity bytes (non-UTF-8 included); time is linear in the size of the commit.
  // REQUIRES: *this has not been moved from (true of specs() too).
  std::vector<Detection> detect(const CommitInfo& commit,
                                const std::vector<trailers::Trailer>& trailers) const;

  // The markers, in the order given to the constructor.
  const std::vector<MarkerSpec>& specs() const;

 private:
  struct Compiled;
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace trailgate::detect
