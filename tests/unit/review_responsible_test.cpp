// Tests of the responsible humans of a commit (review/responsible.h) and of independent review:
// no responsible human's review counts, in trailers or in a review note, under any of their
// emails. Commits, detections and rosters are built by hand.

#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/commit.h"
#include "model/detection.h"
#include "model/evaluation.h"
#include "policy/policy.h"
#include "review/note_approval.h"
#include "review/responsible.h"
#include "review/review.h"
#include "support/model.h"
#include "trailers/trailers.h"

namespace {

using trailgate::CommitInfo;
using trailgate::Identity;
using trailgate::Policy;
using trailgate::ResponsibleHuman;
using trailgate::ResponsibleRole;
using trailgate::detect::Detection;
using trailgate::detect::MarkerClass;
using trailgate::review::ClaimStatus;
using trailgate::review::discount_responsible;
using trailgate::review::judge_note_change;
using trailgate::review::Responsibility;
using trailgate::review::responsibility_of;
using trailgate::review::responsible_role;
using trailgate::review::ReviewOutcome;
using trailgate::review::verify_note;
using trailgate::review::verify_reviews;
using trailgate::testing::identity;
using trailgate::testing::make_commit;
using trailgate::testing::roster_person;

constexpr std::int64_t kNow = 1'750'000'000;

// The item-3 roster, with a junior, a second email for Senior One and a principal.
Policy roster() {
  Policy policy;
  policy.review.verification = trailgate::Verification::roster;
  policy.people = {
      roster_person("Mid One", {"mid@example.com"}, "mid"),
      roster_person("Senior One", {"senior@example.com", "s1@corp.example"}, "senior"),
      roster_person("Senior Two", {"senior2@example.com"}, "senior"),
      roster_person("Principal One", {"principal@example.com"}, "principal"),
      roster_person("Junior One", {"junior@example.com"}, "junior"),
  };
  return policy;
}

const Identity kSenior = identity("Senior One", "senior@example.com");
const Identity kStranger = identity("Stranger", "stranger@example.org");
const Identity kCopilot =
    identity("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com");

Detection assisted(std::string evidence) {
  Detection d;
  d.marker_id = "claude-code.co-author";
  d.tool = "Claude Code";
  d.evidence = std::move(evidence);
  return d;
}

Detection agent(std::string evidence) {
  Detection d;
  d.marker_id = "copilot-agent.identity";
  d.tool = "GitHub Copilot coding agent";
  d.evidence = std::move(evidence);
  d.marker_class = MarkerClass::agent;
  return d;
}

const Detection kClaude = assisted("trailer \"Co-authored-by: Claude <noreply@anthropic.com>\"");
const Detection kCopilotAuthor = agent("author name \"copilot-swe-agent[bot]\"");

Responsibility of(const CommitInfo& commit, const std::vector<Detection>& detections = {kClaude},
                  const Policy& policy = roster()) {
  return responsibility_of(commit, trailgate::trailers::parse(commit.message).trailers, detections,
                           policy);
}

std::string msg(const std::string& trailers) {
  return "Add the parser\n\nIt reads the input.\n\n" + trailers;
}

// "role person level" of each human, for compact comparisons.
std::vector<std::string> summary(const Responsibility& r) {
  std::vector<std::string> out;
  for (const ResponsibleHuman& h : r.humans)
    out.push_back(std::string(to_string(h.role)) + " " + (h.person.empty() ? "-" : h.person) + " " +
                  h.level + (h.bot ? " bot" : ""));
  return out;
}

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("responsibility_of: the author", "[review][responsible]") {
  const std::string claude = msg("Co-authored-by: Claude <noreply@anthropic.com>\n");

  SECTION("on the roster: their level") {
    Responsibility r = of(make_commit(claude, kSenior));
    CHECK(summary(r) == Lines{"author Senior One senior"});
    CHECK(r.author_level == "senior");
    CHECK_FALSE(r.agent_authored);
    CHECK(r.humans[0].name == "Senior One");
    CHECK(r.humans[0].email == "senior@example.com");
  }
  SECTION("under a second email, in another case") {
    Responsibility r = of(make_commit(claude, identity("S", "S1@Corp.Example")));
    CHECK(summary(r) == Lines{"author Senior One senior"});
  }
  SECTION("not on the roster: the lowest level") {
    Responsibility r = of(make_commit(claude, kStranger));
    CHECK(summary(r) == Lines{"author - junior"});
    CHECK(r.author_level == "junior");
  }
  SECTION("a look-alike of a roster email is not that person: the lowest level") {
    // Cyrillic 'е' (U+0435) in "senior".
    Responsibility r = of(make_commit(claude, identity("Senior One", "s\xD0\xB5nior@example.com")));
    CHECK(summary(r) == Lines{"author - junior"});
  }
  SECTION("the lowest level follows the policy's levels") {
    Policy policy = roster();
    policy.levels = {"intern", "junior", "mid", "senior", "principal"};
    CHECK(of(make_commit(claude, kStranger), {kClaude}, policy).author_level == "intern");
  }
  SECTION("a [bot] identity counts at the lowest level, even with a roster email") {
    Responsibility r = of(make_commit(claude, identity("deploy[bot]", "senior@example.com")));
    CHECK(summary(r) == Lines{"author Senior One junior bot"});
    CHECK(r.author_level == "junior");
    r = of(
        make_commit(claude, identity("Deploy", "41898282+Renovate[BOT]@users.noreply.github.com")));
    CHECK(summary(r) == Lines{"author - junior bot"});
  }
  SECTION("an agent-class identity detection makes the author a bot") {
    Responsibility r =
        of(make_commit(msg("Signed-off-by: x <x@example.com>\n"), identity("Devin", "devin@x.ai")),
           {agent("author name \"Devin\"")});
    CHECK(summary(r) == Lines{"author - junior bot"});
    CHECK(r.agent_authored);
  }
  SECTION("an agent commit is at the lowest level, whoever its author is") {
    // The agent marker is the committer's: the agent wrote it, a senior is the author.
    CommitInfo c = make_commit(claude, kSenior, kCopilot);
    Responsibility r = of(c, {agent("committer name \"copilot-swe-agent[bot]\""), kClaude});
    CHECK(summary(r) == Lines{"author Senior One senior"});
    CHECK(r.agent_authored);
    CHECK(r.author_level == "junior");
  }
  SECTION("not AI-assisted: the same rule (review_all judges such commits)") {
    Responsibility r = of(make_commit(msg(""), kSenior), {});
    CHECK(summary(r) == Lines{"author Senior One senior"});
    CHECK_FALSE(r.agent_authored);
  }
}

TEST_CASE("responsibility_of: co-authors", "[review][responsible]") {
  SECTION("a roster co-author lowers the level; the lowest decides") {
    Responsibility r = of(make_commit(
        msg("Co-authored-by: Claude <noreply@anthropic.com>\nCo-authored-by: Junior One "
            "<junior@example.com>\n"),
        kSenior));
    CHECK(summary(r) == Lines{"author Senior One senior", "co-author Junior One junior"});
    CHECK(r.author_level == "junior");
    CHECK(r.humans[1].name == "Junior One");
    CHECK(r.humans[1].email == "junior@example.com");
  }
  SECTION("a more senior co-author does not raise it") {
    Responsibility r =
        of(make_commit(msg("Co-authored-by: Principal One <principal@example.com>\n"),
                       identity("J", "junior@example.com")));
    CHECK(summary(r) == Lines{"author Junior One junior", "co-author Principal One principal"});
    CHECK(r.author_level == "junior");
  }
  SECTION("under a second email, any key case") {
    Responsibility r =
        of(make_commit(msg("co-authored-BY: Someone <S1@corp.example>\n"), kStranger));
    CHECK(summary(r) == Lines{"author - junior", "co-author Senior One senior"});
  }
  SECTION("under look-alike letters: still that person") {
    // Cyrillic 'о' (U+043E) and fullwidth 'ｅ' in the address.
    Responsibility r =
        of(make_commit(msg("Co-authored-by: Mid <mid@\xEF\xBD\x85xample.c\xD0\xBEm>\n"), kSenior));
    CHECK(summary(r) == Lines{"author Senior One senior", "co-author Mid One mid"});
    CHECK(r.author_level == "mid");
  }
  SECTION("a Co-authored-by line outside git's trailer block counts too") {
    Responsibility r = of(make_commit(
        "Add the parser\n\nCo-authored-by: Mid One <mid@example.com>\n\nMore text here.\n",
        kSenior));
    CHECK(summary(r) == Lines{"author Senior One senior", "co-author Mid One mid"});
    // In the subject line, and folded over two lines.
    r = of(make_commit("Co-authored-by: Mid One <mid@example.com>\n", kSenior));
    CHECK(summary(r).size() == 2);
    r = of(make_commit(msg("Co-authored-by: Mid One\n <mid@example.com>\n"), kSenior));
    CHECK(summary(r) == Lines{"author Senior One senior", "co-author Mid One mid"});
  }
  SECTION("quoted or indented lines are not co-author lines") {
    Responsibility r = of(make_commit(
        "Add\n\n> Co-authored-by: Mid One <mid@example.com>\n    Co-authored-by: Mid One "
        "<mid@example.com>\n",
        kSenior));
    CHECK(summary(r) == Lines{"author Senior One senior"});
  }
  SECTION("a line naming two people names both") {
    Responsibility r = of(make_commit(
        msg("Co-authored-by: Mid One <mid@example.com>, Junior One <junior@example.com>\n"),
        kSenior));
    CHECK(summary(r) == Lines{"author Senior One senior", "co-author Mid One mid",
                              "co-author Junior One junior"});
  }
  SECTION("in a decoded reading of the message") {
    CommitInfo c = make_commit(msg(""), kSenior);
    c.encoding = "ISO-8859-1";
    c.decoded_messages = {msg("Co-authored-by: Mid One <mid@example.com>\n")};
    CHECK(summary(of(c)) == Lines{"author Senior One senior", "co-author Mid One mid"});
  }
  SECTION("people off the roster and AI tools are not responsible humans of a human's commit") {
    Responsibility r =
        of(make_commit(msg("Co-authored-by: Claude <noreply@anthropic.com>\nCo-authored-by: Friend "
                           "<friend@example.org>\n"),
                       kSenior));
    CHECK(summary(r) == Lines{"author Senior One senior"});
  }
  SECTION("each person once: the author's own co-author line, two emails, two lines") {
    Responsibility r =
        of(make_commit(msg("Co-authored-by: Senior One <s1@corp.example>\nCo-authored-by: Mid One "
                           "<mid@example.com>\nCo-authored-by: Mid <MID@example.com>\n"),
                       kSenior));
    CHECK(summary(r) == Lines{"author Senior One senior", "co-author Mid One mid"});
  }
  SECTION("malformed values name nobody") {
    Responsibility r = of(make_commit(
        msg("Co-authored-by: mid@example.com\nCo-authored-by: Mid <>\nCo-authored-by: <mid>\n"),
        kSenior));
    CHECK(summary(r) == Lines{"author Senior One senior"});
  }
}

TEST_CASE("responsibility_of: an agent's commit and the human it names", "[review][responsible]") {
  const std::string assigned =
      msg("Agent-Logs-Url: https://github.com/o/r/sessions/1\nCo-authored-by: Senior One "
          "<senior@example.com>\n");

  SECTION("the Copilot coding agent and its assigning human") {
    Responsibility r = of(make_commit(assigned, kCopilot), {kCopilotAuthor});
    CHECK(r.agent_authored);
    CHECK(summary(r) == Lines{"author - junior bot", "named-by-agent Senior One senior"});
    CHECK(r.author_level == "junior");
  }
  SECTION("a named human off the roster is listed at the lowest level") {
    Responsibility r = of(
        make_commit(msg("Co-authored-by: Octo Cat <12+octo@users.noreply.github.com>\n"), kCopilot),
        {kCopilotAuthor});
    CHECK(summary(r) == Lines{"author - junior bot", "named-by-agent - junior"});
  }
  SECTION("an AI tool's own co-author line or a bot is not a named human") {
    Responsibility r =
        of(make_commit(msg("Co-authored-by: Claude <noreply@anthropic.com>\nCo-authored-by: "
                           "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>\n"),
                       kCopilot),
           {kCopilotAuthor, kClaude});
    CHECK(summary(r) == Lines{"author - junior bot"});
  }
  SECTION("without the detections, the same human is a co-author") {
    Responsibility r = of(make_commit(assigned, kCopilot), {});
    CHECK_FALSE(r.agent_authored);
    CHECK(summary(r) == Lines{"author - junior bot", "co-author Senior One senior"});
  }
}

TEST_CASE("responsible_role", "[review][responsible]") {
  const Policy policy = roster();
  const Responsibility r =
      of(make_commit(msg("Co-authored-by: Mid One <mid@example.com>\n"), kSenior));
  CHECK(responsible_role(r, "senior@example.com", policy) == ResponsibleRole::author);
  CHECK(responsible_role(r, "S1@corp.example", policy) == ResponsibleRole::author);
  CHECK(responsible_role(r, "s\xD0\xB5nior@example.com", policy) == ResponsibleRole::author);
  CHECK(responsible_role(r, "mid@example.com", policy) == ResponsibleRole::co_author);
  CHECK(responsible_role(r, "MID@EXAMPLE.COM", policy) == ResponsibleRole::co_author);
  CHECK(responsible_role(r,
                         "m\xD1\x96"
                         "d@example.com",
                         policy) == ResponsibleRole::co_author);
  CHECK_FALSE(responsible_role(r, "senior2@example.com", policy));
  CHECK_FALSE(responsible_role(r, "principal@example.com", policy));
  CHECK_FALSE(responsible_role(r, "", policy));

  // A co-author listed under their second email: their first is responsible too.
  const Responsibility second =
      of(make_commit(msg("Co-authored-by: S <s1@corp.example>\n"), kStranger));
  CHECK(responsible_role(second, "senior@example.com", policy) == ResponsibleRole::co_author);
  CHECK(responsible_role(second, "stranger@example.org", policy) == ResponsibleRole::author);

  const Responsibility agent_commit =
      of(make_commit(msg("Co-authored-by: Senior One <senior@example.com>\n"), kCopilot),
         {kCopilotAuthor});
  CHECK(responsible_role(agent_commit, "s1@corp.example", policy) ==
        ResponsibleRole::named_by_agent);
  // An empty author email is nobody's.
  const Responsibility nameless = of(make_commit(msg(""), identity("x", "")));
  CHECK_FALSE(responsible_role(nameless, "", policy));
}

TEST_CASE("verify_reviews: no responsible human's review counts", "[review][responsible]") {
  const Policy policy = roster();
  const CommitInfo c = make_commit(
      msg("Co-authored-by: Claude <noreply@anthropic.com>\nCo-authored-by: Senior Two "
          "<senior2@example.com>\nReviewed-by: Senior Two <senior2@example.com>\nReviewed-by: "
          "Senior One <senior@example.com>\nReviewed-by: Principal One <principal@example.com>\n"),
      identity("Junior One", "junior@example.com"), kSenior);  // Senior One commits it
  const auto trailers = trailgate::trailers::parse(c.message).trailers;
  const Responsibility r = responsibility_of(c, trailers, {kClaude}, policy);

  ReviewOutcome outcome = verify_reviews(c, trailers, policy, "senior", kNow, r);
  REQUIRE(outcome.claims.size() == 3);
  CHECK(outcome.claims[0].status == ClaimStatus::co_author);
  CHECK(outcome.claims[0].person == "Senior Two");
  CHECK_THAT(outcome.claims[0].reason, Catch::StartsWith("Senior Two is a co-author"));
  // The committer's review counts: amending to add a review is not self-review.
  CHECK(outcome.claims[1].status == ClaimStatus::verified);
  CHECK(outcome.claims[2].status == ClaimStatus::verified);
  CHECK(outcome.verified == 2);

  SECTION("the co-author's status comes before the level check") {
    ReviewOutcome low = verify_reviews(c, trailers, policy, "principal", kNow, r);
    CHECK(low.claims[0].status == ClaimStatus::co_author);
    CHECK(low.claims[1].status == ClaimStatus::below_level);
  }
  SECTION("the overload without a Responsibility refuses the same co-author") {
    CHECK(verify_reviews(c, trailers, policy, "senior", kNow).claims[0].status ==
          ClaimStatus::co_author);
  }
}

TEST_CASE("verify_reviews: a co-author under either email, or a look-alike",
          "[review][responsible]") {
  const Policy policy = roster();
  for (const char* co_author : {"senior@example.com", "s1@corp.example", "SENIOR@example.com",
                                "s\xD0\xB5nior@example.com"}) {
    for (const char* reviewer : {"senior@example.com", "s1@corp.example"}) {
      INFO(co_author << " reviewed by " << reviewer);
      const CommitInfo c = make_commit(msg(std::string("Co-authored-by: Senior One <") + co_author +
                                           ">\nReviewed-by: Senior One <" + reviewer + ">\n"),
                                       identity("Junior One", "junior@example.com"));
      const ReviewOutcome outcome = verify_reviews(
          c, trailgate::trailers::parse(c.message).trailers, policy, "senior", kNow, of(c));
      REQUIRE(outcome.claims.size() == 1);
      CHECK(outcome.claims[0].status == ClaimStatus::co_author);
      CHECK(outcome.verified == 0);
    }
  }
}

TEST_CASE("verify_reviews: an agent commit's named human and the author", "[review][responsible]") {
  const Policy policy = roster();
  const CommitInfo c =
      make_commit(msg("Co-authored-by: Senior One <senior@example.com>\nReviewed-by: Senior One "
                      "<s1@corp.example>\nReviewed-by: Senior Two <senior2@example.com>\n"),
                  kCopilot);
  const auto trailers = trailgate::trailers::parse(c.message).trailers;
  const ReviewOutcome outcome =
      verify_reviews(c, trailers, policy, "senior", kNow,
                     responsibility_of(c, trailers, {kCopilotAuthor}, policy));
  REQUIRE(outcome.claims.size() == 2);
  CHECK(outcome.claims[0].status == ClaimStatus::co_author);
  CHECK_THAT(outcome.claims[0].reason, Catch::Contains("agent-authored commit names"));
  CHECK(outcome.claims[1].status == ClaimStatus::verified);
  CHECK(outcome.verified == 1);

  // The author stays self_review, whatever the Responsibility passed says.
  const CommitInfo own = make_commit(msg("Reviewed-by: Senior One <s1@corp.example>\n"), kSenior);
  const ReviewOutcome self = verify_reviews(own, trailgate::trailers::parse(own.message).trailers,
                                            policy, "senior", kNow, Responsibility{});
  CHECK(self.claims.at(0).status == ClaimStatus::self_review);
}

TEST_CASE("review notes: a responsible human's approval does not count", "[review][responsible]") {
  Policy policy = roster();
  const CommitInfo c = make_commit(msg("Co-authored-by: Mid One <mid@example.com>\n"),
                                   identity("Junior One", "junior@example.com"));
  const std::string note = "Reviewed-by: Mid One <mid@example.com>\nReview-Signature: AAAA\n";
  const ReviewOutcome outcome = verify_note(c, note, policy, "mid", kNow);
  REQUIRE(outcome.claims.size() == 1);
  CHECK(outcome.claims[0].status == ClaimStatus::co_author);
  CHECK(verify_note(c, note, policy, "mid", kNow, of(c)).claims.at(0).status ==
        ClaimStatus::co_author);

  const std::vector<std::string> problems =
      judge_note_change(c, std::nullopt, note, policy, "mid", kNow);
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems[0], Catch::Contains("(co-author)"));
}

TEST_CASE("discount_responsible", "[review][responsible]") {
  const Policy policy = roster();
  const CommitInfo c =
      make_commit(msg("Co-authored-by: Senior One <senior@example.com>\n"), kCopilot);
  const Responsibility r = of(c, {kCopilotAuthor});
  ReviewOutcome outcome;
  outcome.claims.resize(3);
  outcome.claims[0].email = "s1@corp.example";
  outcome.claims[0].status = ClaimStatus::verified;
  outcome.claims[1].email = "senior2@example.com";
  outcome.claims[1].status = ClaimStatus::verified;
  outcome.claims[2].email = "senior@example.com";
  outcome.claims[2].status = ClaimStatus::no_key;
  outcome.verified = 2;
  discount_responsible(outcome, r, policy);
  CHECK(outcome.claims[0].status == ClaimStatus::co_author);
  CHECK_THAT(outcome.claims[0].reason, Catch::StartsWith("Senior One is the human"));
  CHECK(outcome.claims[1].status == ClaimStatus::verified);
  CHECK(outcome.claims[2].status == ClaimStatus::no_key);
  CHECK(outcome.verified == 1);
}
