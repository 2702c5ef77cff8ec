// End-to-end: attacks on how a commit's bytes are read (issue 12, class 3). A pusher who knows
// git's internals writes commit objects by hand (`git hash-object --literally`) so that git and
// trailgate (libgit2) see different authors, or hides text behind a NUL byte, or nests a tree
// 12,000 directories deep. Each case states what git shows, pushes for real into a bare
// repository with trailgate's hook, and expects the rule malformed-commit to reject it on the
// protected ref, with its reason. On trailgate before this rule, each of them got in (or, for
// the deep tree, crashed the audit).
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "support/fixtures.h"
#include "support/temp_repo.h"

using trailgate::testing::kClaudeTrailer;
using trailgate::testing::ProcessResult;
using trailgate::testing::reviewed_by;
using trailgate::testing::roster_policy;
using trailgate::testing::RosterPerson;
using trailgate::testing::run;
using trailgate::testing::run_ok;
using trailgate::testing::TempRepo;
using trailgate::testing::trailgate_binary;

namespace {

// Reviews proved by the roster: Sam Senior may review anyone's commit but his own.
const RosterPerson kSam{"Sam Senior", {"sam@example.com"}, "senior", {}, {}};
const std::string kPolicy =
    roster_policy({kSam, RosterPerson{"Someone Else", {"someone@example.com"}, "junior", {}, {}}});

const std::string& kClaude = kClaudeTrailer;
const std::string kSamReview = reviewed_by(kSam);

// A commit object written byte for byte on top of the clone's HEAD. `headers` are the lines
// between the parents and the blank line, each ending in "\n".
std::string write_commit(TempRepo& repo, const std::string& headers, const std::string& message) {
  const std::string tree = repo.git({"rev-parse", "HEAD^{tree}"}).substr(0, 40);
  const std::string parent = repo.git({"rev-parse", "HEAD"}).substr(0, 40);
  const std::string object =
      "tree " + tree + "\nparent " + parent + "\n" + headers + "\n" + message;
  return repo.git({"hash-object", "-t", "commit", "-w", "--literally", "--stdin"}, object)
      .substr(0, 40);
}

std::string ident_lines(const std::string& author, const std::string& committer) {
  return "author " + author + "\ncommitter " + committer + "\n";
}

const std::string kDev = "Dev One <dev@example.com> 1700000000 +0000";

std::string server_main(TempRepo& repo) {
  return run({"git", "rev-parse", "--verify", "-q", "refs/heads/main"}, repo.server()).out;
}

// Pushes `id` to main and expects the hook (not a crash) to reject it as malformed-commit,
// naming the commit and each of `reasons`; main must not move.
void expect_malformed(TempRepo& repo, const std::string& id,
                      const std::vector<std::string>& reasons) {
  const std::string before = server_main(repo);
  ProcessResult r = repo.push(id + ":refs/heads/main");
  INFO(r.err.substr(0, 4000));
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.err, Catch::Contains("pre-receive hook declined"));
  CHECK_THAT(r.err, Catch::Contains("malformed-commit"));
  CHECK_THAT(r.err, Catch::Contains(id.substr(0, 12)));
  CHECK_THAT(r.err, Catch::Contains("git commit"));  // the fix
  for (const auto& reason : reasons)
    CHECK_THAT(r.err, Catch::Contains(reason));
  CHECK(server_main(repo) == before);
}

// What `git log` shows for the commit's author: "name\nemail\n".
std::string git_author(TempRepo& repo, const std::string& id) {
  return repo.git({"log", "-1", "--format=%an%n%ae", id});
}

}  // namespace

TEST_CASE("attack 3a: an identity line git and libgit2 read differently", "[e2e][attack][3a]") {
  TempRepo repo(kPolicy);
  const std::string ai = "Add the feature\n\nBody.\n\n" + kClaude + "\n" + kSamReview + "\n";

  SECTION("two <> pairs: git shows Sam as the author, so his own review must not count") {
    const std::string author =
        "Sam Senior <sam@example.com> Someone Else <someone@example.com> 1700000000 +0000";
    const std::string id = write_commit(repo, ident_lines(author, author), ai);
    REQUIRE(git_author(repo, id) == "Sam Senior\nsam@example.com\n");
    expect_malformed(repo, id, {"author line", "to libgit2"});
  }

  SECTION("a second <email> where the name ends: git reads the first") {
    const std::string author =
        "Sam Senior <sam@example.com> <someone@example.com> 1700000000 +0000";
    const std::string id = write_commit(repo, ident_lines(author, kDev), ai);
    REQUIRE(git_author(repo, id) == "Sam Senior\nsam@example.com\n");
    expect_malformed(repo, id, {"author line"});
  }

  SECTION("'>' before the second '<': git's email ends at the first '>'") {
    const std::string author =
        "Sam Senior <sam@example.com> Else> <someone@example.com> 1700000000 +0000";
    const std::string id = write_commit(repo, ident_lines(author, kDev), ai);
    REQUIRE(git_author(repo, id) == "Sam Senior\nsam@example.com\n");
    expect_malformed(repo, id, {"author line"});
  }

  SECTION("a '<' inside the email: git's email runs to the first '>'") {
    const std::string author = "Sam Senior <sam@example.com <someone@example.com> 1700000000 +0000";
    const std::string id = write_commit(repo, ident_lines(author, kDev), ai);
    REQUIRE(git_author(repo, id) == "Sam Senior\nsam@example.com <someone@example.com\n");
    expect_malformed(repo, id, {"author line"});
  }

  SECTION("two author lines: git --format shows the last (Sam), libgit2 the first") {
    const std::string headers = "author Someone Else <someone@example.com> 1700000000 +0000\n" +
                                ident_lines("Sam Senior <sam@example.com> 1700000000 +0000", kDev);
    const std::string id = write_commit(repo, headers, ai);
    REQUIRE(git_author(repo, id) == "Sam Senior\nsam@example.com\n");
    expect_malformed(repo, id, {"2 author lines"});
  }

  SECTION("an author line after the committer: git --format shows it, libgit2 does not") {
    const std::string headers =
        ident_lines("Someone Else <someone@example.com> 1700000000 +0000", kDev) +
        "author Sam Senior <sam@example.com> 1700000000 +0000\n";
    const std::string id = write_commit(repo, headers, ai);
    REQUIRE(git_author(repo, id) == "Sam Senior\nsam@example.com\n");
    expect_malformed(repo, id, {"another \"author\" line"});
  }

  SECTION("the committer line read differently the same way") {
    const std::string committer =
        "Sam Senior <sam@example.com> Someone Else <someone@example.com> 1700000000 +0000";
    const std::string id = write_commit(repo, ident_lines(kDev, committer), "Fix a typo\n");
    REQUIRE(repo.git({"log", "-1", "--format=%ce", id}) == "sam@example.com\n");
    expect_malformed(repo, id, {"committer line"});
  }

  SECTION("two committer lines: git --format shows the last") {
    const std::string headers =
        ident_lines(kDev, kDev) + "committer Sam Senior <sam@example.com> 1700000000 +0000\n";
    const std::string id = write_commit(repo, headers, "Fix a typo\n");
    expect_malformed(repo, id, {"another \"committer\" line"});
  }

  SECTION("an email with spaces inside the brackets: git keeps them, libgit2 trims them") {
    const std::string author = "Dev One < dev@example.com > 1700000000 +0000";
    const std::string id = write_commit(repo, ident_lines(author, kDev), "Fix a typo\n");
    REQUIRE(git_author(repo, id) == "Dev One\n dev@example.com \n");
    expect_malformed(repo, id, {"to libgit2"});
  }

  SECTION("fsck's ident checks: missing space, junk or zero-padded date, bad time zone") {
    const std::vector<std::pair<std::string, std::string>> lines = {
        {"Dev One<dev@example.com> 1700000000 +0000", "missing space before email"},
        {"<dev@example.com> 1700000000 +0000", "missing space before email"},
        {"Dev > One <dev@example.com> 1700000000 +0000", "bad name"},
        {"Dev One <dev@example.com> 1700000000junk +0000", "bad date"},
        {"Dev One <dev@example.com> 01700000000 +0000", "zero-padded date"},
        {"Dev One <dev@example.com> 1700000000 +00", "bad time zone"},
        {"Dev One <dev@example.com> 1700000000", "bad date"},
    };
    // One push of a chain of such commits: each is named.
    std::vector<std::string> ids;
    for (const auto& [line, problem] : lines) {
      ids.push_back(write_commit(repo, ident_lines(line, kDev), "Fix a typo\n"));
      repo.git({"reset", "-q", "--soft", ids.back()});
    }
    const std::string before = server_main(repo);
    ProcessResult r = repo.push(ids.back() + ":refs/heads/main");
    INFO(r.err.substr(0, 6000));
    CHECK(r.exit_code != 0);
    CHECK(server_main(repo) == before);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      CHECK_THAT(r.err, Catch::Contains(ids[i].substr(0, 12)));
      CHECK_THAT(r.err, Catch::Contains(lines[i].second));
    }
  }

  SECTION("control: a well-formed commit by Sam with his own review is a self-review") {
    const std::string author = "Sam Senior <sam@example.com> 1700000000 +0000";
    const std::string id = write_commit(repo, ident_lines(author, author), ai);
    ProcessResult r = repo.push(id + ":refs/heads/main");
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.err, Catch::Contains("ai-review-required"));
    CHECK_THAT(r.err, !Catch::Contains("malformed-commit"));
  }
}

TEST_CASE("attack 3b: a NUL byte in the commit hides text from git and trailgate",
          "[e2e][attack][3b]") {
  using namespace std::string_literals;
  TempRepo repo(kPolicy);
  const std::string idents = ident_lines(kDev, kDev);

  SECTION("a NUL in the message: the Co-authored-by after it is seen by nobody") {
    const std::string id =
        write_commit(repo, idents, "Add the feature\n\nBody.\n\0\n"s + kClaude + "\n");
    REQUIRE(repo.git({"log", "-1", "--format=%B", id}).find("Claude") == std::string::npos);
    expect_malformed(repo, id, {"NUL byte", "in the message"});
  }

  SECTION("a NUL right before the trailer block") {
    const std::string id =
        write_commit(repo, idents, "Add the feature\n\nBody.\n\n\0"s + kClaude + "\n");
    expect_malformed(repo, id, {"NUL byte"});
  }

  SECTION("a NUL in a header line") {
    const std::string id =
        write_commit(repo, idents + "x-tool generated\0by Claude\n"s, "Add the feature\n");
    expect_malformed(repo, id, {"NUL byte", "in the header"});
  }

  SECTION("a NUL in the author line") {
    const std::string id = write_commit(
        repo, ident_lines("Dev One <dev@example.com> 1700000000 +0000\0 Claude"s, kDev),
        "Add the feature\n");
    expect_malformed(repo, id, {"NUL byte", "in the header"});
  }
}

TEST_CASE("deep trees: a change 12,000 directories deep", "[e2e][attack][deep]") {
  TempRepo repo(kPolicy);
  // One fast-import stream: a file 12,000 directories deep, then an AI-assisted edit of it.
  std::string path;
  for (int i = 0; i < 12000; ++i)
    path += "d/";
  path += "f.txt";
  const std::string message = "Deep change\n\n" + kClaude + "\n";
  std::string stream;
  for (int n = 1; n <= 2; ++n)
    stream += fmt::format(
        "commit refs/heads/deep\n"
        "author Dev One <dev@example.com> 170000000{} +0000\n"
        "committer Dev One <dev@example.com> 170000000{} +0000\n"
        "data {}\n{}\n"
        "{}"
        "M 100644 inline {}\ndata 2\n{}\n\n",
        n, n, message.size(), message,
        n == 1 ? "from " + repo.git({"rev-parse", "HEAD"}).substr(0, 40) + "\n" : "", path, n);
  repo.git({"fast-import", "--quiet"}, stream);
  const std::string tip = repo.git({"rev-parse", "refs/heads/deep"}).substr(0, 40);

  // An unprotected branch takes it (the objects then sit on the server, and the next push sends
  // none; each transfer of 12,000 nested trees costs git seconds).
  ProcessResult pushed = repo.push(tip + ":refs/heads/side");
  REQUIRE(pushed.exit_code == 0);

  // The hook walks what the AI-assisted commit changes (the mass-change guard): main rejects it
  // with the reason, not with a crash or an internal error.
  expect_malformed(repo, tip, {"4096"});

  // The audit of that history completes (it used to die of SIGSEGV counting lines changed).
  ProcessResult audit = run(
      {trailgate_binary(), "audit", "--no-cache", "--ref", "refs/heads/main", "refs/heads/side"},
      repo.server());
  INFO(audit.out.substr(0, 3000) << audit.err.substr(0, 3000));
  CHECK(audit.exit_code == 0);
  CHECK_THAT(audit.out, Catch::Contains(tip.substr(0, 12)));
  CHECK_THAT(audit.out, Catch::Contains("violations"));
}
