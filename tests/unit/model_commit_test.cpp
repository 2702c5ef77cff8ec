// Tests of the commit model's pure helpers: git's view of the encoding header and of a message
// in a foreign encoding. Each expectation was checked against `git log` (git 2.39).

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "model/commit.h"
#include "support/temp_repo.h"

namespace {

using namespace std::string_literals;
using trailgate::decoded_messages;
using trailgate::first_encoding_header;
using trailgate::is_utf8_encoding;

const std::string kHeader =
    "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
    "author A <a@example.com> 1700000000 +0000\n"
    "committer A <a@example.com> 1700000000 +0000\n";

std::string object(const std::string& encoding_lines, const std::string& message) {
  return kHeader + encoding_lines + "\n" + message;
}

// "Subject\n\nAssisted-by: x\n" in IBM037 (EBCDIC): LF is 0x25.
const std::string kEbcdic =
    "\xe2\xa4\x82\x91\x85\x83\xa3\x25\x25\xc1\xa2\xa2\x89\xa2\xa3\x85\x84\x60\x82\xa8\x7a\x40"
    "\xa7\x25"s;

}  // namespace

TEST_CASE("model::is_utf8_encoding", "[model]") {
  CHECK(is_utf8_encoding(""));
  CHECK(is_utf8_encoding("UTF-8"));
  CHECK(is_utf8_encoding("utf8"));
  CHECK(is_utf8_encoding("Utf-8"));
  CHECK_FALSE(is_utf8_encoding("UTF-16"));
  CHECK_FALSE(is_utf8_encoding("UTF--8"));
  CHECK_FALSE(is_utf8_encoding("UTF-8 "));
  CHECK_FALSE(is_utf8_encoding("ISO-8859-1"));
  CHECK_FALSE(is_utf8_encoding("IBM037"));
}

TEST_CASE("model::first_encoding_header", "[model]") {
  SECTION("none") {
    CHECK(first_encoding_header(object("", "encoding IBM037\n")).empty());
  }
  SECTION("the first of two wins, as in git (libgit2 keeps the last)") {
    CHECK(first_encoding_header(object("encoding IBM037\nencoding UTF-8\n", "m\n")) == "IBM037");
  }
  SECTION("a continuation line of another header is not a header") {
    CHECK(first_encoding_header(
              object("gpgsig -----BEGIN-----\n encoding IBM037\n -----END-----\n", "m\n"))
              .empty());
  }
  SECTION("a NUL byte ends the value") {
    CHECK(first_encoding_header(object("encoding IBM037\0junk\n"s, "m\n")) == "IBM037");
  }
}

TEST_CASE("model::decoded_messages", "[model]") {
  SECTION("UTF-8 and no header: no other reading") {
    CHECK(decoded_messages(object("", "Subject\n"), "").empty());
    CHECK(decoded_messages(object("encoding utf-8\n", "Subject\n"), "utf-8").empty());
  }

  SECTION("EBCDIC: git decodes the whole object, its header becomes one long line") {
    // The ASCII header has no EBCDIC line feed, so it runs into the message's first line
    // ("Subject"), and what git shows starts after the first empty line.
    std::vector<std::string> readings =
        decoded_messages(object("encoding IBM037\n", kEbcdic), "IBM037");
    REQUIRE(readings.size() == 2);
    CHECK(readings[0] == "Assisted-by: x\n");
    CHECK(readings[1] == "Subject\n\nAssisted-by: x\n");
  }

  SECTION("ISO-8859-1: an ASCII message reads the same, so there is no other reading") {
    CHECK(decoded_messages(object("encoding ISO-8859-1\n", "Subject\n\nA: b\n"), "ISO-8859-1")
              .empty());
  }

  SECTION("ISO-8859-1: a Latin-1 byte becomes UTF-8") {
    std::vector<std::string> readings =
        decoded_messages(object("encoding ISO-8859-1\n", "Caf\xe9\n"), "ISO-8859-1");
    REQUIRE(readings.size() == 1);
    CHECK(readings[0] == "Caf\xc3\xa9\n");
  }

  SECTION("UTF-16: git's reading stops at the first NUL; the message alone decodes whole") {
    std::string utf16;
    for (char c : std::string("Subject\n\nAssisted-by: x\n")) {
      utf16.push_back(c);
      utf16.push_back('\0');
    }
    std::vector<std::string> readings =
        decoded_messages(object("encoding UTF-16LE\n", utf16), "UTF-16LE");
    CHECK(std::find(readings.begin(), readings.end(), "Subject\n\nAssisted-by: x\n") !=
          readings.end());
  }

  SECTION("an unknown charset: git shows the raw bytes, no other reading") {
    CHECK(decoded_messages(object("encoding X-NO-SUCH\n", "Subject\n"), "X-NO-SUCH").empty());
  }

  SECTION("bytes that do not convert: git shows the raw bytes") {
    // 0xFF is not UTF-16 on its own; an odd length does not convert.
    CHECK(decoded_messages(object("encoding UTF-16LE\n", "\xff"), "UTF-16LE").size() <= 1);
    CHECK(decoded_messages(object("encoding ASCII\n", "Caf\xe9\n"), "ASCII").empty());
  }

  SECTION("never throws on hostile input") {
    std::string junk;
    for (int i = 0; i < 4096; ++i)
      junk.push_back(static_cast<char>(i * 37));
    for (const char* charset : {"UTF-16", "UTF-32", "IBM037", "SHIFT_JIS", "ISO-2022-JP", "UTF-7"})
      CHECK_NOTHROW(
          decoded_messages(object(std::string("encoding ") + charset + "\n", junk), charset));
    CHECK_NOTHROW(decoded_messages("", "IBM037"));
    CHECK_NOTHROW(decoded_messages("no blank line", "IBM037"));
  }
}
