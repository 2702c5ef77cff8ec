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

TEST_CASE("util::iequals and istarts_with", "[util][ascii]") {
  CHECK(iequals("", ""));
  CHECK(iequals("Reviewed-by", "REVIEWED-BY"));
  CHECK_FALSE(iequals("Reviewed-by", "Reviewed-by:"));
  CHECK_FALSE(iequals("a", "b"));
  // Non-ASCII never folds: not the Kelvin sign onto 'k', not 0xC0-0xDE onto 0xE0-0xFE.
  CHECK_FALSE(iequals("\xE2\x84\xAA", "k"));
  CHECK_FALSE(iequals("\xC0", "\xE0"));
  // '@' (0x40) and '`' (0x60) differ by the case bit but are not letters.
  CHECK_FALSE(iequals("@", "`"));
  CHECK_FALSE(iequals("[", "{"));

  CHECK(istarts_with("Trailgate.Break-Glass=x", "trailgate."));
  CHECK(istarts_with("abc", ""));
  CHECK_FALSE(istarts_with("ab", "abc"));
  static_assert(iequals("Co-Authored-By", "co-authored-by"));
}

TEST_CASE("util ASCII classes", "[util][ascii]") {
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    REQUIRE(is_ascii_digit(c) == (b >= '0' && b <= '9'));
    REQUIRE(is_ascii_alnum(c) ==
            ((b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')));
  }
}
