// Tests of review verification on hand-built commits, trailer lists and policies. Trailer lists
// are written out as git would parse them; which lines form the trailer block is the trailer
// parser's business and has its own tests (pipeline_test covers the two together).

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "model/commit.h"
#include "policy/policy.h"
#include "review/review.h"
#include "support/model.h"
#include "trailers/trailers.h"

namespace {

using trailgate::CommitInfo;
using trailgate::Identity;
using trailgate::Policy;
using trailgate::review::ClaimStatus;
using trailgate::review::email_of;
using trailgate::review::ReviewClaim;
using trailgate::review::ReviewOutcome;
using trailgate::review::verify_reviews;
using trailgate::testing::identity;
using trailgate::testing::make_commit;
using trailgate::testing::roster_person;
using trailgate::trailers::Trailer;
using Trailers = std::vector<Trailer>;

constexpr std::int64_t kNow = 1'750'000'000;  // 2025-06-15

// The roster every scenario uses, unless it says otherwise.
Policy roster_policy() {
  Policy policy;
  policy.review.verification = trailgate::Verification::roster;
  policy.people = {
      roster_person("Sam Senior", {"sam@example.com", "sam@corp.example"}, "senior"),
      roster_person("Pat Principal", {"pat@example.com"}, "principal"),
      roster_person("Mia Mid", {"mia@example.com"}, "mid"),
      roster_person("Jo Junior", {"jo@example.com"}, "junior"),
      roster_person("Alice Author", {"alice@example.com", "alice.alt@example.com"}, "senior"),
      roster_person("Eve Expiring", {"eve@example.com"}, "senior"),
      roster_person("Olga Odd", {"olga@example.com"},
                    "wizard"),  // a level the policy does not know
      roster_person("Sid Second", {"sid@example.com"}, "senior"),
  };
  policy.people[5].expires = kNow;
  return policy;
}

constexpr std::int64_t kAnHourAgo = kNow - 3600;

// A commit written and committed by Dev, who is not on the roster, unless the test says
// otherwise.
CommitInfo commit_by(Identity author,
                     Identity committer = identity("Dev", "dev@example.com", kAnHourAgo)) {
  return make_commit("Change something\n", std::move(author), std::move(committer));
}

CommitInfo dev_commit() {
  return commit_by(identity("Dev", "dev@example.com", kAnHourAgo));
}

Trailer reviewed_by(std::string value) {
  return Trailer{"Reviewed-by", std::move(value)};
}

ReviewOutcome verify(const CommitInfo& commit, const Trailers& trailers,
                     const Policy& policy = roster_policy(), std::string_view min_level = "senior",
                     std::int64_t now = kNow) {
  return verify_reviews(commit, trailers, policy, min_level, now);
}

// The one claim of an outcome that must hold exactly one.
const ReviewClaim& only_claim(const ReviewOutcome& outcome) {
  REQUIRE(outcome.claims.size() == 1);
  return outcome.claims.front();
}

std::vector<ClaimStatus> statuses(const ReviewOutcome& outcome) {
  std::vector<ClaimStatus> out;
  for (const auto& c : outcome.claims)
    out.push_back(c.status);
  return out;
}

}  // namespace

TEST_CASE("review::verify_reviews", "[review]") {
  SECTION("a senior on the roster is a verified review") {
    ReviewOutcome out = verify(dev_commit(), {reviewed_by("Sam Senior <sam@example.com>")});
    const ReviewClaim& c = only_claim(out);
    CHECK(c.status == ClaimStatus::verified);
    CHECK(c.trailer == "Reviewed-by: Sam Senior <sam@example.com>");
    CHECK(c.email == "sam@example.com");
    CHECK(c.person == "Sam Senior");
    CHECK(c.reason.empty());
    CHECK(out.verified == 1);
  }

  SECTION("a principal, above the required level, is a verified review") {
    ReviewOutcome out = verify(dev_commit(), {reviewed_by("Pat Principal <pat@example.com>")});
    CHECK(only_claim(out).status == ClaimStatus::verified);
    CHECK(only_claim(out).person == "Pat Principal");
    CHECK(out.verified == 1);
  }

  SECTION("a junior, below the required level, does not count") {
    ReviewOutcome out = verify(dev_commit(), {reviewed_by("Jo Junior <jo@example.com>")});
    const ReviewClaim& c = only_claim(out);
    CHECK(c.status == ClaimStatus::below_level);
    CHECK(c.email == "jo@example.com");
    CHECK(c.person == "Jo Junior");
    CHECK(c.reason == "Jo Junior is junior; senior or above is required");
    CHECK(out.verified == 0);
  }

  SECTION("the required level decides: mid passes at min_level mid, senior fails at principal") {
    CHECK(only_claim(verify(dev_commit(), {reviewed_by("Mia Mid <mia@example.com>")},
                            roster_policy(), "mid"))
              .status == ClaimStatus::verified);
    CHECK(only_claim(verify(dev_commit(), {reviewed_by("Jo Junior <jo@example.com>")},
                            roster_policy(), "mid"))
              .status == ClaimStatus::below_level);
    ReviewOutcome out = verify(dev_commit(), {reviewed_by("Sam Senior <sam@example.com>")},
                               roster_policy(), "principal");
    CHECK(only_claim(out).status == ClaimStatus::below_level);
    CHECK(only_claim(out).reason == "Sam Senior is senior; principal or above is required");
    CHECK(out.verified == 0);
  }

  SECTION("a person whose level the policy does not know never counts") {
    ReviewOutcome out = verify(dev_commit(), {reviewed_by("Olga Odd <olga@example.com>")},
                               roster_policy(), "junior");
    CHECK(only_claim(out).status == ClaimStatus::below_level);
    CHECK(out.verified == 0);
  }

  SECTION("an address not on the roster does not count") {
    ReviewOutcome out = verify(dev_commit(), {reviewed_by("Nobody <nobody@example.com>")});
    const ReviewClaim& c = only_claim(out);
    CHECK(c.status == ClaimStatus::not_on_roster);
    CHECK(c.email == "nobody@example.com");
    CHECK(c.person.empty());
    CHECK(c.reason == "<nobody@example.com> is not on the policy's roster");
    CHECK(out.verified == 0);
  }

  SECTION("a roster person's name with another address is not on the roster") {
    ReviewOutcome out = verify(dev_commit(), {reviewed_by("Sam Senior <sam@evil.example>")});
    CHECK(only_claim(out).status == ClaimStatus::not_on_roster);
    CHECK(only_claim(out).person.empty());
    CHECK(out.verified == 0);
  }

  SECTION("a roster address is matched case-insensitively and kept as written") {
    ReviewOutcome out = verify(dev_commit(), {reviewed_by("Sam <SAM@Example.COM>")});
    CHECK(only_claim(out).status == ClaimStatus::verified);
    CHECK(only_claim(out).email == "SAM@Example.COM");
    CHECK(only_claim(out).person == "Sam Senior");
    CHECK(out.verified == 1);
  }

  SECTION("a roster person's second address counts like the first") {
    ReviewOutcome out = verify(dev_commit(), {reviewed_by("Sam Senior <sam@corp.example>")});
    CHECK(only_claim(out).status == ClaimStatus::verified);
    CHECK(only_claim(out).person == "Sam Senior");
  }

  SECTION("a value that is not \"Name <email>\" is malformed") {
    auto value =
        GENERATE(as<std::string>{}, "Senior One", "sam@example.com", "<>", "a <b", "Name <no-at>",
                 "Name <sam@example.com", "Name sam@example.com>", "Name <sam @example.com>",
                 "Name <\tsam@example.com>", "Name <sam@example.com>>", "Name >sam@example.com<",
                 "", "Sam Senior <sam@example.com> <bad>", "Sam <sam@example.com> and <>");
    CAPTURE(value);
    ReviewOutcome out = verify(dev_commit(), {reviewed_by(value)});
    const ReviewClaim& c = only_claim(out);
    CHECK(c.status == ClaimStatus::malformed);
    CHECK(c.trailer == "Reviewed-by: " + value);
    CHECK(c.email.empty());
    CHECK(c.person.empty());
    CHECK(c.reason == "the value is not \"Name <email>\"");
    CHECK(out.verified == 0);
  }

  SECTION("the last <...> group is the address; text around it is ignored") {
    CHECK(only_claim(verify(dev_commit(), {reviewed_by("<sam@example.com> trailing")})).status ==
          ClaimStatus::verified);
    CHECK(only_claim(verify(dev_commit(), {reviewed_by("<sam@example.com>")})).status ==
          ClaimStatus::verified);
    ReviewOutcome out =
        verify(dev_commit(), {reviewed_by("Jo Junior <jo@example.com> for Sam <sam@example.com>")});
    CHECK(only_claim(out).email == "sam@example.com");
    CHECK(only_claim(out).status == ClaimStatus::verified);
  }

  SECTION("the author cannot review their own commit, under their primary address") {
    CommitInfo c = commit_by(identity("Alice Author", "alice@example.com", kAnHourAgo));
    ReviewOutcome out = verify(c, {reviewed_by("Alice Author <alice@example.com>")});
    const ReviewClaim& claim = only_claim(out);
    CHECK(claim.status == ClaimStatus::self_review);
    CHECK(claim.email == "alice@example.com");
    CHECK(claim.person == "Alice Author");
    CHECK(claim.reason == "Alice Author is the commit's author and cannot review it");
    CHECK(out.verified == 0);
  }

  SECTION("the author cannot review their own commit under their second address") {
    CommitInfo c = commit_by(identity("Alice Author", "alice@example.com", kAnHourAgo));
    CHECK(only_claim(verify(c, {reviewed_by("Alice <alice.alt@example.com>")})).status ==
          ClaimStatus::self_review);
    CommitInfo alt = commit_by(identity("Alice", "alice.alt@example.com", kAnHourAgo));
    CHECK(only_claim(verify(alt, {reviewed_by("Alice <alice@example.com>")})).status ==
          ClaimStatus::self_review);
  }

  SECTION("self-review is found whatever the case of either address") {
    CommitInfo c = commit_by(identity("Alice", "ALICE@Example.com", kAnHourAgo));
    ReviewOutcome out = verify(c, {reviewed_by("Alice <alice.ALT@example.COM>")});
    CHECK(only_claim(out).status == ClaimStatus::self_review);
    CHECK(out.verified == 0);
  }

  SECTION("a reviewer who became the committer (amend, git am) is not self-reviewing") {
    CommitInfo c = commit_by(identity("Dev", "dev@example.com", kAnHourAgo),
                             identity("Sam", "sam@example.com", kAnHourAgo));
    ReviewOutcome out = verify(c, {reviewed_by("Sam Senior <sam@example.com>")});
    CHECK(only_claim(out).status == ClaimStatus::verified);
    CHECK(out.verified == 1);
  }

  SECTION("the author's name alone does not make a review self-review") {
    CommitInfo c = commit_by(identity("Sam Senior", "dev@example.com", kAnHourAgo));
    CHECK(only_claim(verify(c, {reviewed_by("Sam Senior <sam@example.com>")})).status ==
          ClaimStatus::verified);
  }

  SECTION("a roster entry expires at its expiry time, not one second later") {
    Trailers eve = {reviewed_by("Eve Expiring <eve@example.com>")};
    ReviewOutcome before = verify(dev_commit(), eve, roster_policy(), "senior", kNow - 1);
    CHECK(only_claim(before).status == ClaimStatus::verified);
    CHECK(before.verified == 1);

    ReviewOutcome at = verify(dev_commit(), eve, roster_policy(), "senior", kNow);
    CHECK(only_claim(at).status == ClaimStatus::expired);
    CHECK(only_claim(at).person == "Eve Expiring");
    CHECK(only_claim(at).reason == "Eve Expiring's roster entry has expired");
    CHECK(at.verified == 0);

    ReviewOutcome after = verify(dev_commit(), eve, roster_policy(), "senior", kNow + 86400);
    CHECK(only_claim(after).status == ClaimStatus::expired);
    CHECK(after.verified == 0);
  }

  SECTION("a roster entry without an expiry never expires") {
    CHECK(only_claim(verify(dev_commit(), {reviewed_by("Sam <sam@example.com>")}, roster_policy(),
                            "senior", INT64_MAX))
              .status == ClaimStatus::verified);
  }

  SECTION("the same person twice is one approval") {
    ReviewOutcome out = verify(dev_commit(), {reviewed_by("Sam Senior <sam@example.com>"),
                                              reviewed_by("Sam Senior <sam@example.com>")});
    REQUIRE(out.claims.size() == 2);
    CHECK(out.claims[0].status == ClaimStatus::verified);
    CHECK(out.claims[1].status == ClaimStatus::duplicate);
    CHECK(out.claims[1].person == "Sam Senior");
    CHECK(out.claims[1].email == "sam@example.com");
    CHECK(out.claims[1].reason == "Sam Senior already approved this commit");
    CHECK(out.verified == 1);
  }

  SECTION("the same person under two addresses is one approval") {
    ReviewOutcome out = verify(dev_commit(), {reviewed_by("Sam Senior <sam@corp.example>"),
                                              reviewed_by("Sam <SAM@example.com>")});
    CHECK(statuses(out) == std::vector<ClaimStatus>{ClaimStatus::verified, ClaimStatus::duplicate});
    CHECK(out.claims[1].email == "SAM@example.com");
    CHECK(out.verified == 1);
  }

  SECTION("a claim that did not count does not make a later one a duplicate") {
    ReviewOutcome out = verify(
        dev_commit(), {reviewed_by("Sam <sam@example.com"), reviewed_by("Sam <sam@example.com>")});
    CHECK(statuses(out) == std::vector<ClaimStatus>{ClaimStatus::malformed, ClaimStatus::verified});
    CHECK(out.verified == 1);
  }

  SECTION("two distinct seniors are two approvals") {
    ReviewOutcome out = verify(dev_commit(), {reviewed_by("Sam Senior <sam@example.com>"),
                                              reviewed_by("Sid Second <sid@example.com>")});
    CHECK(statuses(out) == std::vector<ClaimStatus>{ClaimStatus::verified, ClaimStatus::verified});
    CHECK(out.verified == 2);
  }

  SECTION("custom review keys replace Reviewed-by") {
    Policy policy = roster_policy();
    policy.review.trailer_keys = {"Approved-by"};
    ReviewOutcome out = verify(dev_commit(),
                               {reviewed_by("Pat Principal <pat@example.com>"),
                                Trailer{"Approved-by", "Sam Senior <sam@example.com>"}},
                               policy);
    const ReviewClaim& c = only_claim(out);
    CHECK(c.trailer == "Approved-by: Sam Senior <sam@example.com>");
    CHECK(c.status == ClaimStatus::verified);
    CHECK(out.verified == 1);
  }

  SECTION("several review keys all count, and one person under two keys is one approval") {
    Policy policy = roster_policy();
    policy.review.trailer_keys = {"Reviewed-by", "Approved-by"};
    ReviewOutcome out = verify(dev_commit(),
                               {Trailer{"Approved-by", "Sam Senior <sam@example.com>"},
                                reviewed_by("Sam Senior <sam@example.com>"),
                                reviewed_by("Pat Principal <pat@example.com>")},
                               policy);
    CHECK(statuses(out) == std::vector<ClaimStatus>{ClaimStatus::verified, ClaimStatus::duplicate,
                                                    ClaimStatus::verified});
    CHECK(out.verified == 2);
  }

  SECTION("review keys match case-insensitively; the claim shows the key as written") {
    ReviewOutcome out = verify(dev_commit(), {Trailer{"reviewed-BY", "Sam <sam@example.com>"}});
    CHECK(only_claim(out).status == ClaimStatus::verified);
    CHECK(only_claim(out).trailer == "reviewed-BY: Sam <sam@example.com>");
    CHECK(out.verified == 1);

    Policy policy = roster_policy();
    policy.review.trailer_keys = {"approved-BY"};
    CHECK(
        verify(dev_commit(), {Trailer{"APPROVED-by", "Sam <sam@example.com>"}}, policy).verified ==
        1);
  }

  SECTION("other trailers, and keys that merely resemble a review key, are ignored") {
    ReviewOutcome out = verify(dev_commit(), {Trailer{"Signed-off-by", "Sam <sam@example.com>"},
                                              Trailer{"Acked-by", "Sam <sam@example.com>"},
                                              Trailer{"Tested-by", "Sam <sam@example.com>"},
                                              Trailer{"Co-authored-by", "Sam <sam@example.com>"},
                                              Trailer{"Reviewed", "Sam <sam@example.com>"},
                                              Trailer{"Reviewed-by-bot", "Sam <sam@example.com>"},
                                              Trailer{"Reviewed-by ", "Sam <sam@example.com>"}});
    CHECK(out.claims.empty());
    CHECK(out.verified == 0);
  }

  SECTION("no trailers, no claims") {
    ReviewOutcome out = verify(dev_commit(), {});
    CHECK(out.claims.empty());
    CHECK(out.verified == 0);
  }

  SECTION("checks run in order: the first failing one is the reason") {
    // A junior who wrote the commit: self-review comes before the level.
    CommitInfo by_jo = commit_by(identity("Jo", "jo@example.com", kAnHourAgo));
    CHECK(only_claim(verify(by_jo, {reviewed_by("Jo <jo@example.com>")})).status ==
          ClaimStatus::self_review);
    // An expired author: self-review comes before expiry.
    CommitInfo by_eve = commit_by(identity("Eve", "eve@example.com", kAnHourAgo));
    CHECK(only_claim(verify(by_eve, {reviewed_by("Eve <eve@example.com>")})).status ==
          ClaimStatus::self_review);
    // Expired and below the level: the level comes before expiry.
    CHECK(only_claim(verify(dev_commit(), {reviewed_by("Eve <eve@example.com>")}, roster_policy(),
                            "principal"))
              .status == ClaimStatus::below_level);
  }

  SECTION("claims are kept in message order, every one of them") {
    CommitInfo c = commit_by(identity("Alice", "alice@example.com", kAnHourAgo));
    ReviewOutcome out =
        verify(c, {reviewed_by("Sam <sam@example.com>"), reviewed_by("nobody"),
                   reviewed_by("X <x@example.com>"), reviewed_by("A <alice@example.com>"),
                   reviewed_by("Jo <jo@example.com>"), reviewed_by("E <eve@example.com>"),
                   reviewed_by("S <sam@corp.example>"), reviewed_by("P <pat@example.com>")});
    CHECK(statuses(out) == std::vector<ClaimStatus>{ClaimStatus::verified, ClaimStatus::malformed,
                                                    ClaimStatus::not_on_roster,
                                                    ClaimStatus::self_review,
                                                    ClaimStatus::below_level, ClaimStatus::expired,
                                                    ClaimStatus::duplicate, ClaimStatus::verified});
    CHECK(out.verified == 2);
  }
}

TEST_CASE("review::email_of", "[review]") {
  SECTION("the address inside the last <...> group") {
    CHECK(email_of("Sam Senior <sam@example.com>") == "sam@example.com");
    CHECK(email_of("<sam@example.com>") == "sam@example.com");
    CHECK(email_of("<x@y> trailing") == "x@y");
    CHECK(email_of("A <a@x> B <b@y>") == "b@y");
    CHECK(email_of("Name <<sam@example.com>") == "sam@example.com");
    CHECK(email_of("Name <Sam.Senior+git@Example.COM>") == "Sam.Senior+git@Example.COM");
  }

  SECTION("empty when there is no usable address") {
    CHECK(email_of("") == "");
    CHECK(email_of("Senior One") == "");
    CHECK(email_of("sam@example.com") == "");
    CHECK(email_of("<>") == "");
    CHECK(email_of("a <b") == "");
    CHECK(email_of("Name <no-at>") == "");
    CHECK(email_of("Name <sam@example.com") == "");
    CHECK(email_of("Name sam@example.com>") == "");
    CHECK(email_of("Name >sam@example.com<") == "");
    CHECK(email_of("Name <sam @example.com>") == "");
    CHECK(email_of("Name <sam@example.com\t>") == "");
    CHECK(email_of("Name <sam@example.com>>") == "");
    CHECK(email_of("Name <a<b@x>>") == "");
    CHECK(email_of("Name <x@y> <bad>") == "");
    CHECK(email_of("Name <x@y> a>b") == "");
  }
}

TEST_CASE("review::to_string(ClaimStatus)", "[review]") {
  using trailgate::review::to_string;
  CHECK(to_string(ClaimStatus::verified) == "verified");
  CHECK(to_string(ClaimStatus::malformed) == "malformed");
  CHECK(to_string(ClaimStatus::not_on_roster) == "not-on-roster");
  CHECK(to_string(ClaimStatus::self_review) == "self-review");
  CHECK(to_string(ClaimStatus::below_level) == "below-level");
  CHECK(to_string(ClaimStatus::expired) == "expired");
  CHECK(to_string(ClaimStatus::duplicate) == "duplicate");
}

TEST_CASE("review::email_skeleton", "[review]") {
  using trailgate::review::email_skeleton;
  SECTION("ASCII case folds") {
    CHECK(email_skeleton("Sam@Example.COM") == email_skeleton("sam@example.com"));
  }
  SECTION("Cyrillic and Greek look-alikes fold to the Latin letter") {
    CHECK(email_skeleton("s\xd0\xb0m@example.com") == "sam@example.com");  // Cyrillic a
    CHECK(email_skeleton("sam@\xd0\xb5xample.com") == "sam@example.com");  // Cyrillic e
    CHECK(email_skeleton("sam@examp\xd3\x8f"
                         "e.com") == "sam@example.com");                   // Cyrillic palochka
    CHECK(email_skeleton("sam@example.c\xce\xbfm") == "sam@example.com");  // Greek omicron
    CHECK(email_skeleton("S\xd0\x90M@EXAMPLE.COM") == "sam@example.com");  // Cyrillic A
  }
  SECTION("fullwidth forms fold to ASCII, invisible characters vanish") {
    CHECK(email_skeleton("\xef\xbd\x93"
                         "am@example.com") == "sam@example.com");  // U+FF53
    CHECK(email_skeleton("s\xe2\x80\x8b"
                         "am@example.com") == "sam@example.com");  // U+200B
    CHECK(email_skeleton("s\xc2\xad"
                         "am@example.com") == "sam@example.com");  // soft hyphen
  }
  SECTION("other letters and bad bytes stay distinct") {
    CHECK(email_skeleton("s\xc3\xa4m@example.com") != "sam@example.com");  // a with diaeresis
    CHECK(email_skeleton("s\xff"
                         "am@example.com") != "sam@example.com");
    CHECK(email_skeleton("s\xff"
                         "am@example.com") != email_skeleton("s\xfe"
                                                             "am@example.com"));
    CHECK(email_skeleton("sam@example.com\xd0") != "sam@example.com");
    CHECK(email_skeleton("s\xd1\xb0"
                         "am@example.com") ==
          "s\xd1\xb0"
          "am@example.com");
  }
}

TEST_CASE("review::verify_reviews with look-alike emails", "[review]") {
  SECTION("the author under a Cyrillic look-alike of their own email: self-review") {
    CommitInfo c = commit_by(identity("Sam Senior", "s\xd0\xb0m@example.com", kAnHourAgo));
    ReviewOutcome out = verify(c, {reviewed_by("Sam Senior <sam@example.com>")});
    CHECK(only_claim(out).status == ClaimStatus::self_review);
    CHECK(out.verified == 0);
  }
  SECTION("the author under a fullwidth look-alike of their second email: self-review") {
    CommitInfo c = commit_by(identity("Sam", "sam@corp.exampl\xef\xbd\x85", kAnHourAgo));
    CHECK(only_claim(verify(c, {reviewed_by("Sam Senior <sam@example.com>")})).status ==
          ClaimStatus::self_review);
  }
  SECTION("a reviewer under a look-alike of a roster email is not on the roster, and told so") {
    ReviewOutcome out = verify(dev_commit(), {reviewed_by("Sam Senior <s\xd0\xb0m@example.com>")});
    const ReviewClaim& claim = only_claim(out);
    CHECK(claim.status == ClaimStatus::not_on_roster);
    CHECK_THAT(claim.reason, Catch::Contains("only looks like <sam@example.com>"));
    CHECK(out.verified == 0);
  }
  SECTION("another person whose email merely differs in an accented letter is not the author") {
    CommitInfo c = commit_by(identity("Sém", "s\xc3\xa9m@example.com", kAnHourAgo));
    CHECK(only_claim(verify(c, {reviewed_by("Sam Senior <sam@example.com>")})).status ==
          ClaimStatus::verified);
  }
}

TEST_CASE("review::verify_reviews in a commit with a foreign encoding", "[review]") {
  CommitInfo c = dev_commit();
  SECTION("UTF-8 spelled any way git accepts counts") {
    for (const char* e : {"", "UTF-8", "utf8", "Utf-8"}) {
      c.encoding = e;
      CHECK(only_claim(verify(c, {reviewed_by("Sam Senior <sam@example.com>")})).status ==
            ClaimStatus::verified);
    }
  }
  SECTION("any other encoding: no review counts") {
    for (const char* e : {"ISO-8859-1", "IBM037", "UTF-16", "X-NO-SUCH"}) {
      c.encoding = e;
      const ReviewOutcome out = verify(c, {reviewed_by("Sam Senior <sam@example.com>")});
      CHECK(only_claim(out).status == ClaimStatus::malformed);
      CHECK_THAT(only_claim(out).reason, Catch::Contains("declares encoding"));
    }
  }
}

TEST_CASE("review::verify_reviews lists reviews only a decoded reading shows", "[review]") {
  CommitInfo c = dev_commit();
  c.encoding = "IBM037";
  c.decoded_messages = {"Sub\n\nReviewed-by: Sam Senior <sam@example.com>\n",
                        "Sub\n\nBody\n\nReviewed-by: Sam Senior <sam@example.com>\n"};
  ReviewOutcome out = verify(c, {});
  const ReviewClaim& claim = only_claim(out);
  CHECK(claim.trailer == "Reviewed-by: Sam Senior <sam@example.com>");
  CHECK(claim.status == ClaimStatus::malformed);
  CHECK_THAT(claim.reason, Catch::Contains("declares encoding \"IBM037\""));
  CHECK(out.verified == 0);
}

TEST_CASE("review::verify_reviews judges nothing over the per-commit limits", "[review]") {
  using trailgate::review::kMaxReviewTrailers;
  using trailgate::review::kMaxSignatureTrailers;
  Trailers at_limit(kMaxReviewTrailers, reviewed_by("Sam Senior <sam@example.com>"));
  ReviewOutcome outcome = verify(dev_commit(), at_limit);
  CHECK(outcome.over_limit.empty());
  CHECK(outcome.verified == 1);
  CHECK(outcome.claims.size() == kMaxReviewTrailers);

  SECTION("one review trailer too many") {
    Trailers over = at_limit;
    over.push_back(reviewed_by("Pat Principal <pat@example.com>"));
    ReviewOutcome o = verify(dev_commit(), over);
    CHECK(o.verified == 0);
    CHECK(o.claims.empty());
    CHECK(o.over_limit == "it carries 33 review trailers; trailgate judges at most 32 per commit");
  }
  SECTION("one signature trailer too many, even under roster verification") {
    Trailers over = {reviewed_by("Sam Senior <sam@example.com>")};
    for (std::size_t i = 0; i <= kMaxSignatureTrailers; ++i)
      over.push_back(Trailer{"Review-Signature", "AAAA"});
    ReviewOutcome o = verify(dev_commit(), over);
    CHECK(o.verified == 0);
    CHECK(o.claims.empty());
    CHECK(o.over_limit ==
          "it carries 33 Review-Signature trailers; trailgate judges at most 32 per commit");
  }
  SECTION("review keys compare as git compares them") {
    Trailers over = at_limit;
    over.push_back(Trailer{"REVIEWED-BY", "Pat Principal <pat@example.com>"});
    CHECK(!verify(dev_commit(), over).over_limit.empty());
  }
}

TEST_CASE("review::verify_reviews: a huge signature trailer is not decoded", "[review]") {
  Policy policy = roster_policy();
  policy.review.verification = trailgate::Verification::signature;
  trailgate::PersonKey key;
  key.key.blob = "a key blob";
  policy.people[0].keys = {key};
  const std::string huge(trailgate::review::kMaxSignatureChars + 4, 'A');
  ReviewOutcome outcome = verify(
      dev_commit(),
      {reviewed_by("Sam Senior <sam@example.com>"), Trailer{"Review-Signature", huge}}, policy);
  const ReviewClaim& claim = only_claim(outcome);
  CHECK(claim.status == ClaimStatus::bad_signature);
  CHECK_THAT(claim.reason, Catch::Contains("16388 characters long"));
}
