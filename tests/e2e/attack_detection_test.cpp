// End-to-end attacks on AI-marker detection (issue 12, classes 3c and 7), each a real push to
// a protected main of a bare repository with trailgate installed.
//
// 3c: an AI trailer that is not in git's trailer block (a paragraph typed after it, the
// subject, the middle of the body, a cherry-pick or "---" line after it) must still mark the
// commit: detection is liberal. Reviews stay strict: a Reviewed-by outside the block never
// counts. 7: human commits that only look AI-assisted (a person or a script in a disclosure
// trailer, a tool's footer quoted in an indented block, a painter named Claude) pass without
// review, while the same exemptions cannot be picked by an AI-assisted commit.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "support/fixtures.h"
#include "support/temp_repo.h"

using trailgate::testing::kClaudeTrailer;
using trailgate::testing::kSeniorOne;
using trailgate::testing::ProcessResult;
using trailgate::testing::reviewed_by;
using trailgate::testing::roster_policy;
using trailgate::testing::run;
using trailgate::testing::signature_policy;
using trailgate::testing::TempRepo;

namespace {

// Typed Reviewed-by trailers count (when in git's trailer block).
const std::string kRosterPolicy = roster_policy({kSeniorOne});

// The default: a review counts only with its signature, so a typed one never does.
const std::string kSignaturePolicy = signature_policy({kSeniorOne});

const std::string kDev = "Dev One <dev@example.com>";  // a human, not an AI, not a reviewer
const std::string& kClaude = kClaudeTrailer;
const std::string kFooter =
    "\xF0\x9F\xA4\x96 Generated with [Claude Code](https://claude.com/claude-code)";
const std::string kReview = reviewed_by(kSeniorOne);
const std::string kOutside = "(a trailer outside git's trailer block)";

std::string server_main(TempRepo& repo) {
  return run({"git", "rev-parse", "--verify", "-q", "refs/heads/main"}, repo.server()).out;
}

struct Variant {
  std::string name;
  std::string message;
  std::vector<std::string> reasons = {};  // for a rejection: text the message must hold
};

// Commits `message` on top of the server's main (as `kDev`) and pushes it to main.
struct Pushed {
  std::string id;
  std::string before;
  ProcessResult result;
};

Pushed push_message(TempRepo& repo, const std::string& message) {
  Pushed p;
  p.before = server_main(repo);
  repo.git({"reset", "-q", "--hard", p.before.substr(0, 40)});
  p.id = repo.commit(message, kDev);
  p.result = repo.push(p.id + ":refs/heads/main");
  return p;
}

void expect_rejected(TempRepo& repo, const Variant& v) {
  INFO("variant: " << v.name << "\n---\n" << v.message << "\n---");
  Pushed p = push_message(repo, v.message);
  INFO(p.result.err.substr(0, 3000));
  CHECK(p.result.exit_code != 0);
  CHECK_THAT(p.result.err, Catch::Contains("pre-receive hook declined"));
  CHECK_THAT(p.result.err, Catch::Contains(p.id.substr(0, 12)));
  // Said as AI involvement: "AI-assisted (...)", or "agent-authored (...)" for an agent marker.
  CHECK_THAT(p.result.err, Catch::Contains("AI-assisted") || Catch::Contains("agent-authored"));
  for (const std::string& reason : v.reasons)
    CHECK_THAT(p.result.err, Catch::Contains(reason));
  CHECK(server_main(repo) == p.before);
}

void expect_accepted(TempRepo& repo, const Variant& v) {
  INFO("variant: " << v.name << "\n---\n" << v.message << "\n---");
  Pushed p = push_message(repo, v.message);
  INFO(p.result.err.substr(0, 3000));
  CHECK(p.result.exit_code == 0);
  CHECK(server_main(repo) == p.id + "\n");
}

}  // namespace

TEST_CASE("attack 3c: an AI co-author followed by a typed Reviewed-by paragraph is AI-assisted",
          "[e2e][attack][detect]") {
  // git commit --amend -m "...\n\nReviewed-by: ..." pushes the AI co-author out of git's
  // trailer block; the typed review is in the block but unsigned, so it does not count.
  TempRepo repo(kSignaturePolicy);
  expect_rejected(
      repo, {"typed Reviewed-by after the co-author",
             "Add cache\n\nWhy it helps.\n\n" + kClaude + "\n\n" + kReview + "\n",
             {kClaude + "\" " + kOutside, "needs 1 verified review", "has 0", "does not count"}});
}

TEST_CASE("attack 3c: an AI trailer anywhere outside git's trailer block marks the commit",
          "[e2e][attack][detect]") {
  TempRepo repo(kRosterPolicy);
  const std::vector<Variant> variants = {
      {"followed by a paragraph",
       "Add cache\n\n" + kClaude + "\n\nMore explanation.\n",
       {kOutside}},
      {"in the subject paragraph", "Add cache\n" + kClaude + "\n\nBody text.\n", {kOutside}},
      {"the whole subject", kClaude + "\n", {kOutside}},
      {"in the middle of a long body",
       "Add cache\n\nFirst paragraph of the body.\n\nline a\nline b\n" + kClaude +
           "\nline c\n\nLast paragraph.\n",
       {kOutside}},
      {"co-authored-by in other case",
       "Add cache\n\nco-AUTHORED-BY: claude <NOREPLY@anthropic.com>\n\nMore.\n",
       {kOutside}},
      {"a cherry-pick line after it",
       "Add cache\n\n" + kClaude +
           "\n\n(cherry picked from commit 0123456789abcdef0123456789abcdef01234567)\n",
       {kOutside}},
      {"a --- line after it", "Add cache\n\n" + kClaude + "\n---\nv2: rebased\n", {kOutside}},
      {"Assisted-by a model, followed by a paragraph",
       "Add cache\n\nAssisted-by: ChatGPT\n\nThanks.\n",
       {"Assisted-by: ChatGPT\" " + kOutside}},
      {"Agent-Logs-Url followed by a paragraph",
       "Add cache\n\nAgent-Logs-Url: https://github.com/o/r/sessions/1\n\nMore.\n",
       {kOutside}},
      {"a quoted footer at column 0, followed by prose",
       "Document the footer\n\nClaude Code ends a commit with:\n\n" + kClaude +
           "\n\nWe keep it as it is.\n",
       {kOutside}},
  };
  for (const Variant& v : variants)
    expect_rejected(repo, v);
}

TEST_CASE("attack 3c: a Reviewed-by outside git's trailer block still does not count",
          "[e2e][attack][detect]") {
  TempRepo repo(kRosterPolicy);
  // Both outside the block: the co-author now counts, the review still does not.
  expect_rejected(repo, {"co-author and review, then a paragraph",
                         "Add cache\n\n" + kClaude + "\n" + kReview + "\n\nThanks.\n",
                         {kOutside, "has 0"}});
  // The co-author in the block, the review in the body.
  expect_rejected(repo, {"review in the body, co-author in the block",
                         "Add cache\n\n" + kReview + "\n\nMore.\n\n" + kClaude + "\n",
                         {"has 0"}});
  // Control: the same review in the block counts.
  expect_accepted(repo, {"co-author and review in the block",
                         "Add cache\n\nWhy.\n\n" + kClaude + "\n" + kReview + "\n"});
}

TEST_CASE("attack 7: human commits that looked AI-assisted go in without review",
          "[e2e][attack][detect]") {
  TempRepo repo(kSignaturePolicy);
  const std::vector<Variant> variants = {
      {"Assisted-by a person", "Update deps\n\nAssisted-by: Jane Doe <jane@example.com>\n"},
      {"Generated-by a script", "Update deps\n\nGenerated-by: scripts/update-deps.sh\n"},
      {"a tool's footer quoted in a block indented four spaces",
       "Document Claude Code's footer\n\nIt ends every commit with:\n\n    " + kFooter +
           "\n\n    " + kClaude + "\n\nWe keep it.\n"},
      {"a tool's footer quoted in a tab-indented block",
       "Document the footer\n\nExample:\n\n\t" + kFooter + "\n\t" + kClaude + "\n"},
      {"a tool's footer quoted with >",
       "Document the footer\n\nExample:\n\n> " + kFooter + "\n>\n> " + kClaude + "\n"},
      {"Co-authored-by a painter named Claude",
       "Paint the water lilies\n\nCo-authored-by: Claude Monet <claude@monet.example>\n"},
  };
  for (const Variant& v : variants)
    expect_accepted(repo, v);
}

TEST_CASE("attack 7: an AI-assisted commit cannot pick the false-positive exemptions",
          "[e2e][attack][detect]") {
  TempRepo repo(kSignaturePolicy);
  const std::vector<Variant> variants = {
      {"a painter's name at Anthropic's address",
       "Paint\n\nCo-authored-by: Claude Monet <noreply@anthropic.com>\n",
       {"Claude Code"}},
      {"a model's full name",
       "Fix\n\nCo-authored-by: Claude Sonnet 4.5 <noreply@anthropic.com>\n",
       {"Claude Code"}},
      {"Assisted-by a tool with an address",
       "Fix\n\nAssisted-by: Claude Code <claude@example.com>\n",
       {"Assisted-by trailer"}},
      {"Assisted-by a model via a person",
       "Fix\n\nAssisted-by: GPT-5 via Jane\n",
       {"Assisted-by trailer"}},
      {"Generated-by a tool's name", "Fix\n\nGenerated-by: claude\n", {"Generated-by trailer"}},
      {"Generated-by a script named after a tool",
       "Fix\n\nGenerated-by: scripts/claude.sh\n",
       {"Generated-by trailer"}},
      {"a person first, a model second",
       "Fix\n\nAssisted-by: Jane Doe <jane@example.com>\nAssisted-by: ChatGPT\n",
       {"Assisted-by: ChatGPT"}},
      {"the footer line at column 0",
       "Document the footer\n\n" + kFooter + "\n\nWe keep it.\n",
       {"body line"}},
  };
  for (const Variant& v : variants)
    expect_rejected(repo, v);
}
