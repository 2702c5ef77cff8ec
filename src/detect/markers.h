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
  // body: against the whole message. Unanchored: use ^ and $ where needed.
  std::string pattern;
  IdentityField identity_field = IdentityField::either;  // source == identity only
};

// Why a commit is AI-assisted: one matched marker.
struct Detection {
  std::string marker_id;
  std::string tool;
  std::string evidence;  // what matched, e.g. "trailer Co-authored-by: Claude <noreply@...>"
};

// The built-in catalogue of known tools and conventions (docs/markers.md lists them).
const std::vector<MarkerSpec>& builtin_catalogue();

// A compiled set of markers.
class MarkerSet {
 public:
  // Compiles every pattern. Throws std::invalid_argument naming the marker id and RE2's
  // complaint when a pattern does not compile.
  explicit MarkerSet(std::vector<MarkerSpec> specs);
  ~MarkerSet();
  MarkerSet(MarkerSet&&) noexcept;
  MarkerSet& operator=(MarkerSet&&) noexcept;

  // Returns one Detection per marker that matches, in catalogue order; empty when the
  // commit is not AI-assisted. `trailers` must be trailers::parse(commit.message).trailers.
  std::vector<Detection> detect(const CommitInfo& commit,
                                const std::vector<trailers::Trailer>& trailers) const;

  const std::vector<MarkerSpec>& specs() const;

 private:
  struct Compiled;
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace trailgate::detect
