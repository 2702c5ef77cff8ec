// trailers::parse against the cases of technical-notes §1.5, as `git log
// --format=%(trailers:only,unfold)` (git 2.39.5, default config) prints them, plus the byte-level
// corners. The differential test checks the same parser against the real git on thousands of
// generated messages; these cases pin the behaviour down by name.
#include "trailers/trailers.h"

#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

using trailgate::trailers::format_like_git_log;
using trailgate::trailers::key_equals;
using trailgate::trailers::parse;
using trailgate::trailers::Trailer;

namespace {

// What `git log --format=%(trailers:only,unfold)` would print for `message`.
std::string log_trailers(std::string_view message) {
  return format_like_git_log(parse(message).trailers);
}

// A message with a subject and a body paragraph, then `tail` (the "…Body\n\n" of the notes).
std::string with_body(std::string_view tail) {
  return "Subject\n\nBody\n\n" + std::string(tail);
}

}  // namespace

TEST_CASE("trailers::parse", "[trailers]") {
  // --- block detection: the trailer paragraph and the 25% rule (cases 1-10) ---------------

  SECTION("a one-line message is a title, never trailers (1)") {
    CHECK(log_trailers("Co-authored-by: A <a@x>\n") == "");
    CHECK_FALSE(parse("Co-authored-by: A <a@x>\n").found());
  }
  SECTION("a trailer paragraph after the subject is found (2)") {
    CHECK(log_trailers("Subject\n\nCo-authored-by: A <a@x>\n") == "Co-authored-by: A <a@x>\n");
  }
  SECTION("a mixed paragraph without a git-generated line has no trailers (3)") {
    CHECK(log_trailers("Subject\n\nSome text\nCo-authored-by: A <a@x>\n") == "");
  }
  SECTION("one Signed-off-by among three text lines meets the 25% rule (4)") {
    CHECK(log_trailers("Subject\n\nline1\nline2\nline3\nSigned-off-by: S <s@x>\n") ==
          "Signed-off-by: S <s@x>\n");
  }
  SECTION("one Signed-off-by among four text lines misses the 25% rule (5)") {
    CHECK(log_trailers("Subject\n\nline1\nline2\nline3\nline4\nSigned-off-by: S <s@x>\n") == "");
  }
  SECTION("two trailers among six text lines meet the 25% rule (6)") {
    CHECK(log_trailers("Subject\n\nline1\nline2\nline3\nline4\nline5\nline6\n"
                       "Signed-off-by: S\nCo-authored-by: A\n") ==
          "Signed-off-by: S\nCo-authored-by: A\n");
  }
  SECTION("the git-generated prefix is case-sensitive (7)") {
    CHECK(log_trailers("Subject\n\nline1\nline2\nsigned-off-by: S\n") == "");
  }
  SECTION("the git-generated prefix needs its space (8)") {
    CHECK(log_trailers("Subject\n\nline1\nline2\nline3\nSigned-off-by:S <s@x>\n") == "");
  }
  SECTION("a cherry-pick line recognises a block and is left out of the output (9)") {
    CHECK(log_trailers("Subject\n\nline1\n(cherry picked from commit abc)\nCo-authored-by: A\n") ==
          "Co-authored-by: A\n");
  }
  SECTION("only the last paragraph holds trailers (10)") {
    CHECK(log_trailers(with_body("Co-authored-by: A\n\nReviewed-by: B\n")) == "Reviewed-by: B\n");
  }

  // --- token rules (cases 11-22) -----------------------------------------------------------

  SECTION("a space inside the token makes a non-trailer (11)") {
    CHECK(log_trailers(with_body("Co authored-by: A\n")) == "");
  }
  SECTION("a leading space makes a continuation line, not a trailer (12)") {
    CHECK(log_trailers(with_body(" Co-authored-by: A\n")) == "");
  }
  SECTION("an underscore is not a token character (13)") {
    CHECK(log_trailers(with_body("Co_authored_by: A\n")) == "");
  }
  SECTION("non-ASCII letters are not token characters (14)") {
    CHECK(log_trailers(with_body("\303\234berpr\303\274ft-von: A\n")) == "");
  }
  SECTION("the key keeps its case (15)") {
    CHECK(log_trailers(with_body("co-AUTHORED-by: A <a@x>\n")) == "co-AUTHORED-by: A <a@x>\n");
  }
  SECTION("whitespace around key and value is trimmed (16)") {
    CHECK(log_trailers(with_body("Co-authored-by  :   A <a@x>   \nReviewed-by\t: B\n")) ==
          "Co-authored-by: A <a@x>\nReviewed-by: B\n");
  }
  SECTION("a bare URL paragraph is a trailer keyed by the scheme (17)") {
    CHECK(log_trailers(with_body("https://example.com/issue/1\n")) ==
          "https: //example.com/issue/1\n");
  }
  SECTION("a double colon leaves a colon in the value (18)") {
    CHECK(log_trailers(with_body("Key:: value\n")) == "Key: : value\n");
  }
  SECTION("a token may start with a hyphen (19)") {
    CHECK(log_trailers(with_body("-Key: value\n")) == "-Key: value\n");
  }
  SECTION("empty values are kept (20)") {
    CHECK(log_trailers(with_body("Reviewed-by:\nCo-authored-by:   \n")) ==
          "Reviewed-by: \nCo-authored-by: \n");
  }
  SECTION("a line starting with the separator is a non-trailer (21)") {
    CHECK(log_trailers(with_body("Key:value\n:novalue\n")) == "");
  }
  SECTION("'#' is not a separator in the pinned config (22)") {
    CHECK(log_trailers(with_body("Bug #42\nCo-authored-by: A\n")) == "");
  }

  // --- continuations and line endings (cases 23-25) ----------------------------------------

  SECTION("a space-indented continuation is unfolded (23)") {
    CHECK(log_trailers(
              with_body("Co-authored-by: Claude\n  <noreply@anthropic.com>\nReviewed-by: B\n")) ==
          "Co-authored-by: Claude <noreply@anthropic.com>\nReviewed-by: B\n");
  }
  SECTION("a tab-indented continuation is unfolded (24)") {
    CHECK(log_trailers(with_body("Co-authored-by: A\n\t<a@x>\nGenerated-with: tool\n")) ==
          "Co-authored-by: A <a@x>\nGenerated-with: tool\n");
  }
  SECTION("CRLF line endings leave no carriage return in the value (25)") {
    CHECK(log_trailers("Subject\r\n\r\nBody\r\n\r\nCo-authored-by: A <a@x>\r\n") ==
          "Co-authored-by: A <a@x>\n");
  }

  // --- comments, dividers and cut lines (cases 26-31) --------------------------------------

  SECTION("a comment line inside the block is skipped (26)") {
    CHECK(log_trailers(with_body("Co-authored-by: A\n# a comment line\nReviewed-by: B\n")) ==
          "Co-authored-by: A\nReviewed-by: B\n");
  }
  SECTION("'---' is no divider for git log, so it spoils the block (27)") {
    CHECK(log_trailers(with_body("Co-authored-by: A\n---\nReviewed-by: B\n")) == "");
  }
  SECTION("'----' is a non-trailer line (28)") {
    CHECK(log_trailers(with_body("Co-authored-by: A\n----\n")) == "");
  }
  SECTION("'--- ' is no divider for git log either (29)") {
    CHECK(log_trailers(with_body("Co-authored-by: A\n--- \nReviewed-by: B\n")) == "");
  }
  SECTION("the scissors line cuts the message (30)") {
    CHECK(log_trailers(with_body("Co-authored-by: A\n"
                                 "# ------------------------ >8 ------------------------\n"
                                 "Reviewed-by: B\n")) == "Co-authored-by: A\n");
  }
  SECTION("an old Conflicts: block at the end is ignored (31)") {
    CHECK(log_trailers(with_body("Co-authored-by: A\n\nConflicts:\n\tfile.c\n")) ==
          "Co-authored-by: A\n");
  }

  // --- whitespace around the message (cases 32-34) -----------------------------------------

  SECTION("trailing blank and whitespace-only lines are ignored (32)") {
    CHECK(log_trailers(with_body("Co-authored-by: A\n\n\n   \n")) == "Co-authored-by: A\n");
  }
  SECTION("a last line without a newline is still a trailer (33)") {
    CHECK(log_trailers(with_body("Key:value no newline")) == "Key: value no newline\n");
  }
  SECTION("leading blank lines are skipped before the title (34)") {
    CHECK(log_trailers("\n\nSubject\n\nKey: v\n") == "Key: v\n");
  }

  // --- messages written by real tools (cases 35-38) ----------------------------------------

  SECTION("a GitHub squash message keeps both co-authors despite its dashes (35)") {
    CHECK(log_trailers("Fix (#123)\n\n* initial plan\n\n* fix\n\n---------\n\n"
                       "Co-authored-by: copilot-swe-agent[bot] "
                       "<198982749+Copilot@users.noreply.github.com>\n"
                       "Co-authored-by: octocat <octocat@github.com>\n") ==
          "Co-authored-by: copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>\n"
          "Co-authored-by: octocat <octocat@github.com>\n");
  }
  SECTION("a Claude Code message has one trailer, not the 'Generated with' line (36)") {
    CHECK(
        log_trailers("Add feature\n\nBody text.\n\n"
                     "\xF0\x9F\xA4\x96 Generated with [Claude Code](https://claude.com/claude-code)"
                     "\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n") ==
        "Co-Authored-By: Claude <noreply@anthropic.com>\n");
  }
  SECTION("a Claude Code message without the blank line has no trailers (37)") {
    CHECK(
        log_trailers("Add feature\n\nBody text.\n\n"
                     "\xF0\x9F\xA4\x96 Generated with [Claude Code](https://claude.com/claude-code)"
                     "\nCo-Authored-By: Claude <noreply@anthropic.com>\n") == "");
  }
  SECTION("key= selects case-insensitively and keeps unfolded values in order (38)") {
    const auto block = parse(
        "Add feature\n\nBody.\n\n"
        "Co-authored-by: Claude <noreply@anthropic.com>\n"
        "Reviewed-by: R <r@x>\n"
        "co-authored-BY: Bob\n  Smith <b@x>\n"
        "Co-authored-by-bot: not this one\n");
    // %(trailers:key=Co-authored-by,valueonly,unfold,separator=%x1f)
    std::string joined;
    for (const Trailer& t : block.trailers) {
      if (!key_equals(t.key, "Co-authored-by")) {
        continue;
      }
      if (!joined.empty()) {
        joined += '\x1f';
      }
      joined += t.value;
    }
    CHECK(joined ==
          "Claude <noreply@anthropic.com>\x1f"
          "Bob Smith <b@x>");
  }

  // --- offsets ------------------------------------------------------------------------------

  SECTION("start and end bracket the block, trailing blank lines excluded") {
    const std::string message = "\nSubject\n\nBody\n\nKey: v\nOther: w\n\n\n";
    const auto block = parse(message);
    REQUIRE(block.found());
    CHECK(block.start == message.find("Key:"));
    CHECK(block.end == message.find("w\n") + 2);
    CHECK(message.substr(block.start, block.end - block.start) == "Key: v\nOther: w\n");
  }
  SECTION("end stops before the scissors line and the comments above it") {
    const std::string message =
        "Subject\n\nKey: v\n# comment\n# ------------------------ >8 ------------------------\n"
        "Other: w\n";
    const auto block = parse(message);
    CHECK(block.start == message.find("Key:"));
    CHECK(block.end == message.find("# comment"));
  }
  SECTION("without a block, start and end meet where the log message ends") {
    const std::string message = "Subject\n\nJust prose.\n# comment\n";
    const auto block = parse(message);
    CHECK_FALSE(block.found());
    CHECK(block.trailers.empty());
    CHECK(block.start == message.find("# comment"));
    CHECK(block.end == block.start);
  }
  SECTION("a cherry-pick line alone is a block with no trailers") {
    const auto block = parse("Subject\n\n(cherry picked from commit abc)\n");
    CHECK(block.found());
    CHECK(block.trailers.empty());
  }
  SECTION("an empty or blank message has no block") {
    CHECK_FALSE(parse("").found());
    CHECK_FALSE(parse("\n \t\r\n").found());
    CHECK(parse("\n \t\r\n").start == 5);
  }

  // --- bytes --------------------------------------------------------------------------------

  SECTION("CRLF continuation keeps the carriage return before the fold") {
    // unfold_value() folds "\n" and the whitespace after it; the "\r" before it stays.
    CHECK(log_trailers("S\r\n\r\nA: b\r\n  c\r\n") == "A: b\r c\n");
  }
  SECTION("a whitespace-only CRLF line separates paragraphs") {
    CHECK(log_trailers("S\r\n \r\nA: b\r\n") == "A: b\n");
  }
  SECTION("a NUL byte ends the message") {
    using namespace std::string_literals;
    CHECK(log_trailers("S\n\nA: b\x00\n\nB: c\n"s) == "A: b\n");
    CHECK(log_trailers("S\n\nA: b\nx\x00\nB: c\n"s) == "");
    CHECK(log_trailers("\x00S\n\nA: b\n"s) == "");
    const auto block = parse("S\n\nA: b\x00 tail\n"s);
    CHECK(block.end == 7);
  }
  SECTION("non-UTF-8 bytes pass through keys' neighbours and values untouched") {
    CHECK(log_trailers("S\n\nBody \xff\xfe\n\nKey: caf\xe9 \x80\xff\n") ==
          "Key: caf\xe9 \x80\xff\n");
    CHECK(log_trailers("S\n\nK\xe9y: v\n") == "");
  }
  SECTION("vertical tab and form feed are not whitespace to git") {
    CHECK(log_trailers("S\n\nA: b\x0b\n") == "A: b\x0b\n");
    CHECK(log_trailers("\x0b\n\nA: b\n") == "A: b\n");  // "\v" is a title, not a blank line
    CHECK(log_trailers("S\n\x0c\nA: b\n") == "");       // "\f" does not end the title
  }
  SECTION("the scissors line must end in LF to cut") {
    const std::string cut = "# ------------------------ >8 ------------------------";
    CHECK(log_trailers("S\n\nA: b\n" + cut + "\r\nB: c\n") == "A: b\nB: c\n");
    CHECK(log_trailers("S\n\nA: b\n" + cut + "x\nB: c\n") == "A: b\nB: c\n");
    CHECK(log_trailers(cut + "\nS\n\nB: c\n") == "");
  }
  SECTION("a Conflicts: line opening the message keeps later TAB lines ignorable") {
    // commit.c uses offset 0 for "no ignorable run yet", so a Conflicts: line at offset 0 is
    // never closed by the lines after it, and the TAB line at the end stays ignorable.
    CHECK(log_trailers("Conflicts:\n  \nK: v\n#c\n\tx: y\n") == "K: v\n");
    CHECK(log_trailers("Title\n  \nK: v\n#c\n\tx: y\n") == "");
  }
  SECTION("a comment line may precede the title") {
    CHECK(log_trailers("# note\n\nKey: v\n") == "Key: v\n");
  }

  // --- size ---------------------------------------------------------------------------------

  SECTION("a 10 MB message of trailers parses in linear time") {
    std::string message = "Subject\n\nBody\n\n";
    std::size_t lines = 0;
    while (message.size() < 10 * 1024 * 1024) {
      message += "Co-authored-by: Person " + std::to_string(lines++) + " <p@x>\n";
    }
    const auto block = parse(message);
    CHECK(block.trailers.size() == lines);
    CHECK(block.trailers.back().value == "Person " + std::to_string(lines - 1) + " <p@x>");
  }
  SECTION("a 10 MB folded value parses in linear time") {
    std::string message = "Subject\n\nBody\n\nKey: start\n";
    while (message.size() < 10 * 1024 * 1024) {
      message += " \tmore\n";
    }
    const auto block = parse(message);
    REQUIRE(block.trailers.size() == 1);
    CHECK(block.trailers[0].value.starts_with("start more more"));
    CHECK(block.trailers[0].value.ends_with("more more"));
  }
  SECTION("a 10 MB single line parses in linear time") {
    std::string message = "Subject\n\nKey:" + std::string(10 * 1024 * 1024, 'x');
    CHECK(parse(message).trailers.at(0).value.size() == 10 * 1024 * 1024);
    CHECK_FALSE(parse(std::string(10 * 1024 * 1024, '\n')).found());
  }
}

TEST_CASE("trailers::key_equals", "[trailers]") {
  SECTION("keys match ignoring ASCII case") {
    CHECK(key_equals("Co-authored-by", "co-AUTHORED-BY"));
  }
  SECTION("a prefix is not a match") {
    CHECK_FALSE(key_equals("Co-authored", "Co-authored-by"));
    CHECK_FALSE(key_equals("Co-authored-by-bot", "Co-authored-by"));
  }
  SECTION("non-ASCII bytes must be identical") {
    CHECK(key_equals("\xc3\x9c", "\xc3\x9c"));
    CHECK_FALSE(key_equals("\xc3\x9c", "\xc3\xbc"));
  }
  SECTION("empty keys are equal") {
    CHECK(key_equals("", ""));
  }
}

TEST_CASE("trailers::format_like_git_log", "[trailers]") {
  SECTION("each trailer is one 'key: value' line") {
    CHECK(format_like_git_log({{"A", "1"}, {"b-B", ""}}) == "A: 1\nb-B: \n");
  }
  SECTION("no trailers print nothing") {
    CHECK(format_like_git_log({}) == "");
  }
}

TEST_CASE("trailers::parse spans", "[trailers]") {
  SECTION("each trailer's span covers its continuation lines and newline") {
    const std::string msg =
        "Subject\n\nBody\n\nKey: a\n  b\n# comment\nOther: c\n(cherry picked from commit x)\n";
    trailgate::trailers::TrailerBlock block = trailgate::trailers::parse(msg);
    REQUIRE(block.trailers.size() == 2);
    REQUIRE(block.spans.size() == 2);
    CHECK(msg.substr(block.spans[0].begin, block.spans[0].end - block.spans[0].begin) ==
          "Key: a\n  b\n");
    CHECK(msg.substr(block.spans[1].begin, block.spans[1].end - block.spans[1].begin) ==
          "Other: c\n");
  }
  SECTION("spans are offsets into the message as given, leading blank lines included") {
    const std::string msg = "\n\nSubject\n\nKey: v";
    trailgate::trailers::TrailerBlock block = trailgate::trailers::parse(msg);
    REQUIRE(block.spans.size() == 1);
    CHECK(msg.substr(block.spans[0].begin) == "Key: v");
    CHECK(block.spans[0].end == msg.size());
  }
}
