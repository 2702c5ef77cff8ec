#include "util/hex_id.h"

#include <algorithm>

namespace trailgate::util {

bool is_lower_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool is_hex_any_case(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return hex_digit_value(c) >= 0; });
}

bool is_object_id(std::string_view text) {
  return (text.size() == kSha1HexSize || text.size() == kSha256HexSize) && is_lower_hex(text);
}

bool is_sha1_object_id(std::string_view text) {
  return text.size() == kSha1HexSize && is_lower_hex(text);
}

bool is_sha1_object_id_any_case(std::string_view text) {
  return text.size() == kSha1HexSize && is_hex_any_case(text);
}

bool is_null_object_id(std::string_view text) {
  return (text.size() == kSha1HexSize || text.size() == kSha256HexSize) &&
         text.find_first_not_of('0') == std::string_view::npos;
}

std::string hex_encode(const unsigned char* bytes, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * size, '0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 15];
  }
  return out;
}

bool hex_decode(std::string_view hex, unsigned char* out, std::size_t size) {
  if (hex.size() != 2 * size)
    return false;
  for (std::size_t i = 0; i < size; ++i) {
    const int high = hex_digit_value(hex[2 * i]), low = hex_digit_value(hex[2 * i + 1]);
    if (high < 0 || low < 0)
      return false;
    out[i] = static_cast<unsigned char>(high * 16 + low);
  }
  return true;
}

}  // namespace trailgate::util
