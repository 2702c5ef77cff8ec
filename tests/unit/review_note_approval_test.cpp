// Tests of the review-note format and of the append-only rule for note changes. Signatures
// that verify are covered end to end (tests/e2e/review_notes_test.cpp, real ssh-keygen); here
// the point is the grammar and which changes are refused before any signature is looked at.
#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "review/note_approval.h"
#include "support/model.h"

namespace {

using namespace std::string_literals;
using trailgate::CommitInfo;
using trailgate::Policy;
using trailgate::ReviewSettings;
using trailgate::review::format_note_approval;
using trailgate::review::judge_note_change;
using trailgate::review::parse_note;
using trailgate::review::verify_note;
using trailgate::testing::identity;
using trailgate::testing::make_commit;
using trailgate::testing::roster_person;

constexpr std::int64_t kNow = 1'750'000'000;

Policy roster() {
  Policy policy;
  policy.people = {roster_person("Sam Senior", {"sam@example.com"}, "senior")};
  return policy;
}

CommitInfo commit() {
  CommitInfo c = make_commit("Change something\n", identity("Dev", "dev@example.com"));
  c.tree_id = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
  return c;
}

const std::string kApproval = "Reviewed-by: Sam Senior <sam@example.com>\nReview-Signature: AAAA\n";

}  // namespace

TEST_CASE("note format: one approval is a review line then a signature line", "[notes]") {
  ReviewSettings settings;
  CHECK(format_note_approval(settings, "Sam Senior <sam@example.com>", "AAAA") == kApproval);
  auto parsed = parse_note(kApproval + kApproval, settings);
  REQUIRE(parsed.error.empty());
  REQUIRE(parsed.trailers.size() == 4);
  CHECK(parsed.trailers[0].key == "Reviewed-by");
  CHECK(parsed.trailers[0].value == "Sam Senior <sam@example.com>");
  CHECK(parsed.trailers[1].key == "Review-Signature");
  CHECK(parsed.trailers[1].value == "AAAA");
  // Keys compare as git compares trailer keys; the policy's own keys are used.
  CHECK(parse_note("reviewed-BY: S <s@example.com>\nreview-signature: AAAA\n", settings)
            .error.empty());
  settings.trailer_keys = {"Approved-by"};
  settings.signature_key = "Approval-Sig";
  CHECK(parse_note("Approved-by: S <s@example.com>\nApproval-Sig: AAAA\n", settings).error.empty());
  CHECK_FALSE(parse_note(kApproval, settings).error.empty());
}

TEST_CASE("note format: everything else is malformed, with the line named", "[notes]") {
  ReviewSettings settings;
  struct Case {
    std::string text;
    std::string error;
  };
  const Case cases[] = {
      {"", "note line 1: the note is empty"},
      {"Reviewed-by: S <s@example.com>", "note line 1: the note does not end with a line feed"},
      {"LGTM\n", "note line 1: expected \"Key: value\""},
      {": x\n", "note line 1: expected \"Key: value\""},
      {"Review-Signature: AAAA\n", "note line 1: expected a Reviewed-by line"},
      {"Reviewed-by: S <s@example.com>\n",
       "note line 1: the last approval has no "
       "Review-Signature line"},
      {"Reviewed-by: S <s@example.com>\nReviewed-by: T <t@example.com>\n",
       "note line 2: expected a Review-Signature line"},
      {"Reviewed-by: S <s@example.com>\nReview-Signature: AAAA\n\n",
       "note line 3: expected \"Key: value\""},
      {"Reviewed-by: S <s@example.com>\r\nReview-Signature: AAAA\n",
       "note line 1: the value is empty, padded or holds control characters"},
      {"Reviewed-by:  S <s@example.com>\nReview-Signature: AAAA\n",
       "note line 1: the value is empty, padded or holds control characters"},
      {"Reviewed-by: S <s@example.com>\nReview-Signature: \n",
       "note line 2: the value is empty, padded or holds control characters"},
      {"Reviewed-by: S\0 <s@example.com>\nReview-Signature: AAAA\n"s,
       "note line 1: the value is empty, padded or holds control characters"},
      {"Reviewed-by: S <s@example.com>\n Review-Signature: AAAA\n",
       "note line 2: expected a Review-Signature line"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto parsed = parse_note(c.text, settings);
    CHECK(parsed.error == c.error);
    CHECK(parsed.trailers.empty());
  }
  std::string huge(trailgate::review::kMaxNoteBytes + 1, 'x');
  CHECK(parse_note(huge, settings).error == "note line 1: the note is larger than 1048576 bytes");
}

TEST_CASE("note changes: only appending is allowed", "[notes]") {
  Policy policy = roster();
  CommitInfo c = commit();
  std::optional<std::string> none;
  // No change at all, and no note before or after, are fine.
  CHECK(judge_note_change(c, none, none, policy, "senior", kNow).empty());
  CHECK(judge_note_change(c, kApproval, kApproval, policy, "senior", kNow).empty());
  // Removing or altering bytes is refused before anything is verified.
  CHECK(judge_note_change(c, kApproval, none, policy, "senior", kNow) ==
        std::vector<std::string>{"it deletes the approval note; approvals are append-only"});
  const std::string altered = "Reviewed-by: Sam Senior <sam@example.com>\nReview-Signature: AAAB\n";
  CHECK(judge_note_change(c, kApproval, altered, policy, "senior", kNow) ==
        std::vector<std::string>{
            "it alters existing approvals; a note may only grow by appending approvals"});
  CHECK(judge_note_change(c, kApproval, kApproval.substr(0, 10), policy, "senior", kNow).size() ==
        1);
  // Appending garbage is malformed.
  auto garbage = judge_note_change(c, kApproval, kApproval + "LGTM\n", policy, "senior", kNow);
  CHECK(garbage == std::vector<std::string>{"note line 3: expected \"Key: value\""});
}

TEST_CASE("note changes: an added approval must verify, with a signature", "[notes]") {
  // Even under roster verification a note needs a signature: it can be pushed on its own.
  Policy policy = roster();
  policy.review.verification = trailgate::Verification::roster;
  CommitInfo c = commit();
  auto problems = judge_note_change(c, std::nullopt, kApproval, policy, "senior", kNow);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find("does not verify (no-key)") != std::string::npos);
  CHECK(verify_note(c, kApproval, policy, "senior", kNow).verified == 0);

  // Someone off the roster, or the author, is refused for that reason.
  const std::string stranger = "Reviewed-by: Eve <eve@example.com>\nReview-Signature: AAAA\n";
  problems = judge_note_change(c, std::nullopt, stranger, policy, "senior", kNow);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find("(not-on-roster)") != std::string::npos);
  c.author.email = "sam@example.com";
  problems = judge_note_change(c, std::nullopt, kApproval, policy, "senior", kNow);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find("(self-review)") != std::string::npos);
  // A malformed note verifies nothing.
  CHECK(verify_note(c, "LGTM\n", policy, "senior", kNow).claims.empty());
}

TEST_CASE("note change: the text is judged before any commit or history", "[notes]") {
  using trailgate::review::note_change_format_problem;
  ReviewSettings settings;
  CHECK(!note_change_format_problem(std::nullopt, kApproval, settings));
  CHECK(!note_change_format_problem(kApproval, kApproval, settings));
  CHECK(!note_change_format_problem(kApproval, kApproval + kApproval, settings));
  CHECK(note_change_format_problem(std::nullopt, "garbage\n", settings) ==
        "note line 1: expected \"Key: value\"");
  CHECK(note_change_format_problem(kApproval + kApproval, kApproval, settings) ==
        "it alters existing approvals; a note may only grow by appending approvals");
}

TEST_CASE("note change: more approvals than a commit may carry is a problem", "[notes]") {
  std::string note;
  for (std::size_t i = 0; i <= trailgate::review::kMaxReviewTrailers; ++i)
    note += kApproval;
  auto problems = judge_note_change(commit(), std::nullopt, note, roster(), "senior", kNow);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0] ==
        "the note holds too many approvals: it carries 33 review trailers; trailgate judges at "
        "most 32 per commit");
}
