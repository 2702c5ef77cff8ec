// Tests of util/ascii: case folding touches A-Z only, for every byte.

#include <catch2/catch.hpp>

#include <string>

#include "util/ascii.h"

using namespace trailgate::util;

TEST_CASE("util::ascii_lower folds A-Z and leaves every other byte", "[util][ascii]") {
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    const char want = b >= 'A' && b <= 'Z' ? static_cast<char>(b + 32) : c;
    REQUIRE(ascii_lower(c) == want);
  }
  CHECK(ascii_lowercase("Reviewed-By: \xC3\x89LISE <E@X.ORG>") ==
        "reviewed-by: \xC3\x89lise <e@x.org>");
}

TEST_CASE("util::iequals folds ASCII letters only, for every pair of bytes", "[util][ascii]") {
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b) {
      const bool letters = (a | 0x20) >= 'a' && (a | 0x20) <= 'z';
      const bool want = a == b || (letters && (a ^ 0x20) == b);
      REQUIRE(iequals(std::string(1, static_cast<char>(a)), std::string(1, static_cast<char>(b))) ==
              want);
    }
  struct Case {
    std::string_view a, b;
    bool equal;
  };
  // The Kelvin sign is no 'k'; '@' and '`' differ by the case bit but are no letters.
  static constexpr Case kCases[] = {{"", "", true},
                                    {"Reviewed-by", "REVIEWED-BY", true},
                                    {"Reviewed-by", "Reviewed-by:", false},
                                    {"\xE2\x84\xAA", "k", false},
                                    {"\xC0", "\xE0", false},
                                    {"@", "`", false}};
  for (const Case& c : kCases)
    CHECK(iequals(c.a, c.b) == c.equal);
  static_assert(iequals("Co-Authored-By", "co-authored-by"));

  CHECK(istarts_with("Trailgate.Break-Glass=x", "trailgate."));
  CHECK(istarts_with("abc", ""));
  CHECK_FALSE(istarts_with("ab", "abc"));
}

TEST_CASE("util ASCII classes", "[util][ascii]") {
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    REQUIRE(is_ascii_digit(c) == (b >= '0' && b <= '9'));
    REQUIRE(is_ascii_alnum(c) ==
            ((b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')));
  }
}
