// The commit as every stage sees it: plain data read once from git.
//
// Stages after src/git/ never touch libgit2; they take a CommitInfo. It must stay free of
// anything but the standard library so that the pure cores can be tested and fuzzed alone.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace trailgate {

// An author or committer line of a commit object.
struct Identity {
  std::string name;
  std::string email;
  std::int64_t time = 0;   // seconds since the epoch, as written in the commit
  int offset_minutes = 0;  // the timezone offset written next to it
};

// One commit, read from the object database.
struct CommitInfo {
  std::string id;                            // full hex object id
  std::string tree_id;                       // full hex id of the commit's tree
  std::vector<std::string> parent_ids;       // in the order the commit lists them
  std::vector<std::string> parent_tree_ids;  // each parent's tree id, in the same order; filled
                                             // only when read with ParentTrees::read
  Identity author;
  Identity committer;
  std::string message;   // raw bytes, exactly as stored (may be non-UTF-8)
  std::string encoding;  // the commit's first "encoding" header, the one git uses; empty when
                         // absent
  // Only when `encoding` names a charset other than UTF-8: the other ways the message reads,
  // from decoded_messages(). Marker detection looks at these as well as at `message`.
  std::vector<std::string> decoded_messages;
  // What makes the object malformed (git::commit_object_problems()), one sentence each; empty
  // for a well-formed commit. Filled by the reader in src/git; a protected ref rejects a commit
  // with any (rules::kMalformedCommit).
  std::vector<std::string> malformed;
};

// True when a commit with `encoding` as its encoding header is UTF-8 to git: no header, or
// "UTF-8" spelled as git accepts it ("utf8", "Utf-8", ...). git log re-encodes every other
// commit's message before showing it.
bool is_utf8_encoding(std::string_view encoding);

// The readings of a message whose commit declares `encoding` (not UTF-8), other than its raw
// bytes; `raw_object` is the whole commit object as stored (header lines, a blank line, the
// message). In order, each only when it converts and differs from what came before:
//  1. what `git log` shows: git cuts the object at its first NUL byte, converts all of it from
//     `encoding` to UTF-8 with iconv, and takes the text after the first empty line. When
//     iconv does not know the charset or the bytes do not convert, git shows the raw bytes,
//     so this reading is left out;
//  2. the stored message alone, NUL bytes included, converted from `encoding` to UTF-8, as a
//     tool that decodes only the message would show it (UTF-16 text is full of NUL bytes).
// Each reading ends at its first NUL byte, as git reads a message. Returns an empty vector for
// a UTF-8 commit. Never throws on any bytes (short of running out of memory).
std::vector<std::string> decoded_messages(std::string_view raw_object, std::string_view encoding);

// The first "encoding" header of a raw commit object (header lines up to the first empty
// line), as git reads it; "" when there is none. Continuation lines never count.
std::string first_encoding_header(std::string_view raw_object);

// Returns the first non-blank line of `message`, without its line ending. Returns "" for a
// message with no non-blank line.
std::string_view subject_of(std::string_view message);

// Returns the first 12 hex digits of `id` (or all of it when shorter).
std::string_view short_id(std::string_view id);

}  // namespace trailgate
