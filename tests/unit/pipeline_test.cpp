// Tests of the pipeline's pure parts: evaluate_commit on hand-built commits and policies (the
// trailer parser, marker detection and review verification working together, without git), and
// the parsing of hook input into RefUpdates.

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "detect/markers.h"
#include "model/commit.h"
#include "model/finding.h"
#include "pipeline/evaluate.h"
#include "pipeline/pipeline.h"
#include "policy/policy.h"
#include "review/review.h"
#include "support/fixtures.h"
#include "support/model.h"
#include "support/temp_repo.h"

namespace {

using trailgate::CommitEvaluation;
using trailgate::CommitInfo;
using trailgate::evaluate_commit;
using trailgate::Finding;
using trailgate::Identity;
using trailgate::InputError;
using trailgate::make_ref_update;
using trailgate::parse_ref_updates;
using trailgate::Person;
using trailgate::Policy;
using trailgate::ProtectRule;
using trailgate::RefUpdate;
using trailgate::Verdict;
using trailgate::detect::builtin_catalogue;
using trailgate::detect::MarkerSet;
using trailgate::detect::MarkerSource;
using trailgate::detect::MarkerSpec;
using trailgate::review::ClaimStatus;
using trailgate::testing::identity;
using trailgate::testing::make_commit;
using trailgate::testing::roster_person;
namespace rules = trailgate::rules;

constexpr std::int64_t kNow = 1'750'000'000;  // 2025-06-15
constexpr const char* kRef = "refs/heads/main";
constexpr const char* kId = "0123456789abcdef0123456789abcdef01234567";
const std::string& kClaude = trailgate::testing::kClaudeTrailer;

// The roster is ordered so that the fix text's "for example" list, for a commit by Alice, has
// to skip the author, a junior and an expired entry, and stops after three names.
Policy roster_policy() {
  Policy policy;
  policy.review.verification = trailgate::Verification::roster;
  policy.people = {
      roster_person("Alice Author", {"alice@example.com", "alice.alt@example.com"}, "senior"),
      roster_person("Jo Junior", {"jo@example.com"}, "junior"),
      roster_person("Eve Expired", {"eve@example.com"}, "senior"),
      roster_person("Sam Senior", {"sam@example.com", "sam@corp.example"}, "senior"),
      roster_person("Pat Principal", {"pat@example.com"}, "principal"),
      roster_person("Sid Second", {"sid@example.com"}, "senior"),
      roster_person("Quinn Fourth", {"quinn@example.com"}, "senior"),
  };
  policy.people[2].expires = kNow - 86400;
  return policy;
}

ProtectRule main_rule() {
  ProtectRule rule;
  rule.refs = {kRef};
  return rule;
}

constexpr std::int64_t kAnHourAgo = kNow - 3600;

// A commit by Alice, an hour ago, unless the test says otherwise.
CommitInfo commit(std::string message,
                  Identity author = identity("Alice", "alice@example.com", kAnHourAgo)) {
  CommitInfo c = make_commit(std::move(message), std::move(author));
  c.tree_id = "89abcdef0123456789abcdef0123456789abcdef";
  return c;
}

// A commit message with a subject, a body paragraph and a trailer block of `trailers`.
std::string message(std::vector<std::string> trailers) {
  std::string m = "Add the parser\n\nIt reads the input.\n";
  if (!trailers.empty()) {
    m += "\n";
    for (const auto& t : trailers)
      m += t + "\n";
  }
  return m;
}

const MarkerSet& builtin() {
  static const MarkerSet set(builtin_catalogue());
  return set;
}

struct Evaluator {
  Policy policy = roster_policy();
  ProtectRule rule = main_rule();
  const MarkerSet* markers = &builtin();
  std::int64_t now = kNow;

  CommitEvaluation operator()(const CommitInfo& c) const {
    return evaluate_commit(c, kRef, rule, policy, *markers, now);
  }
  // A commit by Alice whose message ends in a trailer block of `trailers`.
  CommitEvaluation with_trailers(std::vector<std::string> trailers) const {
    return (*this)(commit(message(std::move(trailers))));
  }
};

std::vector<std::string> rules_of(const CommitEvaluation& e) {
  std::vector<std::string> out;
  for (const Finding& f : e.findings)
    out.push_back(f.rule);
  return out;
}

// The fix text for one missing review, as review_fix writes it.
std::string expected_fix(std::string_view names, std::string_view example,
                         std::string_view key = "Reviewed-by") {
  std::string out = "Have 1 more reviewer at level senior or above who is not the author";
  if (!names.empty())
    out += " (for example " + std::string(names) + ")";
  out +=
      " review it, then add the trailer to the commit's last paragraph: git commit --amend "
      "--no-edit --trailer \"" +
      std::string(key) + ": " + std::string(example) +
      "\" (git rebase -i for an older commit), and push again.";
  return out;
}

const std::string kClaudeProblem =
    "AI-assisted (Claude Code: trailer \"Co-authored-by: Claude <noreply@anthropic.com>\"); "
    "needs 1 verified review by senior or above, has 0";

const std::string kUndeclaredProblem =
    "every commit to this ref must declare whether it is AI-assisted";
const std::string kDeclarationFix =
    "Add the trailer \"AI-Assisted: yes\" or \"AI-Assisted: no\" to the commit's last "
    "paragraph: git commit --amend --no-edit --trailer \"AI-Assisted: no\", and push again.";

}  // namespace

TEST_CASE("evaluate_commit", "[pipeline]") {
  Evaluator evaluate;

  SECTION("a human commit is not AI-assisted and needs nothing") {
    CommitEvaluation e = evaluate.with_trailers({"Signed-off-by: Alice <alice@example.com>"});
    CHECK(e.verdict == Verdict::not_ai);
    CHECK_FALSE(e.ai_assisted());
    CHECK_FALSE(e.review_required);
    CHECK(e.approvals_required == 0);
    CHECK(e.reviews.claims.empty());
    CHECK(e.findings.empty());
    CHECK(e.passed());
    CHECK(e.id == kId);
    CHECK(e.subject == "Add the parser");
    CHECK(e.author.email == "alice@example.com");
    REQUIRE(e.trailers.size() == 1);
    CHECK(e.trailers[0].key == "Signed-off-by");
    CHECK_FALSE(e.declaration.has_value());
  }

  SECTION("an AI-assisted commit without review is unreviewed, and the finding says why") {
    CommitEvaluation e = evaluate.with_trailers({kClaude});
    CHECK(e.verdict == Verdict::unreviewed);
    CHECK(e.ai_assisted());
    REQUIRE(e.detections.size() == 1);
    CHECK(e.detections[0].marker_id == "claude-code.co-author");
    CHECK(e.review_required);
    CHECK(e.approvals_required == 1);
    CHECK(e.reviews.claims.empty());
    CHECK_FALSE(e.passed());
    REQUIRE(e.findings.size() == 1);
    const Finding& f = e.findings[0];
    CHECK(f.rule == rules::kAiReview);
    CHECK(f.rule == "ai-review-required");
    CHECK(f.ref == kRef);
    CHECK(f.commit_id == kId);
    CHECK(f.subject == "Add the parser");
    CHECK(f.problem == kClaudeProblem);
    // Alice is the author, Jo is junior and Eve has expired; three names at most.
    CHECK(f.fix ==
          expected_fix("Sam Senior, Pat Principal, Sid Second", "Sam Senior <sam@example.com>"));
  }

  SECTION("the fix's example names an eligible reviewer by their primary address") {
    CommitEvaluation e =
        evaluate(commit(message({kClaude}), identity("Sam", "sam@corp.example", kAnHourAgo)));
    REQUIRE(e.findings.size() == 1);
    CHECK(e.findings[0].fix == expected_fix("Alice Author, Pat Principal, Sid Second",
                                            "Alice Author <alice@example.com>"));
  }

  SECTION("with nobody eligible, the fix shows a placeholder reviewer") {
    evaluate.policy.people = {roster_person("Jo Junior", {"jo@example.com"}, "junior")};
    CommitEvaluation e = evaluate.with_trailers({kClaude});
    REQUIRE(e.findings.size() == 1);
    CHECK(e.findings[0].fix == expected_fix("", "Reviewer Name <reviewer@example.com>"));
  }

  SECTION("the fix uses the policy's first review key") {
    evaluate.policy.review.trailer_keys = {"Approved-by", "Reviewed-by"};
    CommitEvaluation e = evaluate.with_trailers({kClaude});
    REQUIRE(e.findings.size() == 1);
    CHECK(e.findings[0].fix == expected_fix("Sam Senior, Pat Principal, Sid Second",
                                            "Sam Senior <sam@example.com>", "Approved-by"));
  }

  SECTION("an AI-assisted commit with a verified review is ok") {
    CommitEvaluation e =
        evaluate.with_trailers({kClaude, "Reviewed-by: Sam Senior <sam@example.com>"});
    CHECK(e.verdict == Verdict::ok);
    CHECK(e.ai_assisted());
    CHECK(e.review_required);
    CHECK(e.reviews.verified == 1);
    CHECK(e.findings.empty());
    CHECK(e.passed());
  }

  SECTION("a review by the author is self-review") {
    CommitEvaluation e =
        evaluate.with_trailers({kClaude, "Reviewed-by: Alice <alice.alt@example.com>"});
    CHECK(e.verdict == Verdict::self_reviewed);
    REQUIRE(e.findings.size() == 1);
    CHECK(e.findings[0].rule == rules::kAiReview);
    CHECK(e.findings[0].problem == kClaudeProblem +
                                       "; \"Reviewed-by: Alice <alice.alt@example.com>\" does not "
                                       "count (self-review): Alice Author is "
                                       "the commit's author and cannot review it");
  }

  SECTION("a review by a junior is below the level") {
    CommitEvaluation e =
        evaluate.with_trailers({kClaude, "Reviewed-by: Jo Junior <jo@example.com>"});
    CHECK(e.verdict == Verdict::below_level);
    REQUIRE(e.findings.size() == 1);
    CHECK(e.findings[0].problem == kClaudeProblem +
                                       "; \"Reviewed-by: Jo Junior <jo@example.com>\" does not "
                                       "count (below-level): Jo Junior is "
                                       "junior; senior or above is required");
  }

  SECTION("a review by someone off the roster is unverified") {
    CommitEvaluation e =
        evaluate.with_trailers({kClaude, "Reviewed-by: Mallory <mallory@example.com>"});
    CHECK(e.verdict == Verdict::unverified);
    REQUIRE(e.findings.size() == 1);
    CHECK(e.findings[0].problem ==
          kClaudeProblem +
              "; \"Reviewed-by: Mallory <mallory@example.com>\" does not count (not-on-roster): "
              "<mallory@example.com> is not on the policy's roster");
  }

  SECTION("expired and malformed reviews are unverified") {
    CHECK(evaluate.with_trailers({kClaude, "Reviewed-by: Eve <eve@example.com>"}).verdict ==
          Verdict::unverified);
    CHECK(evaluate.with_trailers({kClaude, "Reviewed-by: Sam Senior"}).verdict ==
          Verdict::unverified);
  }

  SECTION("self-review outranks below-level, which outranks unverified, in the verdict") {
    CommitEvaluation e = evaluate.with_trailers(
        {kClaude, "Reviewed-by: Mallory <mallory@example.com>", "Reviewed-by: Jo <jo@example.com>",
         "Reviewed-by: Alice <alice@example.com>"});
    CHECK(e.verdict == Verdict::self_reviewed);
    REQUIRE(e.findings.size() == 1);
    CHECK(e.findings[0].problem.find("\"Reviewed-by: Mallory <mallory@example.com>\" does not "
                                     "count") != std::string::npos);
    CHECK(e.findings[0].problem.find("\"Reviewed-by: Jo <jo@example.com>\" does not count") !=
          std::string::npos);
    CHECK(evaluate
              .with_trailers({kClaude, "Reviewed-by: Mallory <mallory@example.com>",
                              "Reviewed-by: Jo <jo@example.com>"})
              .verdict == Verdict::below_level);
  }

  SECTION("review_all: a human commit needs review too") {
    evaluate.rule.review_all = true;
    CommitEvaluation e = evaluate.with_trailers({"Signed-off-by: Alice <alice@example.com>"});
    CHECK_FALSE(e.ai_assisted());
    CHECK(e.review_required);
    CHECK(e.approvals_required == 1);
    CHECK(e.verdict == Verdict::unreviewed);
    REQUIRE(e.findings.size() == 1);
    CHECK(e.findings[0].rule == rules::kReviewAll);
    CHECK(e.findings[0].rule == "review-required");
    CHECK(e.findings[0].problem ==
          "every commit to this ref needs review; needs 1 verified review by senior or above, "
          "has 0");

    CommitEvaluation reviewed = evaluate.with_trailers({"Reviewed-by: Sam <sam@example.com>"});
    CHECK(reviewed.passed());
    CHECK(reviewed.reviews.verified == 1);
  }

  SECTION("review_all: an AI-assisted commit still reports the AI rule") {
    evaluate.rule.review_all = true;
    CommitEvaluation e = evaluate.with_trailers({kClaude});
    REQUIRE(e.findings.size() == 1);
    CHECK(e.findings[0].rule == rules::kAiReview);
    CHECK(e.findings[0].problem == kClaudeProblem);
  }

  SECTION("approvals = 2: one review fails, two distinct reviews pass") {
    evaluate.rule.approvals = 2;
    CommitEvaluation one = evaluate.with_trailers({kClaude, "Reviewed-by: Sam <sam@example.com>"});
    CHECK(one.approvals_required == 2);
    CHECK(one.reviews.verified == 1);
    CHECK(one.verdict == Verdict::unverified);
    REQUIRE(one.findings.size() == 1);
    CHECK(one.findings[0].problem ==
          "AI-assisted (Claude Code: trailer \"Co-authored-by: Claude <noreply@anthropic.com>\"); "
          "needs 2 verified reviews by senior or above, has 1");
    CHECK(one.findings[0].fix.rfind("Have 1 more reviewer at level senior or above who is not",
                                    0) == 0);

    CommitEvaluation same_twice = evaluate.with_trailers(
        {kClaude, "Reviewed-by: Sam <sam@example.com>", "Reviewed-by: Sam <sam@corp.example>"});
    CHECK(same_twice.reviews.verified == 1);
    CHECK_FALSE(same_twice.passed());

    CommitEvaluation none = evaluate.with_trailers({kClaude});
    REQUIRE(none.findings.size() == 1);
    CHECK(none.findings[0].fix.rfind("Have 2 more reviewers at level senior or above who are not "
                                     "the author (for example ",
                                     0) == 0);

    CommitEvaluation two = evaluate.with_trailers(
        {kClaude, "Reviewed-by: Sam <sam@example.com>", "Reviewed-by: Pat <pat@example.com>"});
    CHECK(two.reviews.verified == 2);
    CHECK(two.verdict == Verdict::ok);
    CHECK(two.passed());
  }

  SECTION("the rule's min_level is the level reviews are judged at") {
    evaluate.rule.min_level = "principal";
    CommitEvaluation e = evaluate.with_trailers({kClaude, "Reviewed-by: Sam <sam@example.com>"});
    CHECK(e.verdict == Verdict::below_level);
    REQUIRE(e.findings.size() == 1);
    CHECK(e.findings[0].problem.find("needs 1 verified review by principal or above, has 0") !=
          std::string::npos);
    CHECK(evaluate.with_trailers({kClaude, "Reviewed-by: Pat <pat@example.com>"}).passed());
  }

  SECTION("roster expiry is judged at `now`") {
    CHECK(evaluate.with_trailers({kClaude, "Reviewed-by: Eve <eve@example.com>"}).verdict ==
          Verdict::unverified);
    evaluate.now = kNow - 86400 - 1;
    CHECK(evaluate.with_trailers({kClaude, "Reviewed-by: Eve <eve@example.com>"}).verdict ==
          Verdict::ok);
  }

  SECTION("require_declaration: a commit without one is undeclared") {
    evaluate.rule.require_declaration = true;
    CommitEvaluation e = evaluate.with_trailers({"Signed-off-by: Alice <alice@example.com>"});
    CHECK(e.verdict == Verdict::undeclared);
    CHECK_FALSE(e.declaration.has_value());
    REQUIRE(e.findings.size() == 1);
    const Finding& f = e.findings[0];
    CHECK(f.rule == rules::kDeclaration);
    CHECK(f.rule == "declaration-required");
    CHECK(f.ref == kRef);
    CHECK(f.commit_id == kId);
    CHECK(f.subject == "Add the parser");
    CHECK(f.problem == kUndeclaredProblem);
    CHECK(f.fix == kDeclarationFix);
  }

  SECTION("require_declaration: a value other than yes or no fails") {
    evaluate.rule.require_declaration = true;
    for (std::string value : {"maybe", "true", "yes please", "n"}) {
      CAPTURE(value);
      CommitEvaluation e = evaluate.with_trailers(
          {"AI-Assisted: " + value, kClaude, "Reviewed-by: Sam <sam@example.com>"});
      REQUIRE(e.declaration.has_value());
      CHECK(*e.declaration == value);
      CHECK(e.verdict == Verdict::undeclared);
      CHECK(rules_of(e) == std::vector<std::string>{rules::kDeclaration});
      CHECK(e.findings[0].problem ==
            "the AI-Assisted trailer says \"" + value + "\"; it must be \"yes\" or \"no\"");
    }
    CommitEvaluation maybe = evaluate.with_trailers({"AI-Assisted: maybe"});
    CHECK_FALSE(maybe.ai_assisted());
    CHECK(maybe.verdict == Verdict::undeclared);
  }

  SECTION("require_declaration: \"no\" on a human commit passes, in any case") {
    evaluate.rule.require_declaration = true;
    for (const char* value : {"no", "No", "NO"}) {
      CAPTURE(value);
      CommitEvaluation e = evaluate.with_trailers({std::string("AI-Assisted: ") + value});
      CHECK(*e.declaration == value);
      CHECK(e.verdict == Verdict::not_ai);
      CHECK(e.passed());
    }
  }

  SECTION("require_declaration: the declaration key matches case-insensitively") {
    evaluate.rule.require_declaration = true;
    CommitEvaluation e = evaluate.with_trailers({"ai-assisted: no"});
    REQUIRE(e.declaration.has_value());
    CHECK(*e.declaration == "no");
    CHECK(e.passed());
  }

  SECTION("require_declaration: an unreviewed AI commit without one has both findings") {
    evaluate.rule.require_declaration = true;
    CommitEvaluation e = evaluate.with_trailers({kClaude});
    CHECK(e.verdict == Verdict::unreviewed);
    CHECK(rules_of(e) == std::vector<std::string>{rules::kAiReview, rules::kDeclaration});
  }

  SECTION("require_declaration: \"yes\" with a verified review passes") {
    evaluate.rule.require_declaration = true;
    CommitEvaluation e =
        evaluate.with_trailers({"AI-Assisted: yes", "Reviewed-by: Sam <sam@example.com>"});
    CHECK(e.verdict == Verdict::ok);
    CHECK(e.passed());
  }

  SECTION("\"AI-Assisted: no\" does not undo other AI markers") {
    CommitEvaluation e = evaluate.with_trailers({"AI-Assisted: no", kClaude});
    CHECK(e.ai_assisted());
    CHECK(*e.declaration == "no");
    CHECK(e.verdict == Verdict::unreviewed);
    CHECK(rules_of(e) == std::vector<std::string>{rules::kAiReview});
  }

  SECTION("\"AI-Assisted: yes\" alone marks a commit AI-assisted") {
    CommitEvaluation e = evaluate.with_trailers({"AI-Assisted: yes"});
    CHECK(e.ai_assisted());
    REQUIRE(e.detections.size() == 1);
    CHECK(e.detections[0].marker_id == "convention.ai-assisted");
    CHECK(e.verdict == Verdict::unreviewed);
    REQUIRE(e.findings.size() == 1);
    CHECK(e.findings[0].problem ==
          "AI-assisted (AI-Assisted trailer: trailer \"AI-Assisted: yes\"); needs 1 verified "
          "review by senior or above, has 0");
  }

  SECTION("the policy's own markers are used, and only those given") {
    MarkerSpec spec;
    spec.id = "internal.llm";
    spec.tool = "Internal LLM";
    spec.source = MarkerSource::body;
    spec.pattern = "(?m)^LLM-generated$";
    MarkerSet custom({spec});
    evaluate.markers = &custom;

    CommitEvaluation e = evaluate(commit("Tune cache\n\nLLM-generated\n"));
    CHECK(e.verdict == Verdict::unreviewed);
    REQUIRE(e.findings.size() == 1);
    CHECK(e.findings[0].problem ==
          "AI-assisted (Internal LLM: body line \"LLM-generated\"); needs 1 verified review by "
          "senior or above, has 0");
    CHECK(evaluate.with_trailers({kClaude}).verdict == Verdict::not_ai);
  }

  SECTION("no markers at all: nothing is AI-assisted") {
    MarkerSet none({});
    evaluate.markers = &none;
    CommitEvaluation e = evaluate.with_trailers({kClaude, "AI-Assisted: yes"});
    CHECK_FALSE(e.ai_assisted());
    CHECK(e.verdict == Verdict::not_ai);
    CHECK(e.passed());
  }

  SECTION("baseline.before grandfathers when author and committer dates are both older") {
    evaluate.policy.baseline.before = kNow - 1000;
    CommitInfo c = commit(message({kClaude}), identity("Alice", "alice@example.com", kNow - 1001));
    CommitEvaluation e = evaluate(c);
    CHECK(e.verdict == Verdict::grandfathered);
    CHECK(e.ai_assisted());
    CHECK_FALSE(e.review_required);
    CHECK(e.findings.empty());

    evaluate.rule.require_declaration = true;
    evaluate.rule.review_all = true;
    CHECK(evaluate(c).verdict == Verdict::grandfathered);
    CHECK(evaluate(c).passed());
  }

  SECTION("baseline.before: a backdated author date alone does not exempt") {
    evaluate.policy.baseline.before = kNow - 1000;
    CommitInfo c = commit(message({kClaude}), identity("Alice", "alice@example.com", 946684800));
    c.committer.time = kNow - 10;
    CommitEvaluation e = evaluate(c);
    CHECK(e.verdict == Verdict::unreviewed);
    CHECK(rules_of(e) == std::vector<std::string>{rules::kAiReview});

    // Nor does an old committer date with a new author date.
    c.author.time = kNow - 10;
    c.committer.time = 946684800;
    CHECK(evaluate(c).verdict == Verdict::unreviewed);
  }

  SECTION("baseline.before: a date exactly at the baseline is not before it") {
    evaluate.policy.baseline.before = kNow - 1000;
    CommitInfo c = commit(message({kClaude}), identity("Alice", "alice@example.com", kNow - 1000));
    CHECK(evaluate(c).verdict == Verdict::unreviewed);
  }

  SECTION("baseline.commit is not evaluate_commit's business") {
    evaluate.policy.baseline.commit = kId;
    CHECK(evaluate.with_trailers({kClaude}).verdict == Verdict::unreviewed);
  }

  SECTION("a Reviewed-by line outside the trailer block does not count") {
    CommitInfo c = commit(
        "Add the parser\n"
        "\n"
        "Reviewed-by: Sam Senior <sam@example.com>\n"
        "\n"
        "More words about the change.\n"
        "\n"
        "Co-authored-by: Claude <noreply@anthropic.com>\n");
    CommitEvaluation e = evaluate(c);
    CHECK(e.ai_assisted());
    CHECK(e.reviews.claims.empty());
    CHECK(e.verdict == Verdict::unreviewed);
    REQUIRE(e.trailers.size() == 1);
    CHECK(e.trailers[0].key == "Co-authored-by");
  }

  SECTION("a Reviewed-by line in the trailer block counts, folded or not") {
    CommitInfo c = commit(
        "Add the parser\n"
        "\n"
        "Co-authored-by: Claude <noreply@anthropic.com>\n"
        "Reviewed-by: Sam Senior\n"
        " <sam@example.com>\n");
    CommitEvaluation e = evaluate(c);
    REQUIRE(e.reviews.claims.size() == 1);
    CHECK(e.reviews.claims[0].trailer == "Reviewed-by: Sam Senior <sam@example.com>");
    CHECK(e.verdict == Verdict::ok);
  }

  SECTION("a commit marked by its identity, with the review in the message") {
    CommitInfo c = commit(message({"Reviewed-by: Sam <sam@example.com>"}),
                          identity("Dev (aider)", "dev@example.com", kAnHourAgo));
    CommitEvaluation e = evaluate(c);
    REQUIRE(e.detections.size() == 1);
    CHECK(e.detections[0].marker_id == "aider.identity");
    CHECK(e.verdict == Verdict::ok);
  }

  SECTION("findings carry the ref, the commit id and the subject") {
    evaluate.rule.require_declaration = true;
    CommitInfo c = commit("\n\n  Subject after blank lines\n\nBody.\n\n" + std::string(kClaude));
    c.id = "fedcba9876543210fedcba9876543210fedcba98";
    CommitEvaluation e = evaluate_commit(c, "refs/heads/release/1.0", evaluate.rule,
                                         evaluate.policy, builtin(), kNow);
    CHECK(e.subject == "  Subject after blank lines");
    REQUIRE(e.findings.size() == 2);
    for (const Finding& f : e.findings) {
      CHECK(f.ref == "refs/heads/release/1.0");
      CHECK(f.commit_id == "fedcba9876543210fedcba9876543210fedcba98");
      CHECK(f.subject == "  Subject after blank lines");
    }
  }
}

TEST_CASE("evaluate_commit: the fix never suggests someone who already approved", "[pipeline]") {
  Evaluator evaluate;
  evaluate.rule.approvals = 2;
  CommitEvaluation e =
      evaluate.with_trailers({kClaude, "Reviewed-by: Sam Senior <sam@example.com>"});
  REQUIRE(e.findings.size() == 1);
  CHECK(e.findings[0].fix.find("Sam Senior") == std::string::npos);
}

TEST_CASE("evaluate_commit: the pusher's own review does not count for an unknown author",
          "[pipeline]") {
  Evaluator evaluate;
  const Person* sam = &evaluate.policy.people[3];
  const std::string sams_review = "Reviewed-by: Sam Senior <sam@example.com>";
  auto judge = [&](const Identity& author, const Person* pusher, std::vector<std::string> reviews) {
    reviews.insert(reviews.begin(), kClaude);
    trailgate::EvaluationContext context;
    context.pusher = pusher;
    return evaluate_commit(commit(message(reviews), author), kRef, evaluate.rule, evaluate.policy,
                           *evaluate.markers, kNow, nullptr, context);
  };
  const Identity stranger = identity("Sam Senior", "sam@home.example", kAnHourAgo);

  SECTION("an author the roster does not know, reviewed and pushed by Sam: self-review") {
    CommitEvaluation e = judge(stranger, sam, {sams_review});
    CHECK(e.verdict == Verdict::self_reviewed);
    CHECK(e.reviews.verified == 0);
    REQUIRE(e.reviews.claims.size() == 1);
    CHECK(e.reviews.claims[0].status == ClaimStatus::self_review);
    CHECK_THAT(e.reviews.claims[0].reason,
               Catch::Contains("Sam Senior is the pusher, and the commit's author "
                               "<sam@home.example> is not on the roster"));
    REQUIRE(e.findings.size() == 1);
    CHECK_THAT(e.findings[0].problem, Catch::Contains("(self-review)"));
    // The fix does not suggest the pusher again.
    CHECK(e.findings[0].fix.find("Sam Senior") == std::string::npos);
  }
  SECTION("the same commit reviewed by another senior passes") {
    CommitEvaluation e = judge(stranger, sam, {"Reviewed-by: Sid Second <sid@example.com>"});
    CHECK(e.passed());
    CHECK(e.reviews.verified == 1);
  }
  SECTION("two reviews, one by the pusher, where two are needed: one counts") {
    evaluate.rule.approvals = 2;
    CommitEvaluation e =
        judge(stranger, sam, {sams_review, "Reviewed-by: Sid Second <sid@example.com>"});
    CHECK_FALSE(e.passed());
    CHECK(e.reviews.verified == 1);
  }
  SECTION("an author the roster knows: the pusher's review counts") {
    CommitEvaluation e = judge(identity("Jo", "jo@example.com", kAnHourAgo), sam, {sams_review});
    CHECK(e.passed());
  }
  SECTION("no pusher named by the host: the review counts, as in check and audit") {
    CommitEvaluation e = judge(stranger, nullptr, {sams_review});
    CHECK(e.passed());
  }
  SECTION("a pusher other than the reviewer: the review counts") {
    CommitEvaluation e = judge(stranger, &evaluate.policy.people[5], {sams_review});
    CHECK(e.passed());
  }
}

TEST_CASE("to_string(Verdict)", "[pipeline]") {
  using trailgate::to_string;
  CHECK(to_string(Verdict::ok) == "ok");
  CHECK(to_string(Verdict::not_ai) == "not-ai");
  CHECK(to_string(Verdict::unreviewed) == "unreviewed");
  CHECK(to_string(Verdict::unverified) == "unverified");
  CHECK(to_string(Verdict::self_reviewed) == "self-reviewed");
  CHECK(to_string(Verdict::below_level) == "below-level");
  CHECK(to_string(Verdict::grandfathered) == "grandfathered");
  CHECK(to_string(Verdict::undeclared) == "undeclared");
}

namespace {

const std::string kOld(40, '1');
const std::string kNew(40, '2');
const std::string kZero(40, '0');
const std::string kOld256(64, 'a');
const std::string kNew256(64, 'b');
const std::string kZero256(64, '0');

std::string line(const std::string& old_id, const std::string& new_id, const std::string& ref) {
  return old_id + " " + new_id + " " + ref;
}

// The message of the InputError that parse_ref_updates throws on `input`.
std::string error_of(std::string_view input) {
  try {
    parse_ref_updates(input);
  } catch (const InputError& e) {
    return e.what();
  }
  FAIL("no InputError for \"" << std::string(input) << "\"");
  return {};
}

std::string make_error_of(const std::string& ref, const std::string& old_id,
                          const std::string& new_id) {
  try {
    make_ref_update(ref, old_id, new_id);
  } catch (const InputError& e) {
    return e.what();
  }
  FAIL("no InputError for " << ref);
  return {};
}

bool printable_ascii(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f)
      return false;
  }
  return true;
}

// Bad input as the error message shows it, for input that is printable ASCII: cut to 80 bytes.
std::string shown(const std::string& s) {
  return s.size() > 200 ? s.substr(0, 200) + "..." : s;
}

const std::string kIdsMessage =
    ": expected \"<old-id> <new-id> <refname>\" with full lowercase hex object ids, got \"";
const std::string kFieldsMessage = ": expected \"<old-id> <new-id> <refname>\", got \"";

}  // namespace

TEST_CASE("parse_ref_updates", "[pipeline]") {
  SECTION("one line") {
    auto updates = parse_ref_updates(line(kOld, kNew, "refs/heads/main") + "\n");
    REQUIRE(updates.size() == 1);
    CHECK(updates[0].old_id == kOld);
    CHECK(updates[0].new_id == kNew);
    CHECK(updates[0].ref == "refs/heads/main");
    CHECK_FALSE(updates[0].creates());
    CHECK_FALSE(updates[0].deletes());
  }

  SECTION("several lines, in order") {
    auto updates = parse_ref_updates(line(kZero, kNew, "refs/heads/feature") + "\n" +
                                     line(kOld, kZero, "refs/tags/v1.0") + "\n" +
                                     line(kOld, kNew, "refs/heads/main") + "\n");
    REQUIRE(updates.size() == 3);
    CHECK(updates[0].ref == "refs/heads/feature");
    CHECK(updates[0].creates());
    CHECK_FALSE(updates[0].deletes());
    CHECK(updates[1].ref == "refs/tags/v1.0");
    CHECK_FALSE(updates[1].creates());
    CHECK(updates[1].deletes());
    CHECK(updates[2].ref == "refs/heads/main");
  }

  SECTION("the trailing newline is optional") {
    auto updates = parse_ref_updates(line(kOld, kNew, "refs/heads/a") + "\n" +
                                     line(kOld, kNew, "refs/heads/b"));
    REQUIRE(updates.size() == 2);
    CHECK(updates[1].ref == "refs/heads/b");
  }

  SECTION("blank lines are skipped") {
    auto updates = parse_ref_updates("\n\n" + line(kOld, kNew, "refs/heads/a") + "\n\n\n" +
                                     line(kOld, kNew, "refs/heads/b") + "\n\n");
    REQUIRE(updates.size() == 2);
    CHECK(updates[0].ref == "refs/heads/a");
    CHECK(updates[1].ref == "refs/heads/b");
  }

  SECTION("SHA-256 (64-hex) ids are accepted") {
    auto updates = parse_ref_updates(line(kOld256, kNew256, "refs/heads/main") + "\n" +
                                     line(kZero256, kNew256, "refs/heads/new") + "\n" +
                                     line(kOld256, kZero256, "refs/heads/old") + "\n");
    REQUIRE(updates.size() == 3);
    CHECK(updates[0].old_id == kOld256);
    CHECK_FALSE(updates[0].creates());
    CHECK(updates[1].creates());
    CHECK(updates[2].deletes());
  }

  SECTION("refnames may hold non-ASCII bytes and unusual but legal characters") {
    auto updates = parse_ref_updates(line(kOld, kNew, "refs/heads/caf\xc3\xa9") + "\n" +
                                     line(kOld, kNew, "refs/x") + "\n" +
                                     line(kOld, kNew, "refs/heads/a-b_c.d/e+f@g") + "\n");
    REQUIRE(updates.size() == 3);
    CHECK(updates[0].ref == "refs/heads/caf\xc3\xa9");
    CHECK(updates[1].ref == "refs/x");
  }

  SECTION("empty input is an error") {
    const std::string none = "stdin holds no ref updates; git always sends at least one line";
    CHECK(error_of("") == none);
    CHECK(error_of("\n") == none);
    CHECK(error_of("\n\n\n") == none);
  }

  SECTION("a line without three fields is an error naming the line") {
    CHECK(error_of("hello") == "stdin line 1" + kFieldsMessage + "hello\"");
    CHECK(error_of("hello\n") == "stdin line 1" + kFieldsMessage + "hello\"");
    CHECK(error_of(kOld + " " + kNew) ==
          "stdin line 1" + kFieldsMessage + shown(kOld + " " + kNew) + "\"");
    CHECK(error_of("a b") == "stdin line 1" + kFieldsMessage + "a b\"");
    CHECK(error_of("a\tb\tc") == "stdin line 1" + kFieldsMessage + "a\\x09b\\x09c\"");
  }

  SECTION("the line number is 1-based and counts blank lines; the first bad line is named") {
    std::string good = line(kOld, kNew, "refs/heads/main");
    CHECK(error_of(good + "\nbad\n") == "stdin line 2" + kFieldsMessage + "bad\"");
    CHECK(error_of("\n\n" + good + "\n\nbad\nworse\n") ==
          "stdin line 5" + kFieldsMessage + "bad\"");
  }

  SECTION("ids that are not full lowercase hex of one width are errors") {
    std::string upper(40, 'A');
    std::string short_id(39, '1');
    std::string long_id(41, '1');
    std::string not_hex = std::string(39, '1') + "g";
    for (const std::string& bad :
         {line(upper, kNew, "refs/heads/main"), line(kOld, upper, "refs/heads/main"),
          line(short_id, kNew, "refs/heads/main"), line(kOld, long_id, "refs/heads/main"),
          line(not_hex, kNew, "refs/heads/main"), line(kOld, kNew256, "refs/heads/main"),
          line(kZero, kNew256, "refs/heads/main"), line(kOld256, kZero, "refs/heads/main"),
          line("", kNew, "refs/heads/main"), " " + line(kOld, kNew, "refs/heads/main"),
          kOld + "  " + kNew + " refs/heads/main"}) {
      CAPTURE(bad);
      CHECK(error_of(bad) == "stdin line 1" + kIdsMessage + shown(bad) + "\"");
    }
  }

  SECTION("both ids zero is an error") {
    CHECK(error_of(line(kZero, kZero, "refs/heads/main")) ==
          "stdin line 1: both object ids are zero for \"refs/heads/main\"");
    CHECK(error_of(line(kZero256, kZero256, "refs/heads/main")) ==
          "stdin line 1: both object ids are zero for \"refs/heads/main\"");
  }

  SECTION("a ref that is not under refs/ is an error") {
    for (std::string ref : {"HEAD", "heads/main", "refs", "refs/", "/refs/heads/main",
                            "Refs/heads/main", "", "main"}) {
      CAPTURE(ref);
      CHECK(error_of(line(kOld, kNew, ref)) ==
            "stdin line 1: \"" + ref + "\" is not a refname under refs/");
    }
  }

  SECTION("a ref with a space or a control byte is an error, shown escaped") {
    CHECK(error_of(line(kOld, kNew, "refs/heads/a b")) ==
          "stdin line 1: \"refs/heads/a b\" is not a refname under refs/");
    CHECK(error_of(line(kOld, kNew, "refs/heads/main extra")) ==
          "stdin line 1: \"refs/heads/main extra\" is not a refname under refs/");
    CHECK(error_of(line(kOld, kNew, "refs/heads/ma\x1b[31min")) ==
          "stdin line 1: \"refs/heads/ma\\x1b[31min\" is not a refname under refs/");
    CHECK(error_of(line(kOld, kNew, "refs/heads/main\r") + "\n") ==
          "stdin line 1: \"refs/heads/main\\x0d\" is not a refname under refs/");
    CHECK(error_of(line(kOld, kNew, "refs/heads/\x7f")) ==
          "stdin line 1: \"refs/heads/\\x7f\" is not a refname under refs/");
    CHECK(error_of(line(kOld, kNew, "refs/heads/a\tb")) ==
          "stdin line 1: \"refs/heads/a\\x09b\" is not a refname under refs/");
    CHECK(error_of(line(kOld, kNew, std::string("refs/heads/a\0b", 14))) ==
          "stdin line 1: \"refs/heads/a\\x00b\" is not a refname under refs/");
  }

  SECTION("binary input is shown escaped, and never raw") {
    std::string binary("he\0llo\x01\x02\xff\xfe\x80", 11);
    std::string what = error_of(binary);
    CHECK(what == "stdin line 1" + kFieldsMessage + "he\\x00llo\\x01\\x02\\xff\\xfe\\x80\"");
    CHECK(printable_ascii(what));

    std::string with_ids =
        line(std::string("\x01\xff", 2) + "11", "22", std::string("refs/\0\x1b", 7));
    std::string what2 = error_of(with_ids);
    CHECK(what2 == "stdin line 1" + kIdsMessage + "\\x01\\xff11 22 refs/\\x00\\x1b\"");
    CHECK(printable_ascii(what2));
  }

  SECTION("a long bad line is shown cut to 200 bytes") {
    std::string junk(300, 'x');
    CHECK(error_of(junk) == "stdin line 1" + kFieldsMessage + std::string(200, 'x') + "...\"");
    std::string ref = "refs/heads/" + std::string(250, 'y') + " z";
    std::string what = error_of(line(kOld, kNew, ref));
    CHECK(what == "stdin line 1: \"" + ref.substr(0, 200) + "...\" is not a refname under refs/");
  }
}

TEST_CASE("make_ref_update", "[pipeline]") {
  SECTION("a valid update, as the update hook passes it: ref, old, new") {
    RefUpdate u = make_ref_update("refs/heads/main", kOld, kNew);
    CHECK(u.ref == "refs/heads/main");
    CHECK(u.old_id == kOld);
    CHECK(u.new_id == kNew);
    CHECK_FALSE(u.creates());
    CHECK_FALSE(u.deletes());
    CHECK(make_ref_update("refs/heads/new", kZero, kNew).creates());
    CHECK(make_ref_update("refs/heads/old", kOld, kZero).deletes());
    CHECK(make_ref_update("refs/heads/main", kOld256, kNew256).new_id == kNew256);
  }

  SECTION("validated like stdin, with the errors naming the arguments") {
    CHECK(make_error_of("refs/heads/main", "ABC", kNew) ==
          "arguments" + kIdsMessage + "ABC " + kNew + " refs/heads/main\"");
    CHECK(make_error_of("refs/heads/main", kOld, kNew256) ==
          "arguments" + kIdsMessage + shown(kOld + " " + kNew256 + " refs/heads/main") + "\"");
    CHECK(make_error_of("main", kOld, kNew) == "arguments: \"main\" is not a refname under refs/");
    CHECK(make_error_of("refs/heads/a\nb", kOld, kNew) ==
          "arguments: \"refs/heads/a\\x0ab\" is not a refname under refs/");
    CHECK(make_error_of("refs/heads/main", kZero, kZero) ==
          "arguments: both object ids are zero for \"refs/heads/main\"");
  }
}

TEST_CASE("RefUpdate::creates and deletes", "[pipeline]") {
  CHECK(RefUpdate{kZero, kNew, "refs/heads/x"}.creates());
  CHECK_FALSE(RefUpdate{kZero, kNew, "refs/heads/x"}.deletes());
  CHECK(RefUpdate{kOld, kZero, "refs/heads/x"}.deletes());
  CHECK_FALSE(RefUpdate{kOld, kZero, "refs/heads/x"}.creates());
  CHECK(RefUpdate{kZero256, kNew256, "refs/heads/x"}.creates());
  CHECK(RefUpdate{kOld256, kZero256, "refs/heads/x"}.deletes());
  // Only a full-width zero id means "none".
  CHECK_FALSE(RefUpdate{"0", kNew, "refs/heads/x"}.creates());
  CHECK_FALSE(RefUpdate{std::string(39, '0'), kNew, "refs/heads/x"}.creates());
  CHECK_FALSE(RefUpdate{kOld, "", "refs/heads/x"}.deletes());
}

TEST_CASE("evaluate_commit: conflicting AI-Assisted declarations declare nothing", "[pipeline]") {
  Evaluator evaluate;
  evaluate.rule.require_declaration = true;
  CommitEvaluation e = evaluate.with_trailers({"AI-Assisted: maybe", "AI-Assisted: no"});
  CHECK(e.verdict == Verdict::undeclared);
  REQUIRE(e.findings.size() == 1);
  CHECK(e.findings[0].rule == "declaration-required");
  CHECK(e.declaration == std::optional<std::string>("maybe\" and \"no"));
  CHECK(evaluate.with_trailers({"AI-Assisted: no", "ai-assisted: NO"}).passed());
}

TEST_CASE("parse_ref_updates: quotes and backslashes in bad input are escaped", "[pipeline]") {
  try {
    parse_ref_updates("a\"b\\c\n");
    FAIL("no error");
  } catch (const trailgate::InputError& e) {
    CHECK(std::string(e.what()) ==
          "stdin line 1: expected \"<old-id> <new-id> <refname>\", got \"a\\\"b\\\\c\"");
  }
}

TEST_CASE("run: every failing commit id is kept per ref, beyond the listed evaluations",
          "[pipeline]") {
  // A real repository made with git: four AI-assisted commits on a new protected branch.
  namespace testing = trailgate::testing;
  testing::TempDir dir;
  testing::run_ok({"git", "init", "-q", "repo"}, dir.path());
  const std::filesystem::path repo_dir = dir.path() / "repo";
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    testing::write_file(repo_dir / ("f" + std::to_string(i)), std::to_string(i));
    testing::run_ok({"git", "add", "."}, repo_dir);
    testing::run_ok({"git", "commit", "-q", "-F", "-"}, repo_dir,
                    "AI change " + std::to_string(i) + "\n\nBody.\n\n" + kClaude + "\n");
    ids.insert(ids.begin(), testing::run_ok({"git", "rev-parse", "HEAD"}, repo_dir).substr(0, 40));
  }
  trailgate::git::Repository repo = trailgate::git::Repository::discover(repo_dir.string());
  Policy policy = roster_policy();
  policy.protect = {main_rule()};
  policy.max_listed_commits = 1;
  std::vector<RefUpdate> updates = {RefUpdate{std::string(40, '0'), ids.front(), kRef},
                                    RefUpdate{std::string(40, '0'), ids.front(), "refs/heads/x"}};
  std::vector<trailgate::RefCheck> checks = trailgate::plan_push(repo, policy, updates, {});
  trailgate::Report report = trailgate::run(repo, policy, builtin(), checks,
                                            trailgate::RunOptions{kNow, false, {}, {}, {}});

  CHECK(report.evaluations.size() == 1);  // listed: capped by max_listed_commits
  CHECK(report.commits_failed == 4);
  REQUIRE(report.refs.size() == 2);
  CHECK(report.refs[0].failed_commits == ids);   // every one, newest first (walk order)
  CHECK(report.refs[1].failed_commits.empty());  // unprotected: nothing checked
  CHECK_FALSE(report.has_ref_findings());
}

TEST_CASE("run: on_evaluation sees every commit while the report keeps only the listed ones",
          "[pipeline]") {
  // A real repository made with git: AI-assisted, human, AI-assisted, human (oldest first).
  namespace testing = trailgate::testing;
  testing::TempDir dir;
  testing::run_ok({"git", "init", "-q", "repo"}, dir.path());
  const std::filesystem::path repo_dir = dir.path() / "repo";
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    testing::write_file(repo_dir / ("f" + std::to_string(i)), std::to_string(i));
    testing::run_ok({"git", "add", "."}, repo_dir);
    std::string message = "Change " + std::to_string(i) + "\n";
    if (i % 2 == 0)
      message += std::string("\nBody.\n\n") + kClaude + "\n";
    testing::run_ok({"git", "commit", "-q", "-F", "-"}, repo_dir, message);
    ids.insert(ids.begin(), testing::run_ok({"git", "rev-parse", "HEAD"}, repo_dir).substr(0, 40));
  }
  trailgate::git::Repository repo = trailgate::git::Repository::discover(repo_dir.string());
  Policy policy = roster_policy();
  policy.protect = {main_rule()};
  policy.max_listed_commits = 1;
  std::vector<RefUpdate> updates = {RefUpdate{std::string(40, '0'), ids.front(), kRef}};
  std::vector<trailgate::RefCheck> checks = trailgate::plan_push(repo, policy, updates, {});
  std::vector<std::string> seen;
  std::vector<bool> passed;
  trailgate::RunOptions options{kNow, false, {}, {}, {}};
  options.on_evaluation = [&](const CommitEvaluation& e) {
    seen.push_back(e.id);
    passed.push_back(e.passed());
  };
  trailgate::Report report = trailgate::run(repo, policy, builtin(), checks, options);

  CHECK(seen == ids);  // every commit, newest first (walk order)
  CHECK(passed == std::vector<bool>{true, false, true, false});
  REQUIRE(report.evaluations.size() == 1);  // only the listed failing one is kept
  CHECK(report.evaluations[0].id == ids[1]);
  CHECK(report.commits_checked == 4);
  CHECK(report.commits_failed == 2);
}

TEST_CASE("Report::has_ref_findings", "[pipeline]") {
  trailgate::Report report;
  CHECK_FALSE(report.has_ref_findings());
  report.refs.resize(2);
  CHECK_FALSE(report.has_ref_findings());
  report.refs[1].ref_findings.push_back(
      Finding{rules::kDeleteRef, "refs/heads/main", "", "", "deleting", "don't"});
  CHECK(report.has_ref_findings());
}
