// End-to-end: review debt paid late. An AI-assisted commit reaches main before the policy
// protects it; a senior approves it with `trailgate approve --note` (a signed note under
// refs/notes/trailgate, nothing rewritten) and pushes the notes ref, which the hook checks.
// Then every way a pusher might abuse notes: a forged note, a note by the author, deleting or
// rewriting a note, and a note standing in for the trailers a new commit needs.
#include <catch2/catch.hpp>

#include "support/fixtures.h"
#include "support/temp_repo.h"

using trailgate::testing::ident;
using trailgate::testing::kClaudeTrailer;
using trailgate::testing::kJuniorOne;
using trailgate::testing::kSeniorOne;
using trailgate::testing::make_ssh_key;
using trailgate::testing::ProcessResult;
using trailgate::testing::run;
using trailgate::testing::signature_policy;
using trailgate::testing::SshKey;
using trailgate::testing::TempDir;
using trailgate::testing::TempRepo;
using trailgate::testing::trailgate_binary;

namespace {

const char* const kNotesRef = "refs/notes/trailgate";
const std::string kSenior = ident(kSeniorOne);
const std::string kAiMessage = "Rewrite the deploy script\n\n" + kClaudeTrailer + "\n";

// main is not protected yet: the history that predates the policy.
const char* const kBeforePolicy = R"(
[[protect]]
refs = ["refs/heads/release"]
)";

struct Keys {
  TempDir dir;
  SshKey senior = make_ssh_key(dir.path(), "senior", "ed25519");
  SshKey junior = make_ssh_key(dir.path(), "junior", "ed25519");
  SshKey stranger = make_ssh_key(dir.path(), "stranger", "ed25519");
};

std::string policy_for(const Keys& k) {
  return signature_policy(
      {kSeniorOne.with_keys({k.senior.public_key}), kJuniorOne.with_keys({k.junior.public_key})});
}

// A repository whose main holds `ai_commit`, pushed before main was protected; the policy now
// protects main.
struct Debt {
  Keys keys;
  TempRepo repo{kBeforePolicy};
  std::string ai_commit;

  explicit Debt(const std::string& author = "Dev One <dev@example.com>") {
    ai_commit = repo.commit(kAiMessage, author);
    ProcessResult pushed = repo.push("main");
    INFO(pushed.err);
    REQUIRE(pushed.exit_code == 0);
    repo.set_policy(policy_for(keys));
  }

  ProcessResult approve_note(const SshKey& key, const std::string& as, const std::string& rev) {
    return run({trailgate_binary(), "approve", "--note", "--key", key.path, "--as", as, rev},
               repo.clone());
  }
  ProcessResult push_notes(const std::vector<std::string>& extra = {}) {
    return repo.push(kNotesRef, extra);
  }
  std::string server_note(const std::string& id) {
    return repo.server_git({"notes", "--ref=trailgate", "show", id});
  }
};

void require_accepted(const ProcessResult& r) {
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
}

void require_rejected(const ProcessResult& r, const std::string& why) {
  INFO(r.out << r.err);
  REQUIRE(r.exit_code != 0);
  CHECK(r.err.find("review-note") != std::string::npos);
  CHECK(r.err.find(why) != std::string::npos);
}

}  // namespace

TEST_CASE("notes: a senior's signed note approves protected history without rewriting it",
          "[e2e][notes]") {
  Debt debt;
  std::string head_before = debt.repo.git({"rev-parse", "HEAD"});
  ProcessResult approved = debt.approve_note(debt.keys.senior, kSenior, debt.ai_commit);
  require_accepted(approved);
  CHECK(approved.out.find("No commit was rewritten") != std::string::npos);
  CHECK(debt.repo.git({"rev-parse", "HEAD"}) == head_before);

  std::string note = debt.repo.git({"notes", "--ref=trailgate", "show", debt.ai_commit});
  CHECK(note.rfind(std::string("Reviewed-by: ") + kSenior + "\nReview-Signature: ", 0) == 0);

  require_accepted(debt.push_notes());
  CHECK(debt.server_note(debt.ai_commit) == note);

  // The audit now reports the commit as reviewed late, counted apart from on-time reviews.
  ProcessResult audit = run({trailgate_binary(), "--repo", debt.repo.server().string(), "--policy",
                             (debt.repo.server() / "trailgate.toml").string(), "audit", "--format",
                             "jsonl", "--no-cache"},
                            debt.repo.server());
  INFO(audit.err);
  REQUIRE(audit.exit_code == 0);
  CHECK(audit.out.find("\"id\":\"" + debt.ai_commit) != std::string::npos);
  std::string line = audit.out.substr(audit.out.find("\"id\":\"" + debt.ai_commit));
  line = line.substr(0, line.find('\n'));
  CHECK(line.find("\"verdict\":\"reviewed-late\"") != std::string::npos);

  // Approving again adds nothing: the reviewer already approved by note.
  ProcessResult again = debt.approve_note(debt.keys.senior, kSenior, debt.ai_commit);
  require_accepted(again);
  CHECK(again.out.find("already approved") != std::string::npos);
}

TEST_CASE("notes: a forged note is rejected", "[e2e][notes]") {
  Debt debt;
  SECTION("signed with a key that is not the named senior's") {
    require_accepted(debt.approve_note(debt.keys.stranger, kSenior, debt.ai_commit));
    require_rejected(debt.push_notes(), "key-not-on-roster");
  }
  SECTION("a note written by hand with a made-up signature") {
    debt.repo.git({"notes", "--ref=trailgate", "add", "-m",
                   std::string("Reviewed-by: ") + kSenior + "\nReview-Signature: AAAAAAAA",
                   debt.ai_commit});
    require_rejected(debt.push_notes(), "bad-signature");
  }
  SECTION("a real signature by someone below the required level") {
    require_accepted(
        debt.approve_note(debt.keys.junior, "Junior One <junior@example.com>", debt.ai_commit));
    require_rejected(debt.push_notes(), "below-level");
  }
  SECTION("a note that is not an approval at all") {
    debt.repo.git({"notes", "--ref=trailgate", "add", "-m", "LGTM", debt.ai_commit});
    require_rejected(debt.push_notes(), "expected \"Key: value\"");
  }
  CHECK(debt.repo.server_git({"for-each-ref", kNotesRef}).empty());
}

TEST_CASE("notes: the author cannot approve their own commit by note", "[e2e][notes]") {
  Debt debt(kSenior);
  require_accepted(debt.approve_note(debt.keys.senior, kSenior, debt.ai_commit));
  require_rejected(debt.push_notes(), "self-review");
}

TEST_CASE("notes: approvals are append-only", "[e2e][notes]") {
  Debt debt;
  require_accepted(debt.approve_note(debt.keys.senior, kSenior, debt.ai_commit));
  require_accepted(debt.push_notes());
  std::string accepted_note = debt.server_note(debt.ai_commit);

  SECTION("deleting a note") {
    debt.repo.git({"notes", "--ref=trailgate", "remove", debt.ai_commit});
    require_rejected(debt.push_notes(), "deletes the approval note");
  }
  SECTION("rewriting a note") {
    debt.repo.git({"notes", "--ref=trailgate", "add", "-f", "-m",
                   std::string("Reviewed-by: ") + kSenior + "\nReview-Signature: AAAA",
                   debt.ai_commit});
    require_rejected(debt.push_notes(), "alters existing approvals");
  }
  SECTION("force-pushing older notes history") {
    std::string empty_tree = debt.repo.git({"hash-object", "-t", "tree", "/dev/null"});
    empty_tree.pop_back();
    std::string orphan =
        debt.repo.git({"commit-tree", "-m", "notes without the approval", empty_tree});
    orphan.pop_back();
    debt.repo.git({"update-ref", kNotesRef, orphan});
    require_rejected(debt.push_notes({"--force"}), "not a fast-forward");
  }
  SECTION("deleting the notes ref") {
    require_rejected(debt.repo.push(std::string(":") + kNotesRef), "deleting the review notes");
  }
  CHECK(debt.server_note(debt.ai_commit) == accepted_note);
}

TEST_CASE("notes: a note never stands in for a new commit's trailers", "[e2e][notes]") {
  Debt debt;
  std::string fresh = debt.repo.commit(kAiMessage);
  require_accepted(debt.approve_note(debt.keys.senior, kSenior, fresh));

  SECTION("pushed alone, the note is rejected: its commit is not on a protected ref") {
    require_rejected(debt.push_notes(), "not on a protected ref yet");
  }
  SECTION("pushed with the commit, both are rejected") {
    ProcessResult r = debt.repo.push("main", {std::string(kNotesRef) + ":" + kNotesRef});
    INFO(r.err);
    REQUIRE(r.exit_code != 0);
    CHECK(r.err.find("ai-review-required") != std::string::npos);
    CHECK(r.err.find("not on a protected ref yet") != std::string::npos);
  }
  SECTION("check judges the commit by its trailers only") {
    ProcessResult r =
        run({trailgate_binary(), "--policy", (debt.repo.server() / "trailgate.toml").string(),
             "check", "--ref", "refs/heads/main", "origin/main..HEAD"},
            debt.repo.clone());
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
  }
}
