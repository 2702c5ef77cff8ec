// review::email_skeleton reads UTF-8 with the project's one decoder (util/utf8.h): bytes that
// are not well-formed UTF-8 stay as they are and never decode to a look-alike of ASCII.

#include <catch2/catch.hpp>

#include <string>

#include "review/review.h"

using trailgate::review::email_skeleton;

TEST_CASE("review::email_skeleton on ill-formed UTF-8", "[review][utf8]") {
  SECTION("a well-formed fullwidth letter folds to ASCII") {
    CHECK(email_skeleton("\xEF\xBD\x93"
                         "am@example.com") == "sam@example.com");  // U+FF53
  }
  SECTION("F5-FF leads are not three-byte sequences") {
    // Read as a three-byte sequence, FF BC 81 would be U+FF01 (fullwidth '!') and fold to '!'.
    CHECK(email_skeleton("a\xFF\xBC\x81@x") == "a\xFF\xBC\x81@x");
    CHECK(email_skeleton("\xF5\x80\x80") == "\xF5\x80\x80");
  }
  SECTION("overlong forms and surrogates stay raw bytes") {
    CHECK(email_skeleton("\xC1\xB3"
                         "am@x") ==
          "\xC1\xB3"
          "am@x");  // overlong 's'
    CHECK(email_skeleton("\xE0\x81\xB3"
                         "am@x") ==
          "\xE0\x81\xB3"
          "am@x");
    CHECK(email_skeleton("\xED\xA0\x80@x") == "\xED\xA0\x80@x");
  }
  SECTION("a sequence cut short does not swallow the ASCII after it") {
    CHECK(email_skeleton("\xD0S@X") == "\xD0s@x");
  }
}
