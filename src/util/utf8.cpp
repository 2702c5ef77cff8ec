#include "util/utf8.h"

namespace trailgate::util {

namespace {

// The length a lead byte announces and the allowed range of the second byte (Unicode table
// 3-7); length 0 for a byte that cannot lead.
struct Lead {
  std::size_t length;
  unsigned char low;
  unsigned char high;
};

constexpr Lead lead_of(unsigned char byte) {
  if (byte < 0x80)
    return {1, 0, 0};
  if (byte >= 0xC2 && byte <= 0xDF)
    return {2, 0x80, 0xBF};
  if (byte == 0xE0)
    return {3, 0xA0, 0xBF};  // no overlong forms
  if (byte == 0xED)
    return {3, 0x80, 0x9F};  // no surrogates
  if (byte >= 0xE1 && byte <= 0xEF)
    return {3, 0x80, 0xBF};
  if (byte == 0xF0)
    return {4, 0x90, 0xBF};  // no overlong forms
  if (byte == 0xF4)
    return {4, 0x80, 0x8F};  // nothing above U+10FFFF
  if (byte >= 0xF1 && byte <= 0xF3)
    return {4, 0x80, 0xBF};
  return {0, 0, 0};
}

// How many bytes from text[at] on are a prefix of a well-formed sequence (at least 1 for a lead
// byte, 0 for a byte that cannot lead); equal to the lead's length when the sequence is whole.
std::size_t valid_prefix(std::string_view text, std::size_t at, const Lead& lead) {
  if (lead.length == 0)
    return 0;
  std::size_t n = 1;
  for (; n < lead.length && at + n < text.size(); ++n) {
    const auto byte = static_cast<unsigned char>(text[at + n]);
    const bool ok = n == 1 ? byte >= lead.low && byte <= lead.high : is_utf8_continuation(byte);
    if (!ok)
      break;
  }
  return n;
}

}  // namespace

std::size_t utf8_sequence_length(std::string_view text, std::size_t at) {
  const Lead lead = lead_of(static_cast<unsigned char>(text[at]));
  if (lead.length <= 1)
    return lead.length;
  return valid_prefix(text, at, lead) == lead.length ? lead.length : 0;
}

Utf8Char utf8_char_at(std::string_view text, std::size_t at) {
  const auto first = static_cast<unsigned char>(text[at]);
  const std::size_t length = utf8_sequence_length(text, at);
  if (length == 0)
    return {kRawByteBase + first, 1};
  if (length == 1)
    return {first, 1};
  static constexpr unsigned char kLeadBits[] = {0, 0, 0x1F, 0x0F, 0x07};
  char32_t code = first & kLeadBits[length];
  for (std::size_t i = 1; i < length; ++i)
    code = (code << 6) | (static_cast<unsigned char>(text[at + i]) & 0x3Fu);
  return {code, length};
}

std::size_t utf8_maximal_subpart(std::string_view text, std::size_t at) {
  const std::size_t prefix = valid_prefix(text, at, lead_of(static_cast<unsigned char>(text[at])));
  return prefix == 0 ? 1 : prefix;
}

bool is_valid_utf8(std::string_view text) {
  for (std::size_t at = 0; at < text.size();) {
    // ASCII runs are the common case in commit text.
    if (static_cast<unsigned char>(text[at]) < 0x80) {
      ++at;
      continue;
    }
    const std::size_t n = utf8_sequence_length(text, at);
    if (n == 0)
      return false;
    at += n;
  }
  return true;
}

std::string utf8_replace_invalid_bytes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t n = utf8_sequence_length(text, at);
    if (n == 0) {
      out += kReplacementCharacter;
      ++at;
    } else {
      out.append(text, at, n);
      at += n;
    }
  }
  return out;
}

std::size_t utf8_boundary_at_or_before(std::string_view text, std::size_t at) {
  if (at >= text.size())
    return text.size();
  while (at > 0 && is_utf8_continuation(static_cast<unsigned char>(text[at])))
    --at;
  return at;
}

}  // namespace trailgate::util
