// Tests of util/hex_id: the canonical object id rule and its named variants.

#include <catch2/catch.hpp>

#include <string>

#include "util/hex_id.h"

using namespace trailgate::util;

namespace {
const std::string kSha1 = "0123456789abcdef0123456789abcdef01234567";
const std::string kSha256 = kSha1 + "89abcdef0123456789abcdef";
}  // namespace

TEST_CASE("util::hex_digit_value on every byte", "[util][hex]") {
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    int want = -1;
    if (b >= '0' && b <= '9')
      want = b - '0';
    else if (b >= 'a' && b <= 'f')
      want = b - 'a' + 10;
    else if (b >= 'A' && b <= 'F')
      want = b - 'A' + 10;
    REQUIRE(hex_digit_value(c) == want);
    REQUIRE(is_lower_hex(std::string(1, c)) == (want >= 0 && !(b >= 'A' && b <= 'F')));
    REQUIRE(is_hex_any_case(std::string(1, c)) == (want >= 0));
  }
}

TEST_CASE("util::is_object_id: 40 or 64 lowercase hex digits", "[util][hex]") {
  CHECK(kSha256.size() == 64);
  CHECK(is_object_id(kSha1));
  CHECK(is_object_id(kSha256));
  CHECK_FALSE(is_object_id(""));
  CHECK_FALSE(is_object_id(kSha1.substr(0, 39)));
  CHECK_FALSE(is_object_id(kSha1 + "0"));
  CHECK_FALSE(is_object_id(kSha256.substr(0, 63)));
  CHECK_FALSE(is_object_id("0123456789ABCDEF0123456789abcdef01234567"));
  CHECK_FALSE(is_object_id("g123456789abcdef0123456789abcdef01234567"));
  CHECK_FALSE(is_object_id(std::string(39, '0') + '\0'));

  CHECK(is_sha1_object_id(kSha1));
  CHECK_FALSE(is_sha1_object_id(kSha256));
  CHECK_FALSE(is_sha1_object_id("0123456789ABCDEF0123456789abcdef01234567"));

  CHECK(is_sha1_object_id_any_case(kSha1));
  CHECK(is_sha1_object_id_any_case("0123456789ABCDEF0123456789abcdef01234567"));
  CHECK_FALSE(is_sha1_object_id_any_case(kSha256));
  CHECK_FALSE(is_sha1_object_id_any_case("0123456789ABCDEF0123456789abcdef0123456g"));

  CHECK(is_null_object_id(std::string(40, '0')));
  CHECK(is_null_object_id(std::string(64, '0')));
  CHECK_FALSE(is_null_object_id(std::string(41, '0')));
  CHECK_FALSE(is_null_object_id(std::string(39, '0') + "1"));
  CHECK_FALSE(is_null_object_id(""));
}

TEST_CASE("util::hex_encode and hex_decode round-trip", "[util][hex]") {
  unsigned char all[256];
  for (int i = 0; i < 256; ++i)
    all[i] = static_cast<unsigned char>(i);
  const std::string hex = hex_encode(all, 256);
  CHECK(hex.size() == 512);
  CHECK(hex.substr(0, 8) == "00010203");
  CHECK(hex.substr(504) == "fcfdfeff");
  unsigned char back[256] = {};
  REQUIRE(hex_decode(hex, back, 256));
  CHECK(std::equal(all, all + 256, back));

  unsigned char id[20];
  CHECK(hex_decode("0123456789ABCDEF0123456789abcdef01234567", id, 20));
  CHECK(hex_encode(id, 20) == kSha1);
  CHECK_FALSE(hex_decode(kSha1.substr(0, 39), id, 20));
  CHECK_FALSE(hex_decode(kSha1 + "00", id, 20));
  CHECK_FALSE(hex_decode("0123456789abcdef0123456789abcdef0123456x", id, 20));
  CHECK(hex_encode(id, 0).empty());
}
