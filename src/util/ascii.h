// ASCII case folding and character classes. Git compares trailer keys, and trailgate compares
// emails, usernames and policy keys, case-insensitively in ASCII only: a byte outside A-Z is
// never changed, whatever the locale, so no non-ASCII text can fold onto an ASCII name.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace trailgate::util {

// 'A'-'Z' as 'a'-'z'; every other byte as it is.
constexpr char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// `text` with 'A'-'Z' folded to 'a'-'z'; other bytes unchanged.
inline std::string ascii_lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    c = ascii_lower(c);
  return out;
}

// True when `a` and `b` are equal after ASCII case folding (same length, byte by byte).
constexpr bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

// True when `text` begins with `prefix` under ASCII case folding ("" begins everything).
constexpr bool istarts_with(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

constexpr bool is_ascii_digit(char c) {
  return c >= '0' && c <= '9';
}

constexpr bool is_ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_ascii_digit(c);
}

}  // namespace trailgate::util
