// UTF-8 as trailgate reads it: one definition of a well-formed sequence (Unicode 15, table 3-7:
// no overlong forms, no surrogates, nothing above U+10FFFF) for every stage that looks at
// characters rather than bytes. Text from commits is attacker-controlled and often not UTF-8,
// so every function here takes arbitrary bytes and never reads past the end of its input.
//
// What a caller does with a byte that is not part of a well-formed sequence (escape it, replace
// it with U+FFFD, treat it as a character of its own) is the caller's rule; this module only
// says where such bytes are and how long the ill-formed run is.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace trailgate::util {

// U+FFFD REPLACEMENT CHARACTER, encoded.
inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

// Code points at and above this one stand for a single byte that does not start a well-formed
// sequence (kRawByteBase + the byte), so that such a byte only ever equals itself.
inline constexpr char32_t kRawByteBase = 0x110000;

// True for a byte of the form 10xxxxxx, which can only continue a sequence.
constexpr bool is_utf8_continuation(unsigned char byte) {
  return (byte & 0xC0) == 0x80;
}

// The length (1 to 4) of the well-formed UTF-8 sequence that starts at text[at]; 1 for an ASCII
// byte; 0 when none starts there (a continuation byte, C0, C1, F5-FF, an overlong form, a
// surrogate, a code point above U+10FFFF, or a sequence cut short by the end of `text`).
// REQUIRES: at < text.size().
std::size_t utf8_sequence_length(std::string_view text, std::size_t at);

// One character of `text`: a well-formed sequence is its code point; any other byte is one
// character of length 1 with the code kRawByteBase + byte.
struct Utf8Char {
  char32_t code;
  std::size_t length;  // 1 to 4, never 0
};

// Decodes the character at text[at] as above. REQUIRES: at < text.size().
Utf8Char utf8_char_at(std::string_view text, std::size_t at);

// Where no well-formed sequence starts at text[at]: the length (at least 1) of the maximal
// subpart of an ill-formed sequence there, which the Unicode "substitution of maximal subparts"
// practice (and the WHATWG decoder that browsers use) replaces with one U+FFFD.
// REQUIRES: at < text.size() and utf8_sequence_length(text, at) == 0.
std::size_t utf8_maximal_subpart(std::string_view text, std::size_t at);

// True when all of `text` is well-formed UTF-8 ("" is).
bool is_valid_utf8(std::string_view text);

// `text` with every byte that is not part of a well-formed sequence replaced by U+FFFD, one
// U+FFFD per byte; well-formed text is returned unchanged.
std::string utf8_replace_invalid_bytes(std::string_view text);

// The largest boundary <= `at` that does not fall inside a UTF-8 sequence: `at` moved back over
// continuation bytes (but not below 0). Used to cut text for display without splitting a
// character. `at` >= text.size() returns text.size().
std::size_t utf8_boundary_at_or_before(std::string_view text, std::size_t at);

}  // namespace trailgate::util
