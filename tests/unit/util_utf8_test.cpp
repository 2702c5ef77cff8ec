// Tests of util/utf8: every lead byte, every second byte after it, overlong forms, surrogates,
// code points above U+10FFFF and sequences cut short, each against a reference decoder written
// from the bit patterns of RFC 3629 rather than from Unicode's table of byte ranges.

#include <catch2/catch.hpp>

#include <array>
#include <string>
#include <vector>

#include "util/utf8.h"

namespace {

using namespace trailgate::util;

// RFC 3629 read literally: the bit pattern of the lead byte gives the length, every further byte
// must be 10xxxxxx, and the value must need that length, not be a surrogate and not pass
// U+10FFFF. Returns the length of the sequence at the start of `s`, 0 when it is ill-formed.
std::size_t reference_length(std::string_view s, char32_t* code = nullptr) {
  const auto lead = static_cast<unsigned char>(s[0]);
  std::size_t n;
  char32_t cp;
  if ((lead & 0x80) == 0) {
    n = 1;
    cp = lead;
  } else if ((lead & 0xE0) == 0xC0) {
    n = 2;
    cp = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    n = 3;
    cp = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    n = 4;
    cp = lead & 0x07;
  } else {
    return 0;
  }
  if (s.size() < n)
    return 0;
  for (std::size_t i = 1; i < n; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
    return 0;
  if (code)
    *code = cp;
  return n;
}

std::string encode(char32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

std::string bytes(std::initializer_list<int> list) {
  std::string out;
  for (int b : list)
    out += static_cast<char>(b);
  return out;
}

// Bytes at the edges of every range that table 3-7 distinguishes.
constexpr std::array<int, 14> kEdges = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F,
                                        0xA0, 0xBF, 0xC0, 0xC2, 0xE0, 0xF4, 0xFF};

}  // namespace

TEST_CASE("util::utf8_sequence_length agrees with RFC 3629 on every 1, 2 and 3 byte input",
          "[util][utf8]") {
  std::size_t compared = 0;
  std::string s(3, '\0');
  for (int a = 0; a < 256; ++a) {
    s.resize(1);
    s[0] = static_cast<char>(a);
    REQUIRE(utf8_sequence_length(s, 0) == reference_length(s));
    for (int b = 0; b < 256; ++b) {
      s.resize(2);
      s[1] = static_cast<char>(b);
      REQUIRE(utf8_sequence_length(s, 0) == reference_length(s));
      s.resize(3);
      for (int c = 0; c < 256; ++c) {
        s[2] = static_cast<char>(c);
        const std::size_t got = utf8_sequence_length(s, 0);
        if (got != reference_length(s))
          FAIL("bytes " << a << " " << b << " " << c);
        ++compared;
      }
    }
  }
  CHECK(compared == 256u * 256u * 256u);
}

TEST_CASE("util::utf8_sequence_length agrees on 4-byte leads with every second byte",
          "[util][utf8]") {
  for (int lead = 0xF0; lead <= 0xFF; ++lead)
    for (int b = 0; b < 256; ++b)
      for (int c : kEdges)
        for (int d : kEdges) {
          const std::string s = bytes({lead, b, c, d});
          if (utf8_sequence_length(s, 0) != reference_length(s))
            FAIL("bytes " << lead << " " << b << " " << c << " " << d);
        }
}

TEST_CASE("util::utf8_char_at decodes every code point and rejects every surrogate",
          "[util][utf8]") {
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    const std::string s = encode(cp) + "x";
    const Utf8Char got = utf8_char_at(s, 0);
    if (cp >= 0xD800 && cp <= 0xDFFF) {
      // CESU-style encoded surrogates are ill-formed: the lead byte stands alone.
      REQUIRE(got.length == 1);
      REQUIRE(got.code == kRawByteBase + 0xED);
      REQUIRE(utf8_maximal_subpart(s, 0) == 1);
    } else {
      REQUIRE(got.code == cp);
      REQUIRE(got.length == s.size() - 1);
      REQUIRE(utf8_sequence_length(s, 0) == s.size() - 1);
    }
  }
}

TEST_CASE("util::utf8 cut short: every proper prefix of a sequence is ill-formed", "[util][utf8]") {
  for (char32_t cp : {char32_t{0xE9}, char32_t{0x20AC}, char32_t{0xFFFD}, char32_t{0x1F600},
                      char32_t{0x10FFFF}}) {
    const std::string whole = encode(cp);
    for (std::size_t keep = 1; keep < whole.size(); ++keep) {
      const std::string cut = whole.substr(0, keep);
      CHECK(utf8_sequence_length(cut, 0) == 0);
      CHECK(utf8_maximal_subpart(cut, 0) == keep);
      CHECK(utf8_char_at(cut, 0).length == 1);
      // Followed by ASCII, the ASCII is not swallowed.
      const std::string then_ascii = cut + "a";
      CHECK(utf8_maximal_subpart(then_ascii, 0) == keep);
      CHECK_FALSE(is_valid_utf8(then_ascii));
    }
  }
}

TEST_CASE("util::utf8_maximal_subpart follows Unicode's substitution of maximal subparts",
          "[util][utf8]") {
  // The examples of Unicode 15 section 3.9, table 3-8 and around it.
  SECTION("a byte that cannot lead is a subpart of its own") {
    for (int b : {0x80, 0xBF, 0xC0, 0xC1, 0xF5, 0xFF})
      CHECK(utf8_maximal_subpart(bytes({b, 0x80, 0x80}), 0) == 1);
  }
  SECTION("overlong and surrogate second bytes end the subpart at the lead") {
    CHECK(utf8_maximal_subpart(bytes({0xE0, 0x80, 0x80}), 0) == 1);
    CHECK(utf8_maximal_subpart(bytes({0xED, 0xA0, 0x80}), 0) == 1);
    CHECK(utf8_maximal_subpart(bytes({0xF0, 0x80, 0x80, 0x80}), 0) == 1);
    CHECK(utf8_maximal_subpart(bytes({0xF4, 0x90, 0x80, 0x80}), 0) == 1);
  }
  SECTION("a valid start cut by a wrong byte is one subpart") {
    CHECK(utf8_maximal_subpart(bytes({0xE1, 0x80, 0x41}), 0) == 2);
    CHECK(utf8_maximal_subpart(bytes({0xF1, 0x80, 0x80, 0x41}), 0) == 3);
    CHECK(utf8_maximal_subpart(bytes({0xF1, 0x80, 0xC0}), 0) == 2);
  }
  SECTION("every ill-formed position of a 1-2 byte input agrees with the reference") {
    for (int a = 0; a < 256; ++a)
      for (int b = 0; b < 256; ++b) {
        const std::string s = bytes({a, b});
        if (reference_length(s) == 0 && reference_length(s.substr(0, 1)) == 0) {
          const std::size_t n = utf8_maximal_subpart(s, 0);
          REQUIRE(n >= 1);
          REQUIRE(n <= 2);
          // A two-byte subpart is a prefix of some well-formed sequence.
          if (n == 2)
            REQUIRE((reference_length(s + bytes({0x80})) == 3 ||
                     reference_length(s + bytes({0x80, 0x80})) == 4));
        }
      }
  }
}

TEST_CASE("util::is_valid_utf8 and utf8_replace_invalid_bytes", "[util][utf8]") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("plain ASCII\n"));
  CHECK(is_valid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  CHECK_FALSE(is_valid_utf8("caf\xE9"));
  CHECK_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));      // a surrogate
  CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(is_valid_utf8("\xE2\x82"));          // cut short

  CHECK(utf8_replace_invalid_bytes("") == "");
  CHECK(utf8_replace_invalid_bytes("caf\xC3\xA9") == "caf\xC3\xA9");
  // One U+FFFD per byte, not per subpart.
  CHECK(utf8_replace_invalid_bytes("a\xE2\x82z") == "a\xEF\xBF\xBD\xEF\xBF\xBDz");
  CHECK(utf8_replace_invalid_bytes("\xFF") == "\xEF\xBF\xBD");
  CHECK(is_valid_utf8(utf8_replace_invalid_bytes("\xF0\x9F\x98 \xC0\x80 \xED\xB0\x80")));
}

TEST_CASE("util::utf8_char_at keeps raw bytes distinct", "[util][utf8]") {
  CHECK(utf8_char_at("A", 0).code == U'A');
  CHECK(utf8_char_at("\x80", 0).code == kRawByteBase + 0x80);
  CHECK(utf8_char_at("\xFF", 0).code == kRawByteBase + 0xFF);
  CHECK(utf8_char_at("\xC3\xA9", 1).code == kRawByteBase + 0xA9);
  // The code points of F5-FF leads would be within range if decoded naively; they are not.
  CHECK(utf8_char_at(bytes({0xFF, 0xBC, 0x81}), 0).code == kRawByteBase + 0xFF);
  CHECK(utf8_char_at(bytes({0xF5, 0x80, 0x80}), 0).code == kRawByteBase + 0xF5);
}

TEST_CASE("util::utf8_boundary_at_or_before", "[util][utf8]") {
  const std::string text =
      "ab\xE2\x82\xAC"
      "c";  // a, b, euro sign (3 bytes), c
  CHECK(utf8_boundary_at_or_before(text, 0) == 0);
  CHECK(utf8_boundary_at_or_before(text, 2) == 2);
  CHECK(utf8_boundary_at_or_before(text, 3) == 2);
  CHECK(utf8_boundary_at_or_before(text, 4) == 2);
  CHECK(utf8_boundary_at_or_before(text, 5) == 5);
  CHECK(utf8_boundary_at_or_before(text, 6) == 6);
  CHECK(utf8_boundary_at_or_before(text, 100) == 6);
  CHECK(utf8_boundary_at_or_before("\x80\x80\x80", 2) == 0);
}
