// End-to-end: adversarial commit content. Each case builds commits with exotic bytes (huge
// messages, 100,000 trailers, NUL bytes, invalid UTF-8, foreign encodings, homoglyph emails,
// odd-case keys, CRLF, a 1,000-parent octopus) and pushes them for real into a bare repository
// with trailgate installed. Every case asks how a pusher would use the oddity to get an
// unreviewed AI-assisted commit in, and checks both the verdict (exit status, the server's ref)
// and that the rejection names the reason. Where it matters, git's own view of the commit
// (`git log --format=%(trailers)`) is checked first, so the test states what git shows.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "support/fixtures.h"
#include "support/temp_repo.h"

using trailgate::testing::ident;
using trailgate::testing::kClaudeTrailer;
using trailgate::testing::kJuniorOne;
using trailgate::testing::kSeniorOne;
using trailgate::testing::ProcessResult;
using trailgate::testing::reviewed_by;
using trailgate::testing::roster_policy;
using trailgate::testing::run;
using trailgate::testing::run_ok;
using trailgate::testing::TempDir;
using trailgate::testing::TempRepo;
using trailgate::testing::trailgate_binary;
namespace fs = std::filesystem;

namespace {

const trailgate::testing::RosterPerson kSenior = kSeniorOne.with_email("senior.one@corp.example");

// Reviews proved by the roster alone: every case that is about which trailers git shows.
const std::string kRosterPolicy = roster_policy({kSenior, kJuniorOne});

// Reviews proved by SSH signatures (the default).
std::string signature_policy(const trailgate::testing::SshKey& senior) {
  return trailgate::testing::signature_policy({kSenior.with_keys({senior.public_key}), kJuniorOne});
}

const std::string kJunior = ident(kJuniorOne);
const char* const kSeniorEmail = "senior@example.com";
const std::string& kClaude = kClaudeTrailer;
const std::string kReview = reviewed_by(kSeniorOne);

// A commit object written byte for byte, so that it can hold what `git commit` refuses to
// write: NUL bytes, foreign encodings, thousands of parents.
struct RawCommit {
  std::vector<std::string> parents;  // default: the clone's HEAD
  std::string author = "Junior One <junior@example.com>";
  std::string committer;  // default: the author
  std::string headers;    // extra header lines, each ending in "\n" (e.g. "encoding ...\n")
  std::string message;
};

std::string write_commit(TempRepo& repo, const RawCommit& c) {
  std::string tree = repo.git({"rev-parse", "HEAD^{tree}"}).substr(0, 40);
  std::vector<std::string> parents = c.parents;
  if (parents.empty())
    parents.push_back(repo.git({"rev-parse", "HEAD"}).substr(0, 40));
  std::string object = "tree " + tree + "\n";
  for (const auto& p : parents)
    object += "parent " + p + "\n";
  const std::string& committer = c.committer.empty() ? c.author : c.committer;
  object += "author " + c.author + " 1700000000 +0000\n";
  object += "committer " + committer + " 1700000000 +0000\n";
  object += c.headers + "\n" + c.message;
  return repo.git({"hash-object", "-t", "commit", "-w", "--literally", "--stdin"}, object)
      .substr(0, 40);
}

std::string server_main(TempRepo& repo) {
  return run({"git", "rev-parse", "--verify", "-q", "refs/heads/main"}, repo.server()).out;
}

struct Push {
  ProcessResult result;
  double seconds = 0;
};

Push push_commit(TempRepo& repo, const std::string& id) {
  auto start = std::chrono::steady_clock::now();
  Push p;
  p.result = repo.push(id + ":refs/heads/main");
  p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return p;
}

// The push of `id` was rejected by the hook (not by a crash), the server's main did not move,
// and the rejection names the commit and every one of `reasons`.
void expect_rejected(TempRepo& repo, const std::string& id, const std::string& before,
                     const Push& p, const std::vector<std::string>& reasons) {
  INFO(p.result.err.substr(0, 4000));
  CHECK(p.result.exit_code != 0);
  CHECK_THAT(p.result.err, Catch::Contains("pre-receive hook declined"));
  CHECK_THAT(p.result.err, Catch::Contains(id.substr(0, 12)));
  for (const auto& reason : reasons)
    CHECK_THAT(p.result.err, Catch::Contains(reason));
  CHECK(server_main(repo) == before);
}

void expect_accepted(TempRepo& repo, const std::string& id, const Push& p) {
  INFO(p.result.err.substr(0, 4000));
  CHECK(p.result.exit_code == 0);
  CHECK(server_main(repo) == id + "\n");
}

// What git shows for `key` in the commit's trailer block, one value per line.
// (`git log` ends the list with an empty line of its own; that one is left out.)
std::string git_trailer_values(TempRepo& repo, const std::string& id, const std::string& key) {
  std::string values =
      repo.git({"log", "-1", "--format=%(trailers:key=" + key + ",valueonly,unfold)", id});
  while (!values.empty() && values.back() == '\n')
    values.pop_back();
  return values.empty() ? values : values + "\n";
}

// Makes `id` the tip of the clone's current branch (approve works on HEAD).
void check_out(TempRepo& repo, const std::string& id) {
  repo.git({"reset", "-q", "--hard", id});
}

void approve_ok(TempRepo& repo, const trailgate::testing::SshKey& key) {
  ProcessResult r = run(
      {trailgate_binary(), "approve", "--key", key.path, "--as", "Senior One <senior@example.com>"},
      repo.clone());
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
}

std::string head(TempRepo& repo) {
  return repo.git({"rev-parse", "HEAD"}).substr(0, 40);
}

// About 10 MB of prose in lines that are not trailers.
std::string ten_megabytes_of_body() {
  std::string body;
  body.reserve(10u << 20);
  for (int i = 0; body.size() < (10u << 20); ++i)
    body += fmt::format("Row {} of the generated table holds nothing of interest at all.\n", i);
  return body;
}

}  // namespace

TEST_CASE("adversarial content: a 10 MB message", "[e2e][adversarial]") {
  const std::string body = ten_megabytes_of_body();

  SECTION("without review: rejected quickly with the normal finding") {
    TempRepo repo(kRosterPolicy);
    std::string before = server_main(repo);
    std::string id =
        repo.commit("Add the generated table\n\n" + body + "\n" + kClaude + "\n", kJunior);
    Push p = push_commit(repo, id);
    expect_rejected(repo, id, before, p, {"ai-review-required", "Claude Code"});
    CHECK(p.seconds < 30);
    // The rejection quotes the commit, not its 10 MB.
    CHECK(p.result.err.size() < 64 * 1024);
    WARN(fmt::format("10 MB message, rejected push took {:.2f} s", p.seconds));
  }

  SECTION("a 10 MB subject line: the rejection stays short") {
    TempRepo repo(kRosterPolicy);
    std::string before = server_main(repo);
    std::string subject(10u << 20, 'x');
    std::string id = repo.commit(subject + "\n\n" + kClaude + "\n", kJunior);
    Push p = push_commit(repo, id);
    expect_rejected(repo, id, before, p, {"ai-review-required"});
    CHECK(p.result.err.size() < 64 * 1024);
  }

  SECTION("with a valid signed review: accepted") {
    TempDir keys;
    auto senior = trailgate::testing::make_ssh_key(keys.path(), "senior", "ed25519");
    TempRepo repo(signature_policy(senior));
    repo.commit("Add the generated table\n\n" + body + "\n" + kClaude + "\n", kJunior);
    approve_ok(repo, senior);
    std::string id = head(repo);
    CHECK(git_trailer_values(repo, id, "Reviewed-by") == "Senior One <senior@example.com>\n");
    Push p = push_commit(repo, id);
    expect_accepted(repo, id, p);
    CHECK(p.seconds < 30);
    WARN(fmt::format("10 MB message, signed and accepted push took {:.2f} s", p.seconds));
  }
}

TEST_CASE("adversarial content: 100,000 trailers", "[e2e][adversarial]") {
  TempRepo repo(kRosterPolicy);
  std::string before = server_main(repo);

  SECTION("100,000 reviews by people not on the roster: rejected") {
    std::string message = "Add the feature\n\nBody.\n\n" + kClaude + "\n";
    for (int i = 0; i < 100000; ++i)
      message += fmt::format("Reviewed-by: Person {} <p{}@example.org>\n", i, i);
    std::string id = repo.commit(message, kJunior);
    Push p = push_commit(repo, id);
    // Over the per-commit limit of review trailers, none is judged (attack_cost_test.cpp).
    expect_rejected(repo, id, before, p, {"too-many-reviews", "ai-review-required", "has 0"});
    CHECK(p.seconds < 60);
    WARN(fmt::format("100,000 trailers, rejected push took {:.2f} s, {} bytes of rejection",
                     p.seconds, p.result.err.size()));
  }

  SECTION("a real review among 100,000 junk trailers counts: git shows it") {
    std::string message = "Add the feature\n\nBody.\n\n" + kClaude + "\n";
    for (int i = 0; i < 100000; ++i) {
      message += fmt::format("X-Junk-{}: {}\n", i, i);
      if (i == 50000)
        message += kReview + "\n";
    }
    std::string id = repo.commit(message, kJunior);
    REQUIRE(git_trailer_values(repo, id, "Reviewed-by") == "Senior One <senior@example.com>\n");
    Push p = push_commit(repo, id);
    expect_accepted(repo, id, p);
  }

  // Git's 25% rule at scale: a paragraph with a git-generated line is a trailer block when at
  // least a quarter of its lines are trailers. One non-trailer line more and git shows none.
  // The commit is marked by its author (aider), so it needs the review either way.
  for (int extra : {0, 1}) {
    DYNAMIC_SECTION("a review in a mixed paragraph, " << (extra ? "one line past" : "exactly at")
                                                      << " git's 25% limit") {
      std::string message = "Add the feature\n\nBody.\n\n";
      for (int i = 0; i < 30000 + extra; ++i)
        message += fmt::format("plain line {} that is not a trailer\n", i);
      message += kReview + "\n";
      for (int i = 0; i < 9998; ++i)
        message += fmt::format("X-Junk-{}: {}\n", i, i);
      message += "Signed-off-by: Junior One <junior@example.com>\n";  // 10,000 trailers
      std::string id = repo.commit(message, "Junior One (aider) <junior@example.com>");
      std::string shown = git_trailer_values(repo, id, "Reviewed-by");
      Push p = push_commit(repo, id);
      if (extra == 0) {
        REQUIRE(shown == "Senior One <senior@example.com>\n");
        expect_accepted(repo, id, p);
      } else {
        REQUIRE(shown.empty());
        expect_rejected(repo, id, before, p, {"ai-review-required", "aider", "has 0"});
      }
    }
  }
}

TEST_CASE("adversarial content: NUL bytes and invalid UTF-8", "[e2e][adversarial]") {
  TempRepo repo(kRosterPolicy);
  std::string before = server_main(repo);
  using namespace std::string_literals;

  SECTION("a review hidden after a NUL byte does not count: git does not show it") {
    RawCommit c;
    c.message = "Add the feature\n\nBody.\n\n" + kClaude + "\n\0"s + kReview + "\n";
    std::string id = write_commit(repo, c);
    REQUIRE(git_trailer_values(repo, id, "Co-authored-by") == "Claude <noreply@anthropic.com>\n");
    REQUIRE(git_trailer_values(repo, id, "Reviewed-by").empty());
    Push p = push_commit(repo, id);
    expect_rejected(repo, id, before, p, {"ai-review-required", "has 0"});
  }

  SECTION("a NUL inside the review trailer cuts it: the rest does not count") {
    RawCommit c;
    c.message = "Add the feature\n\nBody.\n\n" + kClaude + "\nReviewed-by: Senior One\0 <"s +
                kSeniorEmail + ">\n";
    std::string id = write_commit(repo, c);
    REQUIRE(git_trailer_values(repo, id, "Reviewed-by") == "Senior One\n");
    Push p = push_commit(repo, id);
    expect_rejected(repo, id, before, p, {"ai-review-required", "malformed"});
  }

  SECTION("the author's email cut by a NUL is still the reviewer's own: self-review") {
    RawCommit c;
    c.author = "Senior One <senior@example.com\0.elsewhere.example>"s;
    c.message = "Add the feature\n\nBody.\n\n" + kClaude + "\n" + kReview + "\n";
    std::string id = write_commit(repo, c);
    Push p = push_commit(repo, id);
    expect_rejected(repo, id, before, p, {"ai-review-required", "self-review"});
  }

  SECTION("invalid UTF-8 everywhere: no crash, the AI commit is still caught") {
    RawCommit c;
    c.author = "Junior \xff\xfe One <junior@example.com>";
    c.message = "Add \xc3\x28 feature \xed\xa0\x80\n\nBody \xf8\x88\x80\x80\x80.\n\n" + kClaude +
                "\nAssisted-by: \xff\xff\nReviewed-by: \xc0\xaf <\xff@example.com>\n";
    std::string id = write_commit(repo, c);
    Push p = push_commit(repo, id);
    // A finding, not an internal error: the hook read and judged the commit.
    expect_rejected(repo, id, before, p, {"ai-review-required", "has 0"});
  }

  SECTION("invalid UTF-8 in the reviewer's name: git shows the trailer, it counts by email") {
    RawCommit c;
    c.message = "Add the feature\n\nBody.\n\n" + kClaude +
                "\nReviewed-by: Senior \xff One <senior@example.com>\n";
    std::string id = write_commit(repo, c);
    REQUIRE(git_trailer_values(repo, id, "Reviewed-by") ==
            "Senior \xff One <senior@example.com>\n");
    Push p = push_commit(repo, id);
    expect_accepted(repo, id, p);
  }
}

TEST_CASE("adversarial content: the encoding header", "[e2e][adversarial]") {
  TempRepo repo(kRosterPolicy);
  std::string before = server_main(repo);
  const std::string utf8 = "Add the feature\n\nBody.\n\n" + kClaude + "\n" + kReview + "\n";
  auto encode = [&](const std::string& charset, const std::string& text) {
    return run_ok({"iconv", "-f", "UTF-8", "-t", charset}, repo.clone(), text);
  };

  SECTION("EBCDIC (IBM037): git log decodes the AI marker, so trailgate must see it") {
    RawCommit c;
    c.headers = "encoding IBM037\n";
    c.message = encode("IBM037", "Add the feature\n\nBody.\n\n" + kClaude + "\n");
    std::string id = write_commit(repo, c);
    // git re-encodes the whole commit to UTF-8 and shows the co-author trailer.
    REQUIRE(git_trailer_values(repo, id, "Co-authored-by") == "Claude <noreply@anthropic.com>\n");
    Push p = push_commit(repo, id);
    expect_rejected(repo, id, before, p, {"ai-review-required", "Claude Code"});
  }

  SECTION("EBCDIC with a review git shows: the review still does not count") {
    RawCommit c;
    c.headers = "encoding IBM037\n";
    c.message = encode("IBM037", utf8);
    std::string id = write_commit(repo, c);
    REQUIRE(git_trailer_values(repo, id, "Reviewed-by") == "Senior One <senior@example.com>\n");
    Push p = push_commit(repo, id);
    expect_rejected(repo, id, before, p, {"ai-review-required", "declares encoding", "IBM037"});
  }

  SECTION("ISO-8859-1: a review git shows does not count, the marker is seen") {
    RawCommit c;
    c.headers = "encoding ISO-8859-1\n";
    c.message = encode("ISO-8859-1", "Add the caf\xc3\xa9 feature\n\nBody.\n\n" + kClaude + "\n" +
                                         "Reviewed-by: S\xc3\xa9nior One <senior@example.com>\n");
    std::string id = write_commit(repo, c);
    REQUIRE(git_trailer_values(repo, id, "Reviewed-by") ==
            "S\xc3\xa9nior One <senior@example.com>\n");
    Push p = push_commit(repo, id);
    expect_rejected(repo, id, before, p,
                    {"ai-review-required", "Claude Code", "declares encoding"});
  }

  SECTION("UTF-16: git shows only the text before the first NUL; no review counts") {
    RawCommit c;
    c.headers = "encoding UTF-16LE\n";
    c.message = encode("UTF-16LE", utf8);
    std::string id = write_commit(repo, c);
    REQUIRE(git_trailer_values(repo, id, "Reviewed-by").empty());
    // The marker is in the message, decoded as the header says: it counts, fail closed.
    Push p = push_commit(repo, id);
    expect_rejected(repo, id, before, p, {"ai-review-required", "Claude Code"});
  }

  SECTION("a charset git does not know: the raw bytes are what git shows, marker seen") {
    RawCommit c;
    c.headers = "encoding X-NO-SUCH-CHARSET\n";
    c.message = utf8;
    std::string id = write_commit(repo, c);
    REQUIRE(git_trailer_values(repo, id, "Reviewed-by") == "Senior One <senior@example.com>\n");
    Push p = push_commit(repo, id);
    expect_rejected(repo, id, before, p, {"ai-review-required", "declares encoding"});
  }

  SECTION("two encoding headers: git uses the first, and no review counts") {
    RawCommit c;
    c.headers = "encoding IBM037\nencoding UTF-8\n";
    c.message = encode("IBM037", "Add the feature\n\nBody.\n\n" + kClaude + "\n");
    std::string id = write_commit(repo, c);
    REQUIRE(git_trailer_values(repo, id, "Co-authored-by") == "Claude <noreply@anthropic.com>\n");
    Push p = push_commit(repo, id);
    expect_rejected(repo, id, before, p, {"ai-review-required", "Claude Code"});
  }

  SECTION("encoding UTF-8 spelled in lower case: reviews count as usual") {
    RawCommit c;
    c.headers = "encoding utf-8\n";
    c.message = utf8;
    std::string id = write_commit(repo, c);
    Push p = push_commit(repo, id);
    expect_accepted(repo, id, p);
  }
}

TEST_CASE("adversarial content: mixed-case and homoglyph emails", "[e2e][adversarial]") {
  TempRepo repo(kRosterPolicy);
  std::string before = server_main(repo);
  const std::string ai = "Add the feature\n\nBody.\n\n" + kClaude + "\n";
  const std::string cyrillic_e = "\xd0\xb5";  // U+0435, looks like 'e'

  SECTION("a reviewer email in another ASCII case is the same person, as in .mailmap") {
    std::string id = repo.commit(ai + "Reviewed-by: Senior One <Senior@Example.COM>\n", kJunior);
    Push p = push_commit(repo, id);
    expect_accepted(repo, id, p);
  }

  SECTION("a Cyrillic homoglyph of a roster email never counts") {
    std::string id = repo.commit(
        ai + "Reviewed-by: Senior One <s" + cyrillic_e + "nior@example.com>\n", kJunior);
    Push p = push_commit(repo, id);
    expect_rejected(
        repo, id, before, p,
        {"ai-review-required", "not-on-roster", "only looks like <senior@example.com>"});
  }

  SECTION("the author reviewing themselves under a mixed-case email: self-review") {
    std::string id = repo.commit(ai + kReview + "\n", "Senior One <SENIOR@example.com>");
    Push p = push_commit(repo, id);
    expect_rejected(repo, id, before, p, {"ai-review-required", "self-review"});
  }

  SECTION("the author reviewing themselves under a homoglyph email: self-review") {
    std::string id =
        repo.commit(ai + kReview + "\n", "Senior One <s" + cyrillic_e + "nior@example.com>");
    Push p = push_commit(repo, id);
    expect_rejected(repo, id, before, p, {"ai-review-required", "self-review"});
  }

  SECTION("the author under a fullwidth-letter email: self-review") {
    // U+FF53 FULLWIDTH LATIN SMALL LETTER S
    std::string id = repo.commit(ai + kReview + "\n",
                                 "Senior One <\xef\xbd\x93"
                                 "enior@example.com>");
    Push p = push_commit(repo, id);
    expect_rejected(repo, id, before, p, {"ai-review-required", "self-review"});
  }
}

TEST_CASE("adversarial content: trailer keys in odd case", "[e2e][adversarial]") {
  TempRepo repo(kRosterPolicy);
  std::string before = server_main(repo);

  SECTION("assisted-by: in lower case marks the commit, as git's key= match does") {
    std::string id = repo.commit("Add the feature\n\nBody.\n\nassisted-by: some tool\n", kJunior);
    REQUIRE(git_trailer_values(repo, id, "Assisted-by") == "some tool\n");
    Push p = push_commit(repo, id);
    expect_rejected(repo, id, before, p, {"ai-review-required", "assisted-by: some tool"});
  }

  SECTION("reviewed-BY: counts, as git's key= match shows it") {
    std::string id = repo.commit(
        "Add the feature\n\nBody.\n\nASSISTED-BY: some tool\nreviewed-BY: Senior "
        "One <senior@example.com>\n",
        kJunior);
    REQUIRE(git_trailer_values(repo, id, "Reviewed-by") == "Senior One <senior@example.com>\n");
    Push p = push_commit(repo, id);
    expect_accepted(repo, id, p);
  }

  SECTION("a key git does not read as the review key does not count") {
    // "Reviewed_by" has a character git's tokens cannot hold: not a trailer line at all.
    std::string id = repo.commit(
        "Add the feature\n\nBody.\n\nAssisted-by: some tool\nReviewed_by: Senior One "
        "<senior@example.com>\n",
        kJunior);
    REQUIRE(git_trailer_values(repo, id, "Assisted-by").empty());
    REQUIRE(git_trailer_values(repo, id, "Reviewed-by").empty());
    // Nor is the paragraph a trailer block; the Assisted-by line still marks the commit
    // (detection is liberal), and the review outside git's block does not count.
    Push p = push_commit(repo, id);
    expect_rejected(repo, id, before, p,
                    {"ai-review-required", "outside git's trailer block", "has 0"});
  }

  SECTION("REVIEW-SIGNATURE: and REVIEWED-BY: in odd case keep a signature valid") {
    TempDir keys;
    auto senior = trailgate::testing::make_ssh_key(keys.path(), "senior", "ed25519");
    repo.set_policy(signature_policy(senior));
    repo.commit("Add the feature\n\nBody.\n\nAssisted-by: some tool\n", kJunior);
    approve_ok(repo, senior);
    std::string message = repo.git({"log", "-1", "--format=%B"});
    for (auto [from, to] : {std::pair<std::string, std::string>{"Reviewed-by:", "REVIEWED-by:"},
                            {"Review-Signature:", "REVIEW-SIGNATURE:"}}) {
      auto pos = message.find(from);
      REQUIRE(pos != std::string::npos);
      message.replace(pos, from.size(), to);
    }
    repo.git({"commit", "--amend", "-q", "--cleanup=verbatim", "-F", "-"}, message);
    std::string id = head(repo);
    REQUIRE(git_trailer_values(repo, id, "Review-Signature").size() > 100);
    Push p = push_commit(repo, id);
    expect_accepted(repo, id, p);
  }
}

TEST_CASE("adversarial content: CRLF line endings", "[e2e][adversarial]") {
  TempRepo repo(kRosterPolicy);
  std::string before = server_main(repo);

  // trailgate's trailer block is git's: every line %(trailers) shows, `trailgate explain` shows.
  auto check_same_trailers = [&](const std::string& id) {
    std::string git_view = repo.git({"log", "-1", "--format=%(trailers:only,unfold)", id});
    ProcessResult explain = run({trailgate_binary(), "--policy",
                                 (repo.server() / "trailgate.toml").string(), "explain", id},
                                repo.clone());
    INFO(explain.out << explain.err);
    REQUIRE(explain.exit_code == 0);
    int lines = 0;
    std::size_t start = 0;
    for (std::size_t eol; (eol = git_view.find('\n', start)) != std::string::npos;
         start = eol + 1) {
      std::string line = git_view.substr(start, eol - start);
      if (line.empty())
        continue;
      ++lines;
      CHECK_THAT(explain.out, Catch::Contains(line));
    }
    return lines;
  };

  SECTION("CRLF throughout: git's trailers, with the review, counted") {
    std::string id = repo.commit(
        "Add the feature\r\n\r\nBody.\r\n\r\n" + kClaude + "\r\n" + kReview + "\r\n", kJunior);
    REQUIRE(git_trailer_values(repo, id, "Reviewed-by") == "Senior One <senior@example.com>\n");
    CHECK(check_same_trailers(id) == 2);
    Push p = push_commit(repo, id);
    expect_accepted(repo, id, p);
  }

  SECTION("mixed LF and CRLF, a CRLF blank line splitting the block: only the last paragraph") {
    std::string id = repo.commit(
        "Add the feature\n\r\nBody.\r\n\n" + kClaude + "\r\n \r\n" + kReview + "\n", kJunior);
    // " \r\n" is a blank line to git: the review paragraph alone is the block.
    REQUIRE(git_trailer_values(repo, id, "Reviewed-by") == "Senior One <senior@example.com>\n");
    REQUIRE(git_trailer_values(repo, id, "Co-authored-by").empty());
    CHECK(check_same_trailers(id) == 1);
  }

  SECTION("CR-only line ends: git sees one line and no trailers, the review does not count") {
    std::string id = repo.commit("Add the feature\r\rBody.\r\r" + kReview + "\r",
                                 "Dev Bot (aider) <dev@example.com>");
    REQUIRE(git_trailer_values(repo, id, "Reviewed-by").empty());
    Push p = push_commit(repo, id);
    expect_rejected(repo, id, before, p, {"ai-review-required", "aider", "has 0"});
  }
}

TEST_CASE("adversarial content: an octopus merge with 1,000 parents", "[e2e][adversarial]") {
  TempDir keys;
  auto senior = trailgate::testing::make_ssh_key(keys.path(), "senior", "ed25519");
  TempRepo repo(signature_policy(senior));
  std::string before = server_main(repo);
  std::string base = head(repo);

  // 1,000 side commits, each with a tree of its own, written in one fast-import run.
  std::string stream;
  for (int i = 0; i < 1000; ++i)
    stream += fmt::format(
        "commit refs/heads/side{0:04}\ncommitter Junior One <junior@example.com> 1700000000 "
        "+0000\ndata 9\nside {0:04}\nfrom {1}\nM 100644 inline side{0:04}.txt\ndata 2\nx\n\n",
        i, base);
  repo.git({"fast-import", "--quiet"}, stream);
  std::vector<std::string> parents = {base};
  std::string sides = repo.git({"for-each-ref", "--format=%(objectname)", "refs/heads/side*"});
  for (std::size_t pos = 0; pos + 40 <= sides.size(); pos += 41)
    parents.push_back(sides.substr(pos, 40));
  REQUIRE(parents.size() == 1001);
  // The first parent stays main so that the merge fast-forwards it.
  RawCommit c;
  c.parents = parents;
  c.message = "Merge 1,000 branches\n\nBody.\n\n" + kClaude + "\n";
  std::string id = write_commit(repo, c);
  REQUIRE(repo.git({"rev-list", "--count", "--max-count=1", "--min-parents=1001", id}) == "1\n");

  Push rejected = push_commit(repo, id);
  expect_rejected(repo, id, before, rejected, {"ai-review-required", "Claude Code"});
  CHECK(rejected.seconds < 60);
  WARN(fmt::format("1,000-parent merge, rejected push took {:.2f} s", rejected.seconds));

  // `trailgate approve` handles linear history only, so the senior signs the payload by hand
  // with stock ssh-keygen, as docs/payload.md describes, and amends the merge (all parents
  // kept) with the two trailers.
  check_out(repo, id);
  ProcessResult payload =
      run({trailgate_binary(), "--policy", (repo.server() / "trailgate.toml").string(), "explain",
           "--payload", "--reviewer", kSeniorEmail, id},
          repo.clone());
  INFO(payload.err);
  REQUIRE(payload.exit_code == 0);
  // The payload binds every parent's tree.
  std::size_t parent_trees = 0;
  for (std::size_t pos = 0; (pos = payload.out.find("\nparent-tree ", pos)) != std::string::npos;
       ++pos)
    ++parent_trees;
  CHECK(parent_trees == 1001);
  std::string armored =
      run_ok({"ssh-keygen", "-q", "-Y", "sign", "-n", "trailgate-review", "-f", senior.path},
             keys.path(), payload.out);
  std::string signature;
  for (std::size_t pos = 0, eol; pos < armored.size(); pos = eol + 1) {
    eol = armored.find('\n', pos);
    if (eol == std::string::npos)
      eol = armored.size();
    std::string line = armored.substr(pos, eol - pos);
    if (line.rfind("-----", 0) != 0)
      signature += line;
  }
  repo.git({"commit", "--amend", "-q", "--no-edit", "--trailer", kReview, "--trailer",
            "Review-Signature: " + signature});
  std::string approved = head(repo);
  REQUIRE(repo.git({"rev-list", "--count", "--max-count=1", "--min-parents=1001", approved}) ==
          "1\n");
  Push accepted = push_commit(repo, approved);
  expect_accepted(repo, approved, accepted);
  CHECK(accepted.seconds < 60);
  WARN(fmt::format("1,000-parent merge, signed and accepted push took {:.2f} s", accepted.seconds));
}
