// The policy: who may review, which refs are protected and what they require.
//
// Plain data produced by the loader (policy_loader.h) and read by every later stage. Nothing
// here reads files or git. Defaults below are the documented defaults of examples/policy.toml.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detect/markers.h"
#include "model/requirement.h"
#include "policy/blast_rules.h"
#include "ssh/ssh_key.h"
#include "util/ascii.h"

namespace trailgate {

// How strongly a Reviewed-by trailer must be backed before it counts.
enum class Verification {
  roster,     // the named person is on the roster at the level, not the author, not expired
  signature,  // additionally an SSH signature by one of the person's keys over the payload
};

// One of a person's SSH keys. valid_after and valid_before are seconds since the epoch;
// reviews signed with the key count only when valid_after <= now < valid_before.
struct PersonKey {
  ssh::PublicKey key;  // parsed from the policy's "ssh-ed25519 AAAA..." text
  std::optional<std::int64_t> valid_after;
  std::optional<std::int64_t> valid_before;
};

// One person on the roster.
struct Person {
  std::string name;
  std::vector<std::string> emails;      // matched case-insensitively; the first is primary
  std::string level;                    // one of Policy::levels
  std::vector<std::string> usernames;   // host usernames (GitLab, Gitea, ...) of this person
  std::optional<std::int64_t> expires;  // seconds since the epoch (UTC midnight of the date)
                                        // from which reviews no longer count
  std::vector<PersonKey> keys;          // keys whose signatures count as this person's reviews
  int source_line = 0;                  // where the [[person]] entry starts, for messages
};

struct ReviewSettings {
  Verification verification = Verification::signature;
  std::vector<std::string> trailer_keys = {"Reviewed-by"};  // keys that claim a review
  std::string signature_key = "Review-Signature";  // the trailer carrying an SSHSIG, base64
  std::string sig_namespace = "trailgate-review";  // the SSHSIG namespace reviews sign in
};

// [[protect.author_level]]: what a [[protect]] rule asks of commits whose author level (the
// lowest level among their responsible humans, review/responsible.h) is one of `levels`. Each
// key left out comes from the rule.
struct AuthorLevelRule {
  std::vector<std::string> levels;       // non-empty; each one of Policy::levels, none repeated
                                         // across the rule's entries
  std::optional<int> approvals;          // >= 1 when set
  std::optional<int> agent_approvals;    // >= 1 when set
  std::optional<std::string> min_level;  // one of Policy::levels when set
  int source_line = 0;                   // where the entry starts, for messages
};

// Requirements for the refs matched by `refs`.
struct ProtectRule {
  std::vector<std::string> refs;  // glob patterns; '*' also matches '/', see ref_matches()
  int approvals = 1;              // verified reviews an AI-assisted commit needs
  std::string min_level = "senior";
  // Verified reviews an agent-authored commit needs (at least `approvals` in effect, see
  // requirement_for); nullopt = approvals.
  std::optional<int> agent_approvals;
  // [[protect.author_level]] entries, in file order: the first that lists a commit's author
  // level applies (requirement_for).
  std::vector<AuthorLevelRule> author_levels;
  bool allow_delete = false;
  bool allow_force_push = false;
  bool review_all = false;           // every commit needs the approvals, not only AI ones
  bool require_declaration = false;  // every commit must carry "AI-Assisted: yes|no"
  // Host usernames who may push past this rule's commit findings with
  // `git push -o trailgate.break-glass="<reason>"` (never past allow_delete or
  // allow_force_push). Empty: nobody may.
  std::vector<std::string> break_glass;
  // [[protect.sensitive]] and [protect.mass_change]: what raises the requirement for commits
  // that change sensitive paths or much of the tree. The mass-change defaults apply even when
  // the policy has no such table (docs/blast-radius.md).
  BlastRules blast;
  int source_line = 0;  // where the [[protect]] entry starts, for messages

  // What a commit with `author_level` needs under this rule before any blast-radius rule: the
  // first author_levels entry that lists the level (exact match) applies, each key it leaves
  // out coming from the rule (agent_approvals from the rule's agent_approvals, else its
  // approvals); no entry lists it: the rule's own keys. An agent-authored commit needs
  // max(approvals, agent_approvals) of that entry or rule, at the same min_level. Never fewer
  // than `approvals` of the entry or rule, so no level is exempt from review.
  // REQUIRES: author_level is one of the policy's levels (another gets the rule's own keys).
  Requirement requirement_for(std::string_view author_level, bool agent_authored) const;

  // True when `username` (as the host identifies the pusher) is on break_glass, compared
  // ignoring ASCII case as the Git hosts compare usernames. False for an empty username.
  bool allows_break_glass(std::string_view username) const;
};

// History before the policy: commits reachable from `commit`, or whose author and committer
// dates are both before `before`, are grandfathered.
struct Baseline {
  std::optional<std::string> commit;   // a full hex commit id
  std::optional<std::int64_t> before;  // seconds since the epoch
};

struct DetectSettings {
  bool builtin = true;                      // use detect::builtin_catalogue()
  std::vector<detect::MarkerSpec> markers;  // extra markers from the policy
};

// How the hook learns who pushes, beyond the variables it knows (docs/hook.md).
struct HostSettings {
  // An environment variable holding the pusher's username, read only when none of the host
  // variables trailgate knows is set. "" = none. The loader refuses variables a client can
  // set (HTTP_*, GIT_*, LC_*, ...).
  std::string pusher_variable;
};

// What the hook does when it cannot write its decision log.
enum class LogFailure {
  reject,  // an otherwise accepted push is rejected
  warn,    // the push is accepted with a warning
};

// The hook's decision log (docs/decision-log.md).
struct LogSettings {
  // The log file; a relative path is relative to the repository's git dir, so the default
  // is <git dir>/trailgate/decisions.jsonl. Never empty.
  std::string decisions = "trailgate/decisions.jsonl";
  LogFailure on_failure = LogFailure::reject;
};

struct Policy {
  std::string source;  // the file it was read from, for messages
  std::vector<std::string> levels = {"junior", "mid", "senior", "principal"};  // low to high
  std::vector<Person> people;
  ReviewSettings review;
  DetectSettings detect;
  std::vector<ProtectRule> protect;
  Baseline baseline;
  int max_listed_commits = 20;  // a rejection lists at most this many commits, then counts
  HostSettings host;
  LogSettings log;

  // Returns the first rule whose patterns match `ref`, or nullptr when the ref is unprotected.
  const ProtectRule* rule_for(std::string_view ref) const;
  // Returns the roster person with `email` (case-insensitive), or nullptr.
  const Person* person_by_email(std::string_view email) const;
  // Returns the roster person whose usernames list `username` (ignoring ASCII case), or
  // nullptr; also nullptr for an empty username.
  const Person* person_by_username(std::string_view username) const;
  // Returns the rank of `level` in `levels` (0 = lowest), or -1 when unknown.
  int level_rank(std::string_view level) const;
};

// Returns true when `ref` matches the glob `pattern`: '*' matches any run of characters,
// '/' included (as in git refspecs), '?' one character (one UTF-8 sequence, or one byte where
// the ref is not UTF-8), other characters themselves; there are no brackets or escapes.
// Runs in O(pattern * ref) time at worst, whatever the input.
bool ref_matches(std::string_view pattern, std::string_view ref);

// Returns true when every ref that `specific` matches is also matched by `general`, as far as
// a pattern-against-pattern match can tell. Never returns true when that does not hold, but may
// return false for some covered pairs. The loader uses it to reject a [[protect]] pattern that
// an earlier rule already matches, since the first matching rule wins and the later one could
// never apply.
bool ref_pattern_covers(std::string_view general, std::string_view specific);

// ASCII case-insensitive equality, for emails and keys (util/ascii.h; named here because the
// policy's contract is that people and keys compare this way).
using util::iequals;

}  // namespace trailgate
