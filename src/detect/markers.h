// AI-assistance detection: does a commit carry a marker of an AI coding tool?
//
// Markers come from three places: trailers (git-exact, see trailers.h), the author and
// committer identities, and the message body. Every pattern is an RE2 expression, because
// messages are attacker-controlled and RE2 runs in linear time. This module is pure: it sees
// a CommitInfo and its parsed trailers, never libgit2. It must not decide anything about
// review; it only says which markers matched.
#pragma once

#include "model/detection.h"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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
  // source == trailer only. When true, a value that is_human_value() does not match: the
  // marker is a disclosure key whose value is free text (Assisted-by, Generated-by), and a
  // person or a script named there, with no AI tool or model, is not an AI disclosure.
  bool human_values_exempt = false;
  // agent: the marker means an AI agent wrote the change on its own (its identity is the
  // author's or committer's); assisted: a human's commit with AI help.
  MarkerClass marker_class = MarkerClass::assisted;
  // source == trailer only. When true, a value in the Linux kernel's disclosure form
  // (parse_kernel_disclosure) fills the detection's agent, model and tools; any other value
  // still counts as the marker says, with those left empty.
  bool kernel_disclosure = false;
  // Empty, or an RE2 pattern with at least one capturing group, matched (unanchored) against
  // the text the marker matched: the trailer's value, the identity field, or the body line.
  // When it matches and its first group captures something that is not blank, that text,
  // trimmed, is the detection's model (unless it is longer than 128 bytes, not valid UTF-8 or
  // has control bytes). For markers whose text states a model plainly
  // ("Claude Opus 4.5 <noreply@anthropic.com>", "aider (gpt-4o) <...>").
  std::string model_pattern{};
};

// What a disclosure in the Linux kernel's form names
// (Documentation/process/coding-assistants.rst): "Assisted-by: AGENT_NAME:MODEL_VERSION
// [TOOL1] [TOOL2]", e.g. "Assisted-by: Claude:claude-3-opus coccinelle sparse".
struct KernelDisclosure {
  std::string agent;                 // "Claude"
  std::string model;                 // "claude-3-opus"
  std::vector<std::string> tools{};  // {"coccinelle", "sparse"}, in value order; may be empty
};

// Parses a trailer value (unfolded, as trailers::parse gives it) in the kernel's form. The
// value, trimmed of ASCII blanks, is blank-separated words (spaces, tabs, line breaks):
// - the first is AGENT:MODEL, split at its first ':'. AGENT is one or more ASCII letters,
//   digits and . _ + -, starting with a letter or digit. MODEL starts with a letter or digit
//   and has ASCII letters, digits and . _ + - / : @ (so "anthropic/claude-3-opus" and
//   "llama3:8b" are models, and "https://..." is not a disclosure: its model would start with
//   '/');
// - each further word is one tool: ASCII letters, digits and . _ + - /, optionally wrapped in
//   one pair of [ ] as the kernel's template writes them (the brackets are dropped).
// The agent, the model and each tool (brackets dropped) are at most 128 bytes, and there are at
// most 16 tools. Anything else, the empty value included, is not the kernel form: nullopt (a
// person, prose, a URL, a word with '<', '(', ',' or a non-ASCII byte). Pure; never throws
// except std::bad_alloc; linear time, and memory bounded whatever the value's size.
std::optional<KernelDisclosure> parse_kernel_disclosure(std::string_view value);

// A line anywhere in a message that has the shape of a trailer: it starts at column 0 with a
// token git accepts (ASCII letters, digits, '-'), optional blanks, then ':'. Lines after it that
// start with a blank (and are not blank) continue it, as in git's trailer block.
struct TrailerShapedLine {
  std::size_t offset = 0;  // where the line starts in the message
  std::string key;         // the token, trimmed
  std::string value;       // the value, unfolded and trimmed as git unfolds a trailer
  std::string first_line;  // the value on the key's own line only, trimmed
};

// Every trailer-shaped line of `message`, in message order, whether or not git's trailer
// block holds it: the subject, body paragraphs, text after a NUL byte or a "---" line count
// too. A line that starts with a blank, '>' or any other non-token byte is not one (so quoted
// and indented text is not). Never throws; time and memory are linear in the message size.
std::vector<TrailerShapedLine> trailer_shaped_lines(std::string_view message);

// True when `text` names an AI tool, model or vendor (docs/markers.md lists the words, e.g.
// "claude", "gpt", "copilot", "[bot]", "ai" as a word). Case-insensitive; linear time.
bool names_ai_tool(std::string_view text);

// True when a free-text disclosure value (an Assisted-by or Generated-by trailer) names no AI
// tool or model (names_ai_tool) and is, whole, either one person `Name <local@domain>` (the
// name only letters, spaces and . ' ’ , -; the address not a noreply address), or one path to
// a script (no blanks or ':'; a '/' in it or a script extension such as .sh or .py). Anything
// else, the empty value included, is not human: when unsure, the commit stays AI-assisted.
bool is_human_value(std::string_view value);

// Why a commit is AI-assisted: one matched marker.

// The built-in catalogue of known tools and conventions (docs/markers.md lists them). Ids
// are "<tool>.<what>", e.g. "aider.identity"; they are stable, since policies and audit
// reports name them.
const std::vector<MarkerSpec>& builtin_catalogue();

// The version of the built-in catalogue, "YYYY.MM.N": a new one whenever a marker is added,
// changed or removed, so that a report says which catalogue judged it.
std::string_view catalogue_version();

// A compiled set of markers.
class MarkerSet {
 public:
  // Checks every marker; compiles each pattern at most once, on first use (compile_all). Throws
  // std::invalid_argument with a message
  // "marker <id>: <why>" when a pattern or a model_pattern does not compile (why is RE2's
  // complaint), when a model_pattern has no capturing group, when an id
  // is empty or repeated, when a trailer marker's key is not a trailer token (ASCII letters,
  // digits, '-'), or when an identity or body marker has an empty pattern (it would mark every
  // commit). An empty list is valid and detects nothing.
  explicit MarkerSet(std::vector<MarkerSpec> specs);
  ~MarkerSet();
  MarkerSet(MarkerSet&&) noexcept;
  MarkerSet& operator=(MarkerSet&&) noexcept;

  // Returns one Detection per marker that matches, in catalogue order; empty when the
  // commit is not AI-assisted. Each carries its spec's marker_class, and what the matched
  // text names (MarkerSpec::kernel_disclosure, MarkerSpec::model_pattern). `trailers` must be
  // trailers::parse(commit.message).trailers. Trailer and body markers are also looked for in each
  // of commit.decoded_messages (a message in a foreign encoding, decoded as git log shows it),
  // after the raw message; such evidence ends in "(in the message decoded from "<encoding>")". A
  // trailer marker also matches any trailer-shaped line of a reading (trailer_shaped_lines:
  // detection is liberal), after the trailers of git's block; the line matches when its
  // unfolded value or its first line matches the pattern (and, for a human_values_exempt
  // marker, is not a human value). Lines that start with blanks or '>' (quotations) never
  // count. Reviews are not this module's business: they count only in git's block.
  // Per marker only the first match counts: the first trailer in message order (git's block
  // first, then trailer-shaped lines in message order); the first of
  // author name, author email, committer name, committer email; the leftmost body match. A
  // commit can match several markers, also of one tool. Never throws on any message or
  // identity bytes (non-UTF-8 included); time is linear in the size of the commit.
  // REQUIRES: *this has not been moved from (true of specs() too).
  std::vector<Detection> detect(const CommitInfo& commit,
                                const std::vector<trailers::Trailer>& trailers) const;
  // detect() with git's trailer block of the commit's message as trailers::parse() returned it
  // (the message is not parsed again).
  std::vector<Detection> detect_parsed(const CommitInfo& commit,
                                       const trailers::TrailerBlock& block) const;

  // The markers, in the order given to the constructor.
  const std::vector<MarkerSpec>& specs() const;

  // Patterns are compiled when first used, except those the constructor compiles to check them
  // (every pattern that is not the built-in catalogue's own). This compiles all of them now.
  // Throws std::logic_error naming the pattern when one does not compile or a model_pattern has
  // no capturing group, which tests rule out for the catalogue.
  void compile_all() const;

 private:
  std::vector<Detection> detect_in(const CommitInfo& commit, const trailers::TrailerBlock& block,
                                   bool block_is_gits) const;

  struct Compiled;
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace trailgate::detect
