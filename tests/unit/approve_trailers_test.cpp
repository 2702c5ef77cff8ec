// approve::add_trailers: the review lines `trailgate approve` adds to a message go where git
// puts a trailer, checked against exact messages and against `git interpret-trailers` itself.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "approve/approve.h"
#include "support/fixtures.h"
#include "support/temp_repo.h"
#include "trailers/trailers.h"

namespace {

using trailgate::approve::add_trailers;
using trailgate::testing::kClaudeTrailer;
using trailgate::testing::run_ok;
using trailgate::testing::TempDir;

const std::string kReview = "Reviewed-by: Sam Senior <sam@example.com>";
const std::string kSignature = "Review-Signature: AAAA";

// What `git interpret-trailers --no-divider` makes of `message` with `lines` added, one
// --trailer each (git 2.39's defaults: add at the end of the block, or a new block after a
// blank line).
std::string git_adds(const std::string& message, const std::vector<std::string>& lines) {
  static const TempDir dir;
  std::vector<std::string> argv = {"git", "interpret-trailers", "--no-divider"};
  for (const std::string& line : lines)
    argv.push_back("--trailer=" + line);
  return run_ok(argv, dir.path(), message);
}

}  // namespace

TEST_CASE("approve::add_trailers puts the lines where git puts a trailer", "[approve]") {
  SECTION("appended to the message's trailer block") {
    const std::string message = "Add retry\n\nWhy.\n\n" + kClaudeTrailer + "\n";
    CHECK(add_trailers(message, {kReview, kSignature}) ==
          message + kReview + "\n" + kSignature + "\n");
  }
  SECTION("a message with no trailer block gets a new paragraph") {
    CHECK(add_trailers("Add retry\n\nWhy it helps.\n", {kReview}) ==
          "Add retry\n\nWhy it helps.\n\n" + kReview + "\n");
  }
  SECTION("a subject alone is never taken for a trailer block") {
    CHECK(add_trailers("Fixes: the build\n", {kReview}) == "Fixes: the build\n\n" + kReview + "\n");
  }
  SECTION("trailing blank lines and spaces are dropped before a new paragraph") {
    CHECK(add_trailers("Add retry\n\nWhy.\n\n\n  \n", {kReview}) ==
          "Add retry\n\nWhy.\n\n" + kReview + "\n");
    CHECK(add_trailers("Add retry\r\n", {kReview}) == "Add retry\n\n" + kReview + "\n");
  }
  SECTION("a message without a final newline") {
    CHECK(add_trailers("Add retry", {kReview}) == "Add retry\n\n" + kReview + "\n");
    CHECK(add_trailers("Add retry\n\n" + kClaudeTrailer, {kReview}) ==
          "Add retry\n\n" + kClaudeTrailer + "\n" + kReview + "\n");
  }
  SECTION("a --- line is no divider: as for git log, the last paragraph is what counts") {
    const std::string message = "Add retry\n\nWhy.\n\n" + kClaudeTrailer + "\n---\nv2: rebased\n";
    CHECK(add_trailers(message, {kReview}) == message + "\n" + kReview + "\n");
  }
  SECTION("no lines: the block is left as it was") {
    const std::string message = "Add retry\n\n" + kClaudeTrailer + "\n";
    CHECK(add_trailers(message, {}) == message);
  }
  SECTION("the added lines are trailers to git's own parser") {
    const std::string out =
        add_trailers("Add retry\n\nWhy.\n\n" + kClaudeTrailer + "\n", {kReview, kSignature});
    const auto block = trailgate::trailers::parse(out);
    REQUIRE(block.trailers.size() == 3);
    CHECK(block.trailers[1].key == "Reviewed-by");
    CHECK(block.trailers[1].value == "Sam Senior <sam@example.com>");
    CHECK(block.trailers[2].key == "Review-Signature");
    CHECK(block.trailers[2].value == "AAAA");
  }
}

TEST_CASE("approve::add_trailers agrees with git interpret-trailers", "[approve][git]") {
  const std::vector<std::string> messages = {
      "Add retry\n",
      "Add retry\n\nWhy it helps.\n",
      "Add retry\n\nWhy.\n\n" + kClaudeTrailer + "\n",
      "Add retry\n\nWhy.\n\nSigned-off-by: Dev <dev@example.com>\n" + kClaudeTrailer + "\n",
      "Add retry\n\nWhy.\n\n" + kClaudeTrailer + "\n\n\n",
      "Add retry\n\n" + kClaudeTrailer + "\n(cherry picked from commit 0123abc)\n",
      "Add retry\n\nNot: a block\nbecause this line is prose\n",
      "Add retry\n\nWhy.\n\n" + kClaudeTrailer + "\n---\nv2: rebased\n",
  };
  for (const std::string& message : messages) {
    INFO(message);
    CHECK(add_trailers(message, {kReview, kSignature}) == git_adds(message, {kReview, kSignature}));
  }
}
