// Tests of marker detection in a commit whose message declares a foreign encoding: a marker
// counts in any reading of the message (raw, or decoded as git log shows it), so that no
// encoding header can hide one.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "detect/markers.h"
#include "support/model.h"
#include "trailers/trailers.h"

namespace {

using trailgate::CommitInfo;
using trailgate::detect::builtin_catalogue;
using trailgate::detect::Detection;
using trailgate::detect::MarkerSet;

// A commit by Jane whose message declares `encoding` and reads as `decoded` besides.
CommitInfo commit(std::string message, std::string encoding,
                  std::vector<std::string> decoded = {}) {
  CommitInfo c = trailgate::testing::make_commit(std::move(message));
  c.encoding = std::move(encoding);
  c.decoded_messages = std::move(decoded);
  return c;
}

std::vector<Detection> detect(const CommitInfo& c) {
  static const MarkerSet set(builtin_catalogue());
  return set.detect(c, trailgate::trailers::parse(c.message).trailers);
}

}  // namespace

TEST_CASE("detect: markers in a decoded reading of the message", "[detect]") {
  SECTION("a trailer marker only the decoded reading shows counts, and says where") {
    // The raw bytes are EBCDIC garbage to anyone reading them as ASCII.
    CommitInfo c = commit("\xe2\xa4\x82\x25\x25\xc1\xa2\xa2", "IBM037",
                          {"Sub\n\nCo-authored-by: Claude <noreply@anthropic.com>\n"});
    std::vector<Detection> found = detect(c);
    REQUIRE(found.size() == 1);
    CHECK(found[0].marker_id == "claude-code.co-author");
    CHECK(found[0].evidence ==
          "trailer \"Co-authored-by: Claude <noreply@anthropic.com>\" (in the message decoded "
          "from \"IBM037\")");
  }

  SECTION("a body marker only the decoded reading shows counts") {
    CommitInfo c = commit(
        "S\0"
        "x",
        "UTF-16LE", {"Sub\n\nGenerated with [Claude Code](https://claude.ai)\n"});
    std::vector<Detection> found = detect(c);
    REQUIRE(found.size() == 1);
    CHECK(found[0].marker_id == "claude-code.generated-with");
  }

  SECTION("a marker in the raw message is reported from the raw message") {
    CommitInfo c = commit("Sub\n\nAssisted-by: x\n", "ISO-8859-1", {"Sub\n\nAssisted-by: y\n"});
    std::vector<Detection> found = detect(c);
    REQUIRE(found.size() == 1);
    CHECK(found[0].evidence == "trailer \"Assisted-by: x\"");
  }

  SECTION("no reading with a marker: not AI-assisted") {
    CommitInfo c = commit("Sub\n\nBody\n", "ISO-8859-1",
                          {"Sub\n\nB\xc3\xb6"
                           "dy\n"});
    CHECK(detect(c).empty());
  }
}
