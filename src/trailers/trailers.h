// Commit-message trailers, parsed exactly as `git log --format=%(trailers:only,unfold)` does
// in git 2.39 with default configuration.
//
// This is the only trailer parser in trailgate. It is pure (no libgit2, no I/O) and must never
// use libgit2's git_message_trailers, which disagrees with git on real messages. Git's own
// config is pinned rather than inherited: separator ':' only, comment character '#', no
// configured trailer tokens, no '---' divider. What git shows is what trailgate reads.
#pragma once

#include "model/trailer.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace trailgate::trailers {

// The trailer block of one message.
// Where one trailer sits in the message: [begin, end) in bytes, its continuation lines and final
// newline included.
struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
};

struct TrailerBlock {
  std::vector<Trailer> trailers;  // in message order; lines without a separator are left out
  std::vector<Span> spans;        // spans[i] is where trailers[i] sits in the message
  std::size_t start = 0;          // byte offset in the message where the block starts
  std::size_t end = 0;            // byte offset where it ends (before any ignored tail)
  // True when git finds a block. A block may hold no trailers at all, e.g. only a
  // "(cherry picked from commit ...)" line, which has no separator.
  bool found() const { return start < end; }
};

// Parses `message` (the raw commit message, everything after the header's blank line).
// Returns the trailer block git would find; an empty block when there is none, with start ==
// end == the offset where the log message ends (where git would append a block). The message
// is read as a C string would be: a NUL byte ends it, as it does for git. Bytes are bytes: no
// encoding is assumed or checked, and a commit's `encoding` header is not applied (git log
// re-encodes such messages to UTF-8 before parsing; callers parse CommitInfo::decoded_messages
// for that reading). Never throws on any input (short of running out of memory); runs in time
// linear in the message size.
TrailerBlock parse(std::string_view message);

// Renders trailers as `%(trailers:only,unfold)` prints them: "key: value\n" for each.
std::string format_like_git_log(const std::vector<Trailer>& trailers);

// Compares trailer keys the way `%(trailers:key=...)` does: ASCII case-insensitive, same length.
bool key_equals(std::string_view a, std::string_view b);

// trailer.c unfold_value(): `value` trimmed of git's whitespace, each newline and the whitespace
// after it one space, as %(trailers:unfold) prints a value.
std::string unfold_value(std::string_view value);

// strbuf_trim(): `s` without git's whitespace (space, tab, LF, CR) at either end.
std::string_view trim(std::string_view s);

// trailer.c find_separator(): the position of the ':' in "<token><optional blanks>:...", 0 when
// `line` starts with ':', -1 when it is not of that form. It stops at the first byte that cannot
// continue a token, so a caller may pass one line or the rest of a message.
std::ptrdiff_t find_separator(std::string_view line);

}  // namespace trailgate::trailers
