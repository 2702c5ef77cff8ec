// Tests of reading push options from git's hook environment, and of finding break-glass
// claims among them.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "host/push_options.h"
#include "pipeline/pipeline.h"

namespace {

using trailgate::InputError;
using trailgate::host::break_glass_claims;
using trailgate::host::BreakGlassClaim;
using trailgate::host::Environment;
using trailgate::host::ignored_trailgate_options;
using trailgate::host::read_push_options;
using trailgate::host::trim;

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("host::read_push_options", "[host]") {
  SECTION("an unset count and \"0\" both mean none") {
    CHECK(read_push_options({}).empty());
    CHECK(read_push_options({{"GIT_PUSH_OPTION_COUNT", "0"}}).empty());
    // Options without a count are not options git passed.
    CHECK(read_push_options({{"GIT_PUSH_OPTION_0", "x"}}).empty());
  }

  SECTION("options come in order, byte for byte") {
    Environment env = {{"GIT_PUSH_OPTION_COUNT", "3"},
                       {"GIT_PUSH_OPTION_0", "ci.skip"},
                       {"GIT_PUSH_OPTION_1", "trailgate.break-glass= prod down "},
                       {"GIT_PUSH_OPTION_2", ""},
                       {"GIT_PUSH_OPTION_3", "not announced"}};
    CHECK(read_push_options(env) == Strings{"ci.skip", "trailgate.break-glass= prod down ", ""});
  }

  SECTION("a count that is not a number, or too large, is refused") {
    for (const char* count : {"", "x", "-1", "1x", " 1", "10001", "99999999999999999999"}) {
      INFO(count);
      CHECK_THROWS_AS(read_push_options({{"GIT_PUSH_OPTION_COUNT", count}}), InputError);
    }
    CHECK_THROWS_WITH(read_push_options({{"GIT_PUSH_OPTION_COUNT", "two"}}),
                      Catch::Contains("GIT_PUSH_OPTION_COUNT is \"two\""));
  }

  SECTION("an announced option that is missing is refused") {
    CHECK_THROWS_WITH(
        read_push_options({{"GIT_PUSH_OPTION_COUNT", "2"}, {"GIT_PUSH_OPTION_0", "a"}}),
        Catch::Contains("GIT_PUSH_OPTION_1 is not set"));
  }
}

TEST_CASE("host::break_glass_claims", "[host]") {
  SECTION("the reason is the text after the first '=', trimmed") {
    std::vector<BreakGlassClaim> claims =
        break_glass_claims({"ci.skip", "trailgate.break-glass=  db down = INC-7 \t"});
    REQUIRE(claims.size() == 1);
    CHECK(claims[0].option == "trailgate.break-glass=  db down = INC-7 \t");
    CHECK(claims[0].reason == "db down = INC-7");
  }

  SECTION("a claim without '=' or with only spaces has an empty reason") {
    std::vector<BreakGlassClaim> claims = break_glass_claims(
        {"trailgate.break-glass", "trailgate.break-glass=", "trailgate.break-glass= \t "});
    REQUIRE(claims.size() == 3);
    for (const BreakGlassClaim& claim : claims)
      CHECK(claim.reason.empty());
  }

  SECTION("the key compares ignoring case; other keys are not claims") {
    CHECK(break_glass_claims({"Trailgate.Break-Glass=x"}).size() == 1);
    CHECK(break_glass_claims({"trailgate.break-glass-x=y", "trailgate.breakglass=y",
                              "xtrailgate.break-glass=y", "break-glass=y",
                              " trailgate.break-glass=y"})
              .empty());
  }

  SECTION("every claim is returned, so duplicates can be refused") {
    CHECK(break_glass_claims({"trailgate.break-glass=a", "trailgate.break-glass=a"}).size() == 2);
  }
}

TEST_CASE("host::ignored_trailgate_options", "[host]") {
  CHECK(ignored_trailgate_options({"trailgate.pusher=alice", "TRAILGATE.as=bob",
                                   "trailgate.break-glass=x", "GL_USERNAME=alice", "ci.skip"}) ==
        Strings{"trailgate.pusher=alice", "TRAILGATE.as=bob"});
  CHECK(ignored_trailgate_options({}).empty());
}

TEST_CASE("host::trim", "[host]") {
  CHECK(trim("") == "");
  CHECK(trim(" \t\r\n\v\f") == "");
  CHECK(trim(" a b ") == "a b");
  CHECK(trim("a") == "a");
  CHECK(trim("\xC2\xA0x\xC2\xA0") == "\xC2\xA0x\xC2\xA0");  // only ASCII whitespace
}
