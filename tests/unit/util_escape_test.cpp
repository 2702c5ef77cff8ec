// Tests of util/escape: what each rule leaves alone and what it escapes, for every byte.

#include <catch2/catch.hpp>

#include <string>

#include "util/escape.h"

using namespace trailgate::util;

TEST_CASE("util::append_hex_escape", "[util][escape]") {
  std::string out;
  append_hex_escape(out, 0x00);
  append_hex_escape(out, 0x1b);
  append_hex_escape(out, 0xff);
  CHECK(out == "\\x00\\x1b\\xff");
}

TEST_CASE("util::escape_control_bytes escapes C0 controls and DEL only", "[util][escape]") {
  for (int b = 0; b < 256; ++b) {
    const std::string in(1, static_cast<char>(b));
    const std::string out = escape_control_bytes(in);
    if (b < 0x20 || b == 0x7F) {
      char want[8];
      std::snprintf(want, sizeof want, "\\x%02x", b);
      REQUIRE(out == want);
    } else {
      REQUIRE(out == in);
    }
  }
  CHECK(escape_control_bytes("") == "");
  CHECK(escape_control_bytes("a\nb\x1b[2Kc \"q\" \\ caf\xC3\xA9") ==
        "a\\x0ab\\x1b[2Kc \"q\" \\ caf\xC3\xA9");
}

TEST_CASE("util::escape_to_ascii shows printable ASCII only", "[util][escape]") {
  for (int b = 0; b < 256; ++b) {
    const std::string in(1, static_cast<char>(b));
    const std::string out = escape_to_ascii(in);
    if (b == '"' || b == '\\') {
      REQUIRE(out == "\\" + in);
    } else if (b >= 0x20 && b < 0x7F) {
      REQUIRE(out == in);
    } else {
      char want[8];
      std::snprintf(want, sizeof want, "\\x%02x", b);
      REQUIRE(out == want);
    }
  }
  CHECK(escape_to_ascii("refs/heads/\xC3\xA9\n") == "refs/heads/\\xc3\\xa9\\x0a");
  CHECK(escape_to_ascii("abcdef", 3) == "abc...");
  CHECK(escape_to_ascii("abc", 3) == "abc");
  CHECK(escape_to_ascii("", 0) == "");
}
