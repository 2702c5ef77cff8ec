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

// --- identity lines and malformed objects, against the real git --------------------------------

namespace {

using trailgate::commit_object_problems;
using trailgate::fsck_ident_problem;
using trailgate::git_ident;
using trailgate::testing::run;
using trailgate::testing::run_ok;
using trailgate::testing::TempDir;

// Author lines (after "author ") that git, libgit2 and fsck may each read their own way.
const std::vector<std::string> kOddIdents = {
    "Sam Senior <sam@example.com> 1700000000 +0000",
    "Sam Senior <sam@example.com> Someone Else <someone@example.com> 1700000000 +0000",
    "Sam <sam@example.com> <someone@example.com> 1700000000 +0000",
    "Sam > Else <sam@example.com> 1700000000 +0000",
    "Sam sam@example.com 1700000000 +0000",
    "Sam <sam@example.com 1700000000 +0000",
    "Sam <Lead> <sam@example.com> 1700000000 +0000",
    "Sam <Lead <sam@example.com> 1700000000 +0000",
    "Sam<sam@example.com> 1700000000 +0000",
    "<sam@example.com> 1700000000 +0000",
    " <sam@example.com> 1700000000 +0000",
    " Sam <sam@example.com> 1700000000 +0000",
    "Sam  <sam@example.com> 1700000000 +0000",
    "Sam\t<sam@example.com> 1700000000 +0000",
    "Sam <sam at example dot com> 1700000000 +0000",
    "Sam < sam@example.com > 1700000000 +0000",
    "Sam <sam@example.com.> 1700000000 +0000",
    "Sam <\"sam@example.com\"> 1700000000 +0000",
    "Sam Jr. <sam@example.com> 1700000000 +0000",
    "\"Sam\" <sam@example.com> 1700000000 +0000",
    "Sam <<sam@example.com>> 1700000000 +0000",
    "Sam <sam@example.com>> 1700000000 +0000",
    "Sam <> 1700000000 +0000",
    "Sam <sam@example.com> 01700000000 +0000",
    "Sam <sam@example.com> 0 +0000",
    "Sam <sam@example.com> 1700000000junk +0000",
    "Sam <sam@example.com> junk +0000",
    "Sam <sam@example.com> 99999999999999999999 +0000",
    "Sam <sam@example.com> 9223372036854775807 +0000",
    "Sam <sam@example.com> 9223372036854775808 +0000",
    "Sam <sam@example.com> -1700000000 +0000",
    "Sam <sam@example.com> +1700000000 +0000",
    "Sam <sam@example.com> 1700000000",
    "Sam <sam@example.com> 1700000000 ",
    "Sam <sam@example.com> 1700000000 +00",
    "Sam <sam@example.com> 1700000000 0000",
    "Sam <sam@example.com> 1700000000 +0000 extra",
    "Sam <sam@example.com> 1700000000 +00000",
    "Sam <sam@example.com> 1700000000  +0000",
    "Sam <sam@example.com>1700000000 +0000",
    "Sam <sam@example.com>  1700000000 +0000",
    "Sam <sam@example.com> \t1700000000 +0000",
    "Sam <sam@example.com>",
    "Sam <sam@example.com> ",
    "Sam",
    "",
};

const std::string kEmptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

std::string commit_with_author(const std::string& ident) {
  return "tree " + kEmptyTree + "\nauthor " + ident +
         "\ncommitter C <c@example.com> 1700000000 +0000\n\nmessage\n";
}

}  // namespace

TEST_CASE("git_ident reads every odd identity line as git log --format=%an / %ae prints it",
          "[model][ident]") {
  TempDir dir;
  run_ok({"git", "init", "-q", "--bare", "r.git"}, dir.path());
  const auto repo = dir.path() / "r.git";
  run_ok({"git", "hash-object", "-w", "-t", "tree", "--stdin"}, repo, "");
  std::vector<std::string> ids;
  for (const auto& ident : kOddIdents)
    ids.push_back(run_ok({"git", "hash-object", "-w", "-t", "commit", "--literally", "--stdin"},
                         repo, commit_with_author(ident))
                      .substr(0, 40));
  for (std::size_t i = 0; i < kOddIdents.size(); ++i) {
    INFO("author " << kOddIdents[i]);
    const std::string shown = run_ok({"git", "log", "-1", "--format=%an%x01%ae%x01", ids[i]}, repo);
    const std::size_t a = shown.find('\x01');
    const std::size_t b = shown.find('\x01', a + 1);
    REQUIRE(b != std::string::npos);
    const trailgate::GitIdent ident = git_ident(kOddIdents[i]);
    CHECK(shown.substr(0, a) == ident.name);
    CHECK(shown.substr(a + 1, b - a - 1) == ident.email);
    if (!ident.ok)
      CHECK(shown.substr(0, b + 1) == "\x01\x01");
  }
}

TEST_CASE("fsck_ident_problem rejects exactly the identity lines git fsck rejects",
          "[model][ident]") {
  TempDir dir;
  run_ok({"git", "init", "-q", "--bare", "r.git"}, dir.path());
  const auto repo = dir.path() / "r.git";
  run_ok({"git", "hash-object", "-w", "-t", "tree", "--stdin"}, repo, "");
  for (const auto& ident : kOddIdents) {
    INFO("author " << ident);
    const std::string id =
        run_ok({"git", "hash-object", "-w", "-t", "commit", "--literally", "--stdin"}, repo,
               commit_with_author(ident))
            .substr(0, 40);
    // fsck of this one object (an unreachable commit is still checked).
    const auto r = run({"git", "fsck", "--no-dangling", "--no-progress", id}, repo);
    const bool git_rejects = r.err.find("error in commit " + id) != std::string::npos ||
                             r.out.find("error in commit " + id) != std::string::npos;
    CHECK(git_rejects == !fsck_ident_problem(ident).empty());
    // Whatever fsck or git and libgit2 disagree on is a malformed commit.
    if (git_rejects)
      CHECK_FALSE(commit_object_problems(commit_with_author(ident)).empty());
  }
}

TEST_CASE("commit_object_problems: the header checks git fsck makes, plus NUL bytes",
          "[model][malformed]") {
  using namespace std::string_literals;
  const std::string tree = "tree " + kEmptyTree + "\n";
  const std::string parent = "parent " + kEmptyTree + "\n";
  const std::string author = "author A <a@example.com> 1700000000 +0000\n";
  const std::string committer = "committer C <c@example.com> 1700000000 +0000\n";
  auto problems = [](const std::string& raw) { return commit_object_problems(raw); };
  auto mentions = [&](const std::string& raw, const std::string& what) {
    for (const auto& p : problems(raw))
      if (p.find(what) != std::string::npos)
        return true;
    return false;
  };

  CHECK(problems(tree + author + committer + "\nmessage\n").empty());
  CHECK(
      problems(tree + parent + parent + author + committer + "encoding ISO-8859-1\n\nm\n").empty());
  CHECK(problems(tree + author + committer + "gpgsig -----BEGIN-----\n author x\n\nm\n").empty());
  CHECK(problems(tree + author + committer).empty());  // no message: fsck accepts it too

  CHECK(mentions(tree + author + committer + "\nhi\0 there\n"s, "NUL byte"));
  CHECK(mentions(tree + author + committer + "\nhi\0 there\n"s, "in the message"));
  CHECK(mentions(tree + "author A <a@example.com\0> 1700000000 +0000\n"s + committer + "\nm\n",
                 "in the header"));
  CHECK(mentions(tree + author + committer + "\n\nAdd it\n\0\nCo-authored-by: Claude\n"s,
                 "NUL byte"));
  CHECK(mentions(tree + author + "committer C <c@example.com> 1700000000 +0000", "not ended"));
  CHECK(mentions(author + tree + committer + "\nm\n", "first line is not a tree line"));
  CHECK(mentions("tree 4b825dc6\n" + author + committer + "\nm\n", "40-digit"));
  CHECK(mentions(tree + "parent xyz\n" + author + committer + "\nm\n", "parent line"));
  CHECK(mentions(tree + committer + "\nm\n", "no author line"));
  CHECK(mentions(tree + author + author + committer + "\nm\n", "2 author lines"));
  CHECK(mentions(tree + author + "\nm\n", "no committer line"));
  CHECK(mentions(tree + author + committer + committer + "\nm\n", "another \"committer\" line"));
  CHECK(mentions(tree + author + committer + author + "\nm\n", "another \"author\" line"));
  CHECK(mentions(tree + author + committer + parent + "\nm\n", "another \"parent\" line"));
  CHECK(mentions(
      tree + "author Sam <sam@example.com> Else <else@example.com> 1 +0000\n" + committer + "\nm\n",
      "to git but as"));
  CHECK(mentions(tree + "author Sam <sam@example.com.> 1700000000 +0000\n" + committer + "\nm\n",
                 "to git but as"));
  CHECK(mentions(
      tree + author + "committer Sam <sam@example.com> <x@example.com> 1 +0000\n" + "\nm\n",
      "committer line"));
  // A name git would write without its final dot reads the same to both: not malformed.
  CHECK(problems(tree + "author Sam Jr. <sam@example.com> 1700000000 +0000\n" + committer + "\nm\n")
            .empty());
  // Any bytes: no crash.
  for (const std::string& raw : {""s, "\n"s, "\n\n"s, "tree"s, "tree \n"s, "\0"s, "author \n\n"s})
    (void)problems(raw);
}
