// Hexadecimal object ids, with one rule set for the whole project. git prints an object id as
// 40 (SHA-1) or 64 (SHA-256) lowercase hex digits; that canonical form is what trailgate accepts
// from git's own output and from files it writes itself. Where git (parse_oid_hex) and libgit2
// (git_oid_fromstr) take either case, in a commit header line or an id a person typed, the
// *_any_case functions say so in their name, and callers lowercase what they keep.
//
// libgit2 1.5 opens SHA-1 repositories only, so ids read from a repository's own objects (a
// commit's tree and parent lines, the notes tree, the commit-graph) are SHA-1; the pre-receive
// input and the decision log also allow SHA-256, which git writes there in such repositories.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace trailgate::util {

inline constexpr std::size_t kSha1HexSize = 40;
inline constexpr std::size_t kSha256HexSize = 64;

// The value of a hex digit in either case (0-15), or -1 for any other byte.
constexpr int hex_digit_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// True when every byte of `text` is 0-9 or a-f ("" is).
bool is_lower_hex(std::string_view text);

// True when every byte of `text` is 0-9, a-f or A-F ("" is).
bool is_hex_any_case(std::string_view text);

// A full object id as git prints it: 40 or 64 lowercase hex digits.
bool is_object_id(std::string_view text);

// A full SHA-1 object id as git prints it: 40 lowercase hex digits.
bool is_sha1_object_id(std::string_view text);

// A full SHA-1 object id in either case: 40 hex digits, as parse_oid_hex and git_oid_fromstr
// accept them.
bool is_sha1_object_id_any_case(std::string_view text);

// The null id git uses for "no object": 40 or 64 '0' digits.
bool is_null_object_id(std::string_view text);

// `size` bytes from `bytes` as 2 * size lowercase hex digits.
std::string hex_encode(const unsigned char* bytes, std::size_t size);

// Decodes `hex` (either case) into exactly `size` bytes at `out`. Returns false, with `out`
// unspecified, when `hex` is not 2 * size hex digits.
bool hex_decode(std::string_view hex, unsigned char* out, std::size_t size);

}  // namespace trailgate::util
