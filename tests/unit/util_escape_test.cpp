// Tests of util/escape: what each rule leaves alone and what it escapes, for every byte.

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <string>

#include "util/escape.h"

using namespace trailgate::util;

namespace {

std::string hex_escape(int byte) {
  return fmt::format("\\x{:02x}", byte);
}

std::string toml_escape(int byte) {
  return fmt::format("\\u{:04X}", byte);
}

// Checks `escape` on every single byte: C0 controls and DEL become `escaped(byte)`, '"' and '\\'
// become `quote_prefix` + the byte, every other byte below `plain_below` stays, and bytes from
// `plain_below` on become `escaped(byte)` too.
template <typename Escape>
void check_every_byte(Escape escape, std::string (*escaped)(int), const char* quote_prefix,
                      int plain_below) {
  for (int b = 0; b < 256; ++b) {
    const std::string in(1, static_cast<char>(b));
    std::string want = in;
    if (b < 0x20 || b == 0x7F || b >= plain_below)
      want = escaped(b);
    else if (b == '"' || b == '\\')
      want = quote_prefix + in;
    REQUIRE(escape(in) == want);
  }
}

}  // namespace

TEST_CASE("util::append_hex_escape", "[util][escape]") {
  std::string out;
  append_hex_escape(out, 0x00);
  append_hex_escape(out, 0x1b);
  append_hex_escape(out, 0xff);
  CHECK(out == "\\x00\\x1b\\xff");
}

TEST_CASE("util::escape_control_bytes escapes C0 controls and DEL only", "[util][escape]") {
  check_every_byte([](std::string_view t) { return escape_control_bytes(t); }, hex_escape, "", 256);
  CHECK(escape_control_bytes("") == "");
  CHECK(escape_control_bytes("a\nb\x1b[2Kc \"q\" \\ caf\xC3\xA9") ==
        "a\\x0ab\\x1b[2Kc \"q\" \\ caf\xC3\xA9");
}

TEST_CASE("util::escape_to_ascii shows printable ASCII only", "[util][escape]") {
  check_every_byte([](std::string_view t) { return escape_to_ascii(t); }, hex_escape, "\\", 0x80);
  CHECK(escape_to_ascii("refs/heads/\xC3\xA9\n") == "refs/heads/\\xc3\\xa9\\x0a");
  CHECK(escape_to_ascii("abcdef", 3) == "abc...");
  CHECK(escape_to_ascii("abc", 3) == "abc");
  CHECK(escape_to_ascii("", 0) == "");
}

TEST_CASE("util::escape_control_bytes_toml writes TOML's \\u escapes", "[util][escape]") {
  check_every_byte([](std::string_view t) { return escape_control_bytes_toml(t); }, toml_escape, "",
                   256);
  CHECK(escape_control_bytes_toml("s\x1b[31m\n\"x\" caf\xC3\xA9") ==
        "s\\u001B[31m\\u000A\"x\" caf\xC3\xA9");
}
