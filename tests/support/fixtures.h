// What the tests share as text: the AI marker and review trailers they write into messages,
// the people of their rosters, and the policy TOML that lists them.
//
// The policies are written out the way a person would write them (one [[person]] table per
// person, then the [[protect]] tables, blank lines between), so that a test reading its policy
// back sees an ordinary file. Nothing here runs a program or touches the disk.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace trailgate::testing {

// The Claude Code co-author trailer, the AI marker most tests use, without a newline.
inline const std::string kClaudeTrailer = "Co-authored-by: Claude <noreply@anthropic.com>";

// "<subject>\n\n<body>\n\n<kClaudeTrailer>\n<trailers>": an AI-assisted commit message whose
// trailer block carries the marker, followed by `trailers` (whole lines, each ending in "\n").
std::string ai_message(const std::string& subject, const std::string& trailers = "",
                       const std::string& body = "Some explanation.");

// One [[person]] table of a policy.
struct RosterPerson {
  std::string name;
  std::vector<std::string> emails;     // the first is the one ident() and reviewed_by() use
  std::string level;                   // junior, mid, senior or principal
  std::vector<std::string> usernames;  // host usernames; the key is left out when empty
  std::vector<std::string> keys;       // "ssh-ed25519 AAAA..."; the key is left out when empty

  // This person with `keys` (replacing any).
  RosterPerson with_keys(std::vector<std::string> k) const;
  // This person with `names` as host usernames (replacing any).
  RosterPerson with_usernames(std::vector<std::string> names) const;
  // This person with `email` added after the others.
  RosterPerson with_email(std::string email) const;
};

// The people the end-to-end tests share.
inline const RosterPerson kSeniorOne{"Senior One", {"senior@example.com"}, "senior", {}, {}};
inline const RosterPerson kSeniorTwo{"Senior Two", {"senior2@example.com"}, "senior", {}, {}};
inline const RosterPerson kJuniorOne{"Junior One", {"junior@example.com"}, "junior", {}, {}};
inline const RosterPerson kPrincipalOne{
    "Principal One", {"principal@example.com"}, "principal", {}, {}};
inline const RosterPerson kMidOne{"Mid One", {"mid@example.com"}, "mid", {}, {}};

// "Name <first email>", as git's --author and a Reviewed-by trailer write a person.
std::string ident(const RosterPerson& person);

// "Reviewed-by: Name <first email>", without a newline.
std::string reviewed_by(const RosterPerson& person);

// One [[protect]] table of a policy.
struct ProtectTable {
  std::vector<std::string> refs = {"refs/heads/main"};
  std::optional<int> approvals = 1;  // nullopt: the key is left out (the policy's default)
  std::string min_level = "senior";  // "": the key is left out
  std::string more;                  // further lines of the table (or its sub-tables), verbatim
};

// A ProtectTable with the given fields (the defaults are those of ProtectTable{}).
ProtectTable protect(std::vector<std::string> refs, std::optional<int> approvals = 1,
                     std::string min_level = "senior", std::string more = "");

// The [[person]] tables of `people`, each followed by a blank line.
std::string people_toml(const std::vector<RosterPerson>& people);

// The [[protect]] tables of `rules`, separated by blank lines.
std::string protect_toml(const std::vector<ProtectTable>& rules);

// The header that makes a policy verify reviews by the roster alone, followed by a blank line.
inline const std::string kRosterReview = "[review]\nverification = \"roster\"\n\n";

// A policy whose reviews are proved by the roster alone: kRosterReview, then `people`, then
// `rules` (by default one rule: main needs one senior review).
std::string roster_policy(const std::vector<RosterPerson>& people,
                          const std::vector<ProtectTable>& rules = {ProtectTable{}});

// The same people and rules with no [review] table: reviews are proved by SSH signatures (the
// default), so the people who review carry keys.
std::string signature_policy(const std::vector<RosterPerson>& people,
                             const std::vector<ProtectTable>& rules = {ProtectTable{}});

// RFC 4180 text back into cells: quoted fields with "" for a quote, CRLF between records. For
// reading the CSV trailgate writes, cell by cell.
std::vector<std::vector<std::string>> parse_csv(const std::string& text);

}  // namespace trailgate::testing
