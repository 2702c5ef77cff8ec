// review::review_payload and review::normalized_message on hand-built commits, against the
// byte-exact format of docs/payload.md. The messages with review trailers added are what
// `git interpret-trailers --no-divider --trailer ...` (git 2.39.5) printed for the message before
// it, copied here byte for byte so that the test stays pure.
#include "review/payload.h"

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "model/commit.h"

namespace {

using trailgate::CommitInfo;
using trailgate::Identity;
using trailgate::review::kPayloadFormat;
using trailgate::review::normalized_message;
using trailgate::review::PayloadContext;
using trailgate::review::review_payload;

using namespace std::string_literals;

constexpr std::string_view kTree = "2f596bf181da3dc72bb0c85e803021ff7e8f5350";
constexpr std::string_view kParent = "7886d3e5a86f9ccfa18b173d9694c1a36a5c4215";
constexpr std::string_view kParentTree = "34a60187b8ad77c08df566cbd7ca5ec20d585124";
constexpr std::string_view kOtherTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
constexpr std::string_view kReviewer = "sam@example.com";

// Two signature values as a reviewer's trailer would carry them (shortened: the payload never
// looks inside them).
constexpr std::string_view kSig1 = "U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTk=";
constexpr std::string_view kSig2 = "U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU2";

// The policy's defaults: review key Reviewed-by, signature key Review-Signature.
PayloadContext default_context(std::vector<std::string> parent_trees = {std::string(kParentTree)}) {
  PayloadContext context;
  context.parent_tree_ids = std::move(parent_trees);
  context.review_keys = {"Reviewed-by"};
  context.signature_key = "Review-Signature";
  context.sig_namespace = "trailgate-review";
  return context;
}

Identity ident(std::string name, std::string email, std::int64_t time, int offset_minutes) {
  Identity id;
  id.name = std::move(name);
  id.email = std::move(email);
  id.time = time;
  id.offset_minutes = offset_minutes;
  return id;
}

// The commit of the worked example in docs/payload.md, as git::Repository would read it.
CommitInfo example_commit() {
  CommitInfo commit;
  commit.id = "9d1e4a7f3b0c2d5e6f708192a3b4c5d6e7f80912";
  commit.tree_id = std::string(kTree);
  commit.parent_ids = {std::string(kParent)};
  commit.author = ident("Alice Author", "alice@example.com", 1700000000, 120);
  commit.committer = ident("Alice Author", "alice@example.com", 1700000000, 120);
  commit.message =
      "Retry the billing job on timeout\n"
      "\n"
      "The nightly job gave up after one timeout.\n"
      "\n"
      "Co-authored-by: Claude <noreply@anthropic.com>\n";
  return commit;
}

std::string payload_of(const CommitInfo& commit, std::string_view reviewer = kReviewer) {
  return review_payload(commit, default_context(), reviewer);
}

std::string normalized(std::string_view message) {
  return normalized_message(message, default_context());
}

// The example commit with `message` as its message.
CommitInfo with_message(std::string message) {
  CommitInfo commit = example_commit();
  commit.message = std::move(message);
  return commit;
}

// A payload read back by the rules of docs/payload.md: header lines up to "message <N>", then
// exactly N bytes. nullopt when the bytes do not follow the format.
struct ParsedPayload {
  std::string sig_namespace;
  std::string tree;
  std::vector<std::string> parent_trees;
  std::string author;
  std::string reviewer;
  std::string message;
};

std::optional<ParsedPayload> parse_payload(std::string_view payload) {
  auto next_line = [&payload]() -> std::optional<std::string_view> {
    const std::size_t nl = payload.find('\n');
    if (nl == std::string_view::npos) {
      return std::nullopt;
    }
    std::string_view line = payload.substr(0, nl);
    payload.remove_prefix(nl + 1);
    return line;
  };
  auto field = [](std::string_view line, std::string_view name) -> std::optional<std::string> {
    if (!line.starts_with(name) || line.size() <= name.size() || line[name.size()] != ' ') {
      return std::nullopt;
    }
    return std::string(line.substr(name.size() + 1));
  };
  ParsedPayload parsed;
  auto line = next_line();
  if (!line || *line != kPayloadFormat) {
    return std::nullopt;
  }
  line = next_line();
  auto ns = line ? field(*line, "namespace") : std::nullopt;
  line = next_line();
  auto tree = line ? field(*line, "tree") : std::nullopt;
  if (!ns || !tree) {
    return std::nullopt;
  }
  parsed.sig_namespace = *ns;
  parsed.tree = *tree;
  for (line = next_line(); line; line = next_line()) {
    auto parent = field(*line, "parent-tree");
    if (!parent) {
      break;
    }
    parsed.parent_trees.push_back(*parent);
  }
  auto author = line ? field(*line, "author") : std::nullopt;
  line = next_line();
  auto reviewer = line ? field(*line, "reviewer") : std::nullopt;
  line = next_line();
  auto length = line ? field(*line, "message") : std::nullopt;
  if (!author || !reviewer || !length || length->empty() ||
      length->find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(*length) != payload.size()) {
    return std::nullopt;
  }
  parsed.author = *author;
  parsed.reviewer = *reviewer;
  parsed.message = std::string(payload);
  return parsed;
}

// A commit message before and after reviewers approved it, as git interpret-trailers wrote it.
struct Approval {
  std::string before;
  std::string one_review;   // + Reviewed-by and Review-Signature of a first reviewer
  std::string two_reviews;  // + those of a second reviewer
};

std::vector<Approval> approvals_by_git() {
  const std::string r1 =
      "Reviewed-by: Sam Senior <sam@example.com>\nReview-Signature: " + std::string(kSig1) + "\n";
  const std::string r2 =
      "Reviewed-by: Pat Principal <pat@example.com>\nReview-Signature: " + std::string(kSig2) +
      "\n";
  auto approved = [&](std::string before, std::string prefix, std::string suffix = "") {
    return Approval{std::move(before), prefix + r1 + suffix, prefix + r1 + r2 + suffix};
  };
  const std::string coauthor = "Co-authored-by: Claude <noreply@anthropic.com>\n";
  const std::string signoff = "Signed-off-by: Alice Author <alice@example.com>\n";
  return {
      // no trailer block: git adds a blank line and a new block
      approved("Subject\n", "Subject\n\n"),
      approved("Subject\n\nBody line one.\nBody line two.\n",
               "Subject\n\nBody line one.\nBody line two.\n\n"),
      // appended to an existing block of other trailers
      approved("Subject\n\nBody\n\n" + coauthor, "Subject\n\nBody\n\n" + coauthor),
      approved("Subject\n\nBody\n\n" + coauthor + signoff,
               "Subject\n\nBody\n\n" + coauthor + signoff),
      // a block that is a block only by the 25% rule, thanks to Signed-off-by
      approved("Subject\n\nText\nmore text\n" + signoff, "Subject\n\nText\nmore text\n" + signoff),
      // a last paragraph that is not a block: git starts a new one after it
      approved("Subject\n\nSome text\nCo-authored-by: A <a@x>\n",
               "Subject\n\nSome text\nCo-authored-by: A <a@x>\n\n"),
      // CRLF messages; git appends with LF
      approved("Subject\r\n\r\nBody\r\n", "Subject\r\n\r\nBody\r\n\n"),
      approved("Subject\r\n\r\nBody\r\n\r\nSigned-off-by: Alice Author <alice@example.com>\r\n",
               "Subject\r\n\r\nBody\r\n\r\nSigned-off-by: Alice Author <alice@example.com>\r\n"),
      // non-UTF-8 bytes
      approved("Subject \xff\xfe\n\nBody \xc3\xa9\x80\n",
               "Subject \xff\xfe\n\nBody \xc3\xa9\x80\n\n"),
      // trailing empty lines: git puts the block before them
      approved("Subject\n\nBody\n\n\n", "Subject\n\nBody\n\n", "\n\n"),
      // leading blank lines stay
      approved("\n\nSubject\n\nBody\n", "\n\nSubject\n\nBody\n\n"),
      // a Reviewed-by line in a body paragraph is prose and stays
      approved("Subject\n\nReviewed-by: Not A Trailer <x@y> is prose here\nand more prose.\n\n" +
                   std::string("Co-authored-by: A <a@x>\n"),
               "Subject\n\nReviewed-by: Not A Trailer <x@y> is prose here\nand more prose.\n\n" +
                   std::string("Co-authored-by: A <a@x>\n")),
  };
}

}  // namespace

TEST_CASE("review::payload", "[review]") {
  // --- the format, byte for byte ----------------------------------------------------------

  SECTION("the worked example of docs/payload.md, byte for byte") {
    CommitInfo commit = example_commit();
    commit.message +=
        "Reviewed-by: Sam Senior <sam@example.com>\n"
        "Review-Signature: " +
        std::string(kSig1) + "\n";
    const std::string expected =
        "trailgate-review-payload v1\n"
        "namespace trailgate-review\n"
        "tree 2f596bf181da3dc72bb0c85e803021ff7e8f5350\n"
        "parent-tree 34a60187b8ad77c08df566cbd7ca5ec20d585124\n"
        "author Alice Author <alice@example.com> 1700000000 +0200\n"
        "reviewer sam@example.com\n"
        "message 125\n"
        "Retry the billing job on timeout\n"
        "\n"
        "The nightly job gave up after one timeout.\n"
        "\n"
        "Co-authored-by: Claude <noreply@anthropic.com>\n";
    CHECK(payload_of(commit) == expected);
    CHECK(payload_of(example_commit()) == expected);
  }
  SECTION("a root commit has no parent-tree line") {
    CommitInfo commit = example_commit();
    commit.parent_ids.clear();
    const std::string payload = review_payload(commit, default_context({}), kReviewer);
    CHECK(payload.find("parent-tree") == std::string::npos);
    CHECK(
        payload.starts_with("trailgate-review-payload v1\nnamespace trailgate-review\n"
                            "tree 2f596bf181da3dc72bb0c85e803021ff7e8f5350\n"
                            "author Alice Author <alice@example.com> 1700000000 +0200\n"));
  }
  SECTION("a merge has one parent-tree line per parent, in parent order") {
    CommitInfo commit = example_commit();
    commit.parent_ids = {"1111111111111111111111111111111111111111",
                         "2222222222222222222222222222222222222222"};
    const std::string payload = review_payload(
        commit, default_context({std::string(kParentTree), std::string(kOtherTree)}), kReviewer);
    CHECK(payload.find("tree 2f596bf181da3dc72bb0c85e803021ff7e8f5350\n"
                       "parent-tree 34a60187b8ad77c08df566cbd7ca5ec20d585124\n"
                       "parent-tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
                       "author ") != std::string::npos);
  }
  SECTION("two parents with the same tree give two lines") {
    CommitInfo commit = example_commit();
    commit.parent_ids = {"1111111111111111111111111111111111111111",
                         "2222222222222222222222222222222222222222"};
    const std::string payload = review_payload(
        commit, default_context({std::string(kParentTree), std::string(kParentTree)}), kReviewer);
    CHECK(payload.find("parent-tree 34a60187b8ad77c08df566cbd7ca5ec20d585124\n"
                       "parent-tree 34a60187b8ad77c08df566cbd7ca5ec20d585124\n") !=
          std::string::npos);
  }
  SECTION("the zone is rendered as git writes it: sign, hours, minutes") {
    auto author_line = [](int offset_minutes) {
      CommitInfo commit = example_commit();
      commit.author.offset_minutes = offset_minutes;
      const std::string payload = payload_of(commit);
      const std::size_t start = payload.find("author ");
      return payload.substr(start, payload.find('\n', start) - start);
    };
    CHECK(author_line(0) == "author Alice Author <alice@example.com> 1700000000 +0000");
    CHECK(author_line(120) == "author Alice Author <alice@example.com> 1700000000 +0200");
    CHECK(author_line(-90) == "author Alice Author <alice@example.com> 1700000000 -0130");
    CHECK(author_line(330) == "author Alice Author <alice@example.com> 1700000000 +0530");
    CHECK(author_line(345) == "author Alice Author <alice@example.com> 1700000000 +0545");
    CHECK(author_line(-720) == "author Alice Author <alice@example.com> 1700000000 -1200");
    CHECK(author_line(840) == "author Alice Author <alice@example.com> 1700000000 +1400");
    CHECK(author_line(59) == "author Alice Author <alice@example.com> 1700000000 +0059");
    CHECK(author_line(-1) == "author Alice Author <alice@example.com> 1700000000 -0001");
    // Out of git's range (libgit2 reads such zones as 0), but still rendered without loss.
    CHECK(author_line(6000) == "author Alice Author <alice@example.com> 1700000000 +10000");
  }
  SECTION("the time is the decimal seconds as written, whatever its size") {
    CommitInfo commit = example_commit();
    commit.author.time = 0;
    CHECK(payload_of(commit).find("<alice@example.com> 0 +0200\n") != std::string::npos);
    commit.author.time = 4102444800;  // 2100-01-01, past 32 bits
    CHECK(payload_of(commit).find("<alice@example.com> 4102444800 +0200\n") != std::string::npos);
  }
  SECTION("the message comes last, after its exact byte length") {
    const std::string payload = payload_of(example_commit());
    const std::string message = normalized(example_commit().message);
    CHECK(payload.ends_with("\nmessage " + std::to_string(message.size()) + "\n" + message));
  }
  SECTION("an empty message gives \"message 0\" and the payload ends there") {
    CHECK(payload_of(with_message("")).ends_with("reviewer sam@example.com\nmessage 0\n"));
    CHECK(
        payload_of(with_message("\n\n  \r\n")).ends_with("reviewer sam@example.com\nmessage 0\n"));
  }
  SECTION("the namespace and reviewer are rendered as given, case included") {
    PayloadContext context = default_context();
    context.sig_namespace = "acme-review";
    const std::string payload = review_payload(example_commit(), context, "Sam@Example.COM");
    CHECK(payload.find("\nnamespace acme-review\n") != std::string::npos);
    CHECK(payload.find("\nreviewer Sam@Example.COM\n") != std::string::npos);
  }

  // --- what the payload binds ---------------------------------------------------------------

  SECTION("commit id, committer and encoding are not in the payload") {
    CommitInfo amended = example_commit();
    amended.id = "0123456789abcdef0123456789abcdef01234567";
    amended.committer = ident("Sam Senior", "sam@example.com", 1700086400, -300);
    amended.encoding = "UTF-8";
    amended.parent_ids = {"fedcba9876543210fedcba9876543210fedcba98"};  // a rebase onto an
                                                                        // equal tree
    CHECK(payload_of(amended) == payload_of(example_commit()));
    const std::string payload = payload_of(example_commit());
    CHECK(payload.find(example_commit().id) == std::string::npos);
    CHECK(payload.find(kParent) == std::string::npos);
  }
  SECTION("every bound field changes the payload") {
    const std::string original = payload_of(example_commit());
    auto changed = [&](auto&& edit) {
      CommitInfo commit = example_commit();
      PayloadContext context = default_context();
      std::string reviewer(kReviewer);
      edit(commit, context, reviewer);
      return review_payload(commit, context, reviewer) != original;
    };
    CHECK(changed([](CommitInfo& c, PayloadContext&, std::string&) { c.tree_id = kOtherTree; }));
    CHECK(changed([](CommitInfo&, PayloadContext& x, std::string&) {
      x.parent_tree_ids = {std::string(kOtherTree)};
    }));
    CHECK(changed(
        [](CommitInfo& c, PayloadContext&, std::string&) { c.author.name = "Alice  Author"; }));
    CHECK(changed([](CommitInfo& c, PayloadContext&, std::string&) {
      c.author.email = "Alice@example.com";
    }));
    CHECK(changed([](CommitInfo& c, PayloadContext&, std::string&) { ++c.author.time; }));
    CHECK(changed(
        [](CommitInfo& c, PayloadContext&, std::string&) { c.author.offset_minutes = -120; }));
    CHECK(changed(
        [](CommitInfo& c, PayloadContext&, std::string&) { c.author.offset_minutes = 121; }));
    CHECK(changed([](CommitInfo&, PayloadContext&, std::string& r) { r = "pat@example.com"; }));
    CHECK(changed([](CommitInfo&, PayloadContext&, std::string& r) { r = "Sam@example.com"; }));
    CHECK(changed([](CommitInfo&, PayloadContext& x, std::string&) { x.sig_namespace = "git"; }));
    CHECK(changed([](CommitInfo& c, PayloadContext&, std::string&) { c.message += "More\n"; }));
  }
  SECTION("parent order is bound") {
    CommitInfo merge = example_commit();
    merge.parent_ids = {"1111111111111111111111111111111111111111",
                        "2222222222222222222222222222222222222222"};
    CHECK(
        review_payload(merge, default_context({std::string(kParentTree), std::string(kOtherTree)}),
                       kReviewer) !=
        review_payload(merge, default_context({std::string(kOtherTree), std::string(kParentTree)}),
                       kReviewer));
  }
  SECTION("a root commit and a commit on an empty parent tree differ") {
    CommitInfo root = example_commit();
    root.parent_ids.clear();
    CHECK(review_payload(root, default_context({}), kReviewer) !=
          review_payload(example_commit(), default_context({std::string(kOtherTree)}), kReviewer));
  }
  SECTION("a signature's payload does not fit another commit with the same message") {
    CommitInfo other = example_commit();
    other.tree_id = kOtherTree;
    other.author = ident("Bob Builder", "bob@example.com", 1700000100, 120);
    CHECK(payload_of(other) != payload_of(example_commit()));
  }
  SECTION("every message byte outside the removed lines is bound") {
    const std::string message =
        "Retry \xff job\n\nBody, with text.\n\nCo-authored-by: C <c@x>\nReviewed-by: R <r@x>\n"
        "Signed-off-by: S <s@x>\n";
    const std::size_t removed_start = message.find("Reviewed-by");
    const std::size_t removed_end = message.find("Signed-off-by");
    const std::string original = payload_of(with_message(message));
    // The last byte is the final newline, which normalisation writes itself.
    for (std::size_t i = 0; i + 1 < message.size(); ++i) {
      if (i >= removed_start && i < removed_end) {
        continue;
      }
      for (char replacement : {'X', ' ', '\n', '\x80'}) {
        if (message[i] == replacement) {
          continue;
        }
        std::string edited = message;
        edited[i] = replacement;
        INFO("byte " << i << " replaced by " << static_cast<int>(replacement));
        CHECK(payload_of(with_message(edited)) != original);
      }
    }
  }
  SECTION("a review trailer's own value is not bound; only the reviewer line names anyone") {
    const std::string base = "Subject\n\nBody\n\n";
    CHECK(payload_of(with_message(base + "Reviewed-by: Sam Senior <sam@example.com>\n")) ==
          payload_of(with_message(base + "Reviewed-by: Someone Else <other@example.com>\n")));
  }

  // --- message normalisation: review trailers in and out -----------------------------------

  SECTION("adding review trailers as git interpret-trailers does keeps the message") {
    for (const Approval& approval : approvals_by_git()) {
      INFO("message: " << approval.before);
      const std::string expected = normalized(approval.before);
      CHECK(normalized(approval.one_review) == expected);
      CHECK(normalized(approval.two_reviews) == expected);
      CHECK(payload_of(with_message(approval.two_reviews)) ==
            payload_of(with_message(approval.before)));
    }
  }
  SECTION("what the normalised messages of git's approvals are") {
    std::vector<std::string> results;
    for (const Approval& approval : approvals_by_git()) {
      results.push_back(normalized(approval.two_reviews));
    }
    CHECK(results == std::vector<std::string>{
                         "Subject\n",
                         "Subject\n\nBody line one.\nBody line two.\n",
                         "Subject\n\nBody\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
                         "Subject\n\nBody\n\nCo-authored-by: Claude <noreply@anthropic.com>\n"
                         "Signed-off-by: Alice Author <alice@example.com>\n",
                         "Subject\n\nText\nmore text\nSigned-off-by: Alice Author "
                         "<alice@example.com>\n",
                         "Subject\n\nSome text\nCo-authored-by: A <a@x>\n",
                         "Subject\r\n\r\nBody\n",
                         "Subject\r\n\r\nBody\r\n\r\nSigned-off-by: Alice Author "
                         "<alice@example.com>\n",
                         "Subject \xff\xfe\n\nBody \xc3\xa9\x80\n",
                         "Subject\n\nBody\n",
                         "\n\nSubject\n\nBody\n",
                         "Subject\n\nReviewed-by: Not A Trailer <x@y> is prose here\n"
                         "and more prose.\n\nCo-authored-by: A <a@x>\n",
                     });
  }
  SECTION("review trailers in any order, any reviewer first, normalise alike") {
    const std::string head = "Subject\n\nBody\n\nCo-authored-by: C <c@x>\n";
    const std::string sam = "Reviewed-by: Sam <sam@x>\n";
    const std::string pat = "Reviewed-by: Pat <pat@x>\n";
    const std::string sig1 = "Review-Signature: " + std::string(kSig1) + "\n";
    const std::string sig2 = "Review-Signature: " + std::string(kSig2) + "\n";
    const std::string expected = normalized(head);
    CHECK(expected == head);
    for (const std::string& tail :
         {sam + sig1 + pat + sig2, pat + sig2 + sam + sig1, sig1 + sig2 + sam + pat,
          sam + pat + sig2 + sig1, sig2 + pat, sam, sig1}) {
      INFO("tail: " << tail);
      CHECK(normalized(head + tail) == expected);
    }
  }
  SECTION("review trailers between other trailers go; the others stay in place") {
    CHECK(normalized("Subject\n\nSigned-off-by: S <s@x>\nReviewed-by: R <r@x>\n"
                     "Co-authored-by: C <c@x>\nReview-Signature: AAAA\nAcked-by: A <a@x>\n") ==
          "Subject\n\nSigned-off-by: S <s@x>\nCo-authored-by: C <c@x>\nAcked-by: A <a@x>\n");
  }
  SECTION("a block of only review trailers leaves no trailing blank line") {
    CHECK(normalized("Subject\n\nBody\n\nReviewed-by: R <r@x>\nReview-Signature: AAAA\n") ==
          "Subject\n\nBody\n");
    CHECK(normalized("Subject\n\nReviewed-by: R <r@x>\n") == "Subject\n");
  }
  SECTION("other trailers are bound: reordering or changing them changes the message") {
    const std::string sam = "Reviewed-by: Sam <sam@x>\n";
    const std::string a = "Co-authored-by: C <c@x>\n";
    const std::string b = "Signed-off-by: S <s@x>\n";
    CHECK(normalized("Subject\n\n" + a + b + sam) != normalized("Subject\n\n" + b + a + sam));
    CHECK(normalized("Subject\n\n" + a + sam) !=
          normalized("Subject\n\nCo-authored-by: D <c@x>\n" + sam));
    CHECK(normalized("Subject\n\n" + a + sam) != normalized("Subject\n\n" + sam));
  }
  SECTION("keys match case-insensitively and with space before the colon") {
    CHECK(normalized("Subject\n\nA: b\nreviewed-BY: R <r@x>\nREVIEW-SIGNATURE: AAAA\n") ==
          "Subject\n\nA: b\n");
    CHECK(normalized("Subject\n\nA: b\nReviewed-by : R <r@x>\nReview-Signature\t: AAAA\n") ==
          "Subject\n\nA: b\n");
    CHECK(normalized("Subject\n\nA: b\nReviewed-by:R <r@x>\n") == "Subject\n\nA: b\n");
  }
  SECTION("a key must match whole: longer or shorter keys stay") {
    const std::string kept =
        "Subject\n\nReviewed-by-bot: R <r@x>\nReviewed: R <r@x>\nReview-Signatures: AAAA\n"
        "Reviewed_by: R <r@x>\n";
    CHECK(normalized(kept) == kept);
  }
  SECTION("the policy's review keys are the ones removed") {
    PayloadContext context = default_context();
    context.review_keys = {"Reviewed-by", "Approved-by"};
    context.signature_key = "Approval-Sig";
    const std::string message =
        "Subject\n\nA: b\nApproved-by: R <r@x>\nReviewed-by: S <s@x>\nApproval-Sig: AAAA\n"
        "Review-Signature: BBBB\n";
    CHECK(normalized_message(message, context) == "Subject\n\nA: b\nReview-Signature: BBBB\n");
    CHECK(normalized(message) == "Subject\n\nA: b\nApproved-by: R <r@x>\nApproval-Sig: AAAA\n");
  }
  SECTION("Reviewed-by outside the trailer block is prose and stays") {
    // in a middle paragraph
    CHECK(normalized("Subject\n\nReviewed-by: R <r@x>\n\nBody\n") ==
          "Subject\n\nReviewed-by: R <r@x>\n\nBody\n");
    // in the title paragraph
    CHECK(normalized("Reviewed-by: R <r@x>\n") == "Reviewed-by: R <r@x>\n");
    CHECK(normalized("Subject\nReviewed-by: R <r@x>\n") == "Subject\nReviewed-by: R <r@x>\n");
    // in a last paragraph that is not a trailer block (prose, no git-written line)
    CHECK(normalized("Subject\n\nSome prose.\nReviewed-by: R <r@x>\n") ==
          "Subject\n\nSome prose.\nReviewed-by: R <r@x>\n");
    // in an earlier paragraph, when the last one is a block
    CHECK(normalized("Subject\n\nReviewed-by: X <x@x>\n\nReviewed-by: R <r@x>\n") ==
          "Subject\n\nReviewed-by: X <x@x>\n");
    // indented, so a continuation of a kept trailer
    CHECK(normalized("Subject\n\nA: b\n Reviewed-by: R <r@x>\n") ==
          "Subject\n\nA: b\n Reviewed-by: R <r@x>\n");
    // after the scissors line
    const std::string scissors =
        "Subject\n\nA: b\n# ------------------------ >8 ------------------------\n"
        "Reviewed-by: R <r@x>\n";
    CHECK(normalized(scissors) == scissors);
  }
  SECTION("a block by the 25% rule loses only its review lines") {
    CHECK(normalized("Subject\n\nline1\nline2\nReviewed-by: R <r@x>\nline3\n"
                     "Signed-off-by: S <s@x>\n") ==
          "Subject\n\nline1\nline2\nline3\nSigned-off-by: S <s@x>\n");
  }
  SECTION("a cherry-pick line and comment lines in the block stay") {
    CHECK(normalized("Subject\n\nReviewed-by: R <r@x>\n(cherry picked from commit abc)\n"
                     "# a comment: Reviewed-by: Q <q@x>\nA: b\n") ==
          "Subject\n\n(cherry picked from commit abc)\n# a comment: Reviewed-by: Q <q@x>\nA: b\n");
  }
  SECTION("continuation lines of a removed trailer go with it") {
    // a folded signature, space- and TAB-indented
    CHECK(normalized("Subject\n\nA: b\nReview-Signature: U1NI\n  U0lH\n\tAAAA\nC: d\n") ==
          "Subject\n\nA: b\nC: d\n");
    // a folded review value
    CHECK(normalized("Subject\n\nReviewed-by: Sam\n Senior <sam@x>\nC: d\n") ==
          "Subject\n\nC: d\n");
    // a CR-led line continues the line before it, as git's isspace() has it
    CHECK(normalized("Subject\n\nA: b\nReview-Signature: U1NI\n\rxyz\nC: d\n") ==
          "Subject\n\nA: b\nC: d\n");
    // a whitespace-only line at the end of the block
    CHECK(normalized("Subject\n\nA: b\nReviewed-by: R <r@x>\n   \n") == "Subject\n\nA: b\n");
  }
  SECTION("continuation lines of a kept trailer stay") {
    CHECK(normalized("Subject\n\nA: b\n  more\nReviewed-by: R <r@x>\n  folded\nC: d\n\te\n") ==
          "Subject\n\nA: b\n  more\nC: d\n\te\n");
  }
  SECTION("a comment line ends a continuation, as in git") {
    // "  x" follows a comment line, so git does not attach it to the Reviewed-by line.
    CHECK(normalized("Subject\n\nReviewed-by: R <r@x>\n# note\n  x\nSigned-off-by: S <s@x>\n") ==
          "Subject\n\n# note\n  x\nSigned-off-by: S <s@x>\n");
  }
  SECTION("CRLF messages: CRs stay, the final line ending becomes LF") {
    CHECK(normalized("Subject\r\n\r\nBody\r\n") == "Subject\r\n\r\nBody\n");
    CHECK(normalized("Subject\r\n\r\nBody\r\n\r\nA: b\r\nReviewed-by: R <r@x>\r\n"
                     "Review-Signature: AAAA\r\nC: d\r\n") ==
          "Subject\r\n\r\nBody\r\n\r\nA: b\r\nC: d\n");
    CHECK(normalized("Subject\r\n\r\nBody\r\n\r\nReviewed-by: R <r@x>\r\n") ==
          normalized("Subject\r\n\r\nBody\r\n"));
  }
  SECTION("a message without a final newline gains one") {
    CHECK(normalized("Subject") == "Subject\n");
    CHECK(normalized("Subject\n\nBody") == "Subject\n\nBody\n");
    CHECK(normalized("Subject\n\nBody\n\nA: b\nReviewed-by: R <r@x>") ==
          "Subject\n\nBody\n\nA: b\n");
    CHECK(normalized("Subject\n\nBody\n\nReviewed-by: R <r@x>") == normalized("Subject\n\nBody"));
  }
  SECTION("trailing whitespace and blank lines go; other whitespace stays") {
    CHECK(normalized("Subject  \t\n\n \n\r\n\n") == "Subject\n");
    CHECK(normalized("  Subject\n\n\tBody  \n\nEnd.\n") == "  Subject\n\n\tBody  \n\nEnd.\n");
    // \v and \f are not whitespace to git
    CHECK(normalized("Subject\v\f\n") == "Subject\v\f\n");
  }
  SECTION("empty and blank messages normalise to nothing") {
    CHECK(normalized("") == "");
    CHECK(normalized("\n") == "");
    CHECK(normalized(" \t\r\n\n") == "");
    CHECK(normalized("\0Subject\n"s) == "");
  }
  SECTION("a NUL ends the message, as it does for git") {
    CHECK(normalized("Subject\n\nBody\n\0Reviewed-by: R <r@x>\n"s) == "Subject\n\nBody\n");
    CHECK(normalized("Subject\n\nBody\n\nA: b\nReviewed-by: R <r@x>\0\nC: d\n"s) ==
          "Subject\n\nBody\n\nA: b\n");
    // What follows the NUL is invisible to git log, and to the payload.
    CHECK(payload_of(with_message("Subject\n\0one"s)) ==
          payload_of(with_message("Subject\n\0two"s)));
  }
  SECTION("non-UTF-8 bytes are kept as they are") {
    const std::string message =
        "Sub\xff\xfeject\n\nBody \x80\xc3\n\nCo-authored-by: \xe9t\xe9 <e@x>\n";
    CHECK(normalized(message + "Reviewed-by: R \xff <r@x>\n") == message);
  }
  SECTION("review trailers inserted anywhere in a block of folded trailers leave it as it was") {
    // Fixed seed and modulo picks, so the cases are the same on every platform.
    std::mt19937 random(20240611);
    auto pick = [&random](std::size_t n) { return static_cast<std::size_t>(random() % n); };
    const std::vector<std::string> other_keys = {"Co-authored-by", "Signed-off-by", "Acked-by",
                                                 "Bug", "Reviewed-by-bot"};
    const std::vector<std::string> review_keys = {"Reviewed-by", "reviewed-by", "REVIEWED-BY",
                                                  "Review-Signature", "review-signature"};
    const std::vector<std::string> folds = {" ", "  ", "\t", " \t"};
    const std::vector<std::string> seps = {": ", ":", " : ", "\t:\t"};
    for (int round = 0; round < 2000; ++round) {
      const std::string eol = pick(4) == 0 ? "\r\n" : "\n";
      // A logical trailer line: its first line, then 0-2 continuation lines.
      auto trailer = [&](const std::vector<std::string>& keys) {
        std::string out = keys[pick(keys.size())] + seps[pick(seps.size())] + "v" +
                          std::to_string(pick(100)) + eol;
        for (std::size_t i = pick(3); i > 0; --i) {
          out += folds[pick(folds.size())] + "w" + std::to_string(pick(100)) + eol;
        }
        return out;
      };
      std::vector<std::string> block;
      for (std::size_t i = pick(5); i > 0; --i) {
        block.push_back(trailer(other_keys));
      }
      std::vector<std::string> approved = block;
      for (std::size_t i = 1 + pick(4); i > 0; --i) {
        approved.insert(approved.begin() + static_cast<std::ptrdiff_t>(pick(approved.size() + 1)),
                        trailer(review_keys));
      }
      const std::string head = "Subject" + eol + eol + "Body" + eol + eol;
      std::string before = head;
      std::string after = head;
      for (const std::string& line : block) {
        before += line;
      }
      for (const std::string& line : approved) {
        after += line;
      }
      INFO("before: " << before << "after: " << after);
      CHECK(normalized(after) == normalized(before));
    }
  }
  SECTION("trailing comment lines stay in place, after the removed block") {
    // An ignored tail is not part of the block; git interpret-trailers puts new trailers before
    // it, after a blank line of its own. docs/payload.md tells signers about this.
    CHECK(normalized("Subject\n\nBody\n\nReviewed-by: R <r@x>\n# c\n") ==
          "Subject\n\nBody\n\n# c\n");
    CHECK(normalized("Subject\n\nBody\n\nReviewed-by: R <r@x>\nReview-Signature: AAAA\n# c\n") ==
          normalized("Subject\n\nBody\n\nReviewed-by: R <r@x>\n# c\n"));
  }
  SECTION("a long message with thousands of trailers normalises in one pass") {
    std::string body = "Subject\n\n" + std::string(10 * 1024 * 1024, 'x') + "\n\n";
    std::string kept;
    std::string with_reviews;
    for (int i = 0; i < 5000; ++i) {
      const std::string line = "Co-authored-by: A" + std::to_string(i) + " <a@x>\n";
      kept += line;
      with_reviews += line + "Reviewed-by: R" + std::to_string(i) + " <r@x>\n";
    }
    CHECK(normalized(body + with_reviews) == body + kept);
  }

  // --- ambiguity -----------------------------------------------------------------------------

  SECTION("a message cannot forge header fields: the payload parses back into its fields") {
    const std::vector<std::string> messages = {
        "Subject\n",
        "",
        "x\nreviewer mallory@example.com\n",
        "Subject\n\nmessage 3\nabc\nreviewer mallory@example.com\nmessage 0\n",
        "trailgate-review-payload v1\nnamespace git\ntree " + std::string(kOtherTree) + "\n",
        "author Mallory <m@x> 1 +0000\n\nparent-tree " + std::string(kOtherTree) + "\n",
        "Subject\n\n\0reviewer mallory@example.com\n"s,
    };
    for (const std::string& message : messages) {
      INFO("message: " << message);
      const std::string payload = payload_of(with_message(message));
      const auto parsed = parse_payload(payload);
      REQUIRE(parsed);
      CHECK(parsed->sig_namespace == "trailgate-review");
      CHECK(parsed->tree == kTree);
      CHECK(parsed->parent_trees == std::vector<std::string>{std::string(kParentTree)});
      CHECK(parsed->author == "Alice Author <alice@example.com> 1700000000 +0200");
      CHECK(parsed->reviewer == kReviewer);
      CHECK(parsed->message == normalized(message));
    }
  }
  SECTION("a message that mimics another reviewer's payload does not produce it") {
    CommitInfo forged = example_commit();
    forged.message = "x\nreviewer mallory@example.com\nmessage 2\nx\n";
    CommitInfo plain = example_commit();
    plain.message = "x\n";
    CHECK(payload_of(forged, "sam@example.com") != payload_of(plain, "mallory@example.com"));
    // The forged lines sit inside the length-prefixed message, after the real reviewer line.
    CHECK(payload_of(forged, "sam@example.com")
              .ends_with("\nreviewer sam@example.com\nmessage " +
                         std::to_string(forged.message.size()) + "\n" + forged.message));
  }
  SECTION("'<' and '>' in name and email are rendered as they are; '<' in the email is refused") {
    CommitInfo commit = example_commit();
    commit.author.name = "Alice <Bob> Author";
    commit.author.email = "alice>x@example.com";
    const auto parsed = parse_payload(payload_of(commit));
    REQUIRE(parsed);
    CHECK(parsed->author == "Alice <Bob> Author <alice>x@example.com> 1700000000 +0200");
    // libgit2 splits an ident at its last '<', so an email with '<' cannot come from git and
    // would let "name <email>" split two ways.
    CommitInfo shifted = example_commit();
    shifted.author.name = "Alice";
    shifted.author.email = "Bob> Author <alice>x@example.com";
    CHECK_THROWS_AS(payload_of(shifted), std::invalid_argument);
  }
  SECTION("a line feed in a header field is refused, not rendered") {
    auto refused = [](auto&& edit) {
      CommitInfo commit = example_commit();
      PayloadContext context = default_context();
      std::string reviewer(kReviewer);
      edit(commit, context, reviewer);
      try {
        review_payload(commit, context, reviewer);
      } catch (const std::invalid_argument& e) {
        return std::string(e.what());
      }
      return std::string("not refused");
    };
    CHECK(refused([](CommitInfo& c, PayloadContext&, std::string&) {
            c.author.name = "Alice <alice@example.com> 1 +0000\nreviewer mallory@x\nmessage 0\nX";
          }) == "review payload: the author name contains a line feed");
    CHECK(refused([](CommitInfo& c, PayloadContext&, std::string&) {
            c.author.email = "alice@example.com\n";
          }) == "review payload: the author email contains a line feed");
    CHECK(refused([](CommitInfo&, PayloadContext&, std::string& r) {
            r = "sam@example.com\nmessage 0";
          }) == "review payload: the reviewer email contains a line feed");
    CHECK(refused([](CommitInfo&, PayloadContext& x, std::string&) {
            x.sig_namespace = "trailgate-review\ntree x";
          }) == "review payload: the namespace contains a line feed");
    CHECK(refused([](CommitInfo& c, PayloadContext&, std::string&) { c.tree_id += "\n"; }) ==
          "review payload: the tree id contains a line feed");
    CHECK(refused([](CommitInfo&, PayloadContext& x, std::string&) {
            x.parent_tree_ids[0] += "\n";
          }) == "review payload: the parent tree id contains a line feed");
    CHECK(refused([](CommitInfo& c, PayloadContext&, std::string&) {
            c.author.email = "a<b@example.com";
          }) == "review payload: the author email contains '<'");
  }
  SECTION("CR and other control bytes in header fields are rendered as they are") {
    CommitInfo commit = example_commit();
    commit.author.name = "Alice\rAuthor\t";
    CHECK(payload_of(commit).find("\nauthor Alice\rAuthor\t <alice@example.com> ") !=
          std::string::npos);
  }
  SECTION("parent trees that do not match the parents are refused") {
    CHECK_THROWS_AS(review_payload(example_commit(), default_context({}), kReviewer),
                    std::invalid_argument);
    CHECK_THROWS_AS(
        review_payload(example_commit(),
                       default_context({std::string(kParentTree), std::string(kParentTree)}),
                       kReviewer),
        std::invalid_argument);
  }
}
