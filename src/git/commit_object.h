// The one reader of commit objects: the bytes git stores (header lines, a blank line, the
// message) parsed into a CommitInfo, and checked for what makes them malformed.
//
// Every way trailgate reads a commit goes through here: Repository::read_commit and
// read_commit_raw, the audit's scan (parse_commit_object on bytes it already holds) and the
// date-ordered walk (parse_commit_links). Pure: no libgit2, no I/O, so it is fuzzed alone
// (fuzz/commit_object_fuzz.cpp) and checked against git's own parse
// (tests/unit/git_commit_object_test.cpp). The bytes are attacker-controlled: nothing here
// trusts a length, an id or a line ending.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/commit.h"

namespace trailgate::git {

// Parses the bytes of a commit object (Repository::read_commit_object) as libgit2's
// git_commit_lookup does: tree, parents, author (the first of several), committer, and the
// message after the first blank line, cut at its first NUL byte like libgit2 cuts it; names and
// emails are trimmed and likewise cut. The encoding is the FIRST "encoding" header, as git reads
// it (libgit2 keeps the last). decoded_messages is filled for a foreign encoding; `malformed`
// by commit_object_problems(), and when it is not empty the author and committer names and
// emails are git's reading (git_ident()) where git can split the line; parent_tree_ids stays
// empty. Throws GitError (Kind::invalid) for what libgit2 rejects: a missing or malformed tree,
// author or committer line.
CommitInfo parse_commit_object(const std::string& id, std::string_view raw);

// The parents and the committer time of a commit object, read from its header lines alone (a
// walk needs no more). The same code as parse_commit_object() reads them; throws likewise.
struct CommitLinks {
  std::vector<std::string> parent_ids;
  std::int64_t committer_time = 0;
};
CommitLinks parse_commit_links(const std::string& id, std::string_view raw);

// The tree id of a commit object, from its first line. Throws GitError (Kind::invalid) when
// that is not a tree line.
std::string parse_commit_tree(const std::string& id, std::string_view raw);

// One author or committer line (the text after "author " or "committer ", without its line
// end) as git's split_ident_line() reads it, which is what `git log --format=%an / %ae` print:
// the name is everything before the FIRST '<' with trailing whitespace dropped, the email runs
// from there to the first '>' after it. `ok` is false when git cannot split it (no '<', or no
// '>' after it): git then prints nothing for either. Nothing is trimmed besides the name's
// trailing whitespace; a NUL byte ends the line, as it ends git's reading of the header.
struct GitIdent {
  bool ok = false;
  std::string name;
  std::string email;
};
GitIdent git_ident(std::string_view line);

// The problems `git fsck` (fsck_ident(), git 2.39) reports for one author or committer line,
// given the text after "author " / "committer " WITHOUT its newline: "" when fsck accepts it,
// else fsck's message ("missing space before email", "bad date", "bad time zone", ...).
std::string fsck_ident_problem(std::string_view line);

// Every reason the raw commit object `raw` (header lines, a blank line, the message) is
// malformed, one sentence each, or an empty vector: a NUL byte anywhere in it; a header not
// ended by a newline; fsck's commit checks (the tree line first with a 40-digit hex id, then
// parent lines with valid ids, exactly one author line, then one committer line, each accepted
// by fsck_ident_problem()); an author or committer line after the committer (git's --format
// reads the last one, libgit2 the first); and an identity that git and libgit2 read
// differently (git_ident() against libgit2's reading: the LAST '<' and '>', and each end
// trimmed of whitespace and of the punctuation git strips when it writes an identity).
// Pure; never throws on any bytes (short of running out of memory).
std::vector<std::string> commit_object_problems(std::string_view raw);

}  // namespace trailgate::git
