// End-to-end: `trailgate approve` says no before the server does. With a policy available, it
// refuses to sign a review the hook would not count (the signer is an author or co-author of the
// commit, is off the roster, or is below the level the target ref's rule asks for the commit),
// and then changes nothing: HEAD, refs, notes and the work tree stay as they were. `--force`
// signs anyway; approving a commit twice changes nothing.
#include <catch2/catch.hpp>

#include "support/author_levels.h"
#include "support/fixtures.h"
#include "support/temp_repo.h"

using trailgate::testing::ai_message;
using trailgate::testing::approve_as;
using trailgate::testing::approve_ok_as;
using trailgate::testing::kLevelJunior;
using trailgate::testing::kLevelMid;
using trailgate::testing::kLevelPrincipal;
using trailgate::testing::kLevelPrincipalAlt;
using trailgate::testing::kLevelSenior;
using trailgate::testing::kLevelSenior2;
using trailgate::testing::level_policy;
using trailgate::testing::LevelKeys;
using trailgate::testing::ProcessResult;
using trailgate::testing::run;
using trailgate::testing::TempRepo;
using trailgate::testing::trailgate_binary;
using trailgate::testing::write_file;

namespace {

// Everything approve could change, as git shows it.
struct RepoState {
  std::string head;
  std::string message;
  std::string refs;  // every ref and where it points, refs/notes/* included
  std::string status;
  std::string reflog;

  bool operator==(const RepoState& o) const {
    return head == o.head && message == o.message && refs == o.refs && status == o.status &&
           reflog == o.reflog;
  }
};

RepoState state_of(TempRepo& repo) {
  return {repo.git({"rev-parse", "HEAD"}), repo.git({"log", "-1", "--format=%B"}),
          repo.git({"for-each-ref", "--format=%(refname) %(objectname)"}),
          repo.git({"status", "--porcelain", "--untracked-files=all"}),
          repo.git({"reflog", "--format=%H %gs"})};
}

// A repository whose clone finds the policy of support/author_levels.h through its own git
// config (trailgate.policy), as a reviewer's clone may: the lookup check uses.
struct Fixture {
  LevelKeys k;
  TempRepo repo{level_policy(k)};
  Fixture() {
    write_file(k.dir.path() / "policy.toml", level_policy(k));
    repo.git({"config", "trailgate.policy", (k.dir.path() / "policy.toml").string()});
  }
};

// Runs approve and requires a refusal that changed nothing; returns its stderr.
std::string refused(TempRepo& repo, const trailgate::testing::SshKey& key, const std::string& as,
                    const std::vector<std::string>& extra = {}) {
  RepoState before = state_of(repo);
  ProcessResult r = approve_as(repo, key, as, extra);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("approve refused"));
  CHECK_THAT(r.err, Catch::Contains("--force"));
  CHECK(state_of(repo) == before);
  return r.err;
}

}  // namespace

TEST_CASE("approve refuses a co-author of the commit, under either of their emails",
          "[e2e][approve][levels]") {
  Fixture f;
  f.repo.commit(ai_message("Split the parser", "Co-authored-by: " + kLevelPrincipal + "\n"),
                kLevelSenior2);
  std::string err = refused(f.repo, f.k.principal, kLevelPrincipal);
  CHECK_THAT(err, Catch::Contains("co-author"));
  CHECK_THAT(err, Catch::Contains("Split the parser"));
  err = refused(f.repo, f.k.principal, kLevelPrincipalAlt);
  CHECK_THAT(err, Catch::Contains("co-author"));
  // --note would store the same review; it is refused the same way, and no notes ref appears.
  err = refused(f.repo, f.k.principal, kLevelPrincipal, {"--note"});
  CHECK_THAT(err, Catch::Contains("co-author"));
}

TEST_CASE("approve refuses the commit's author", "[e2e][approve][levels]") {
  Fixture f;
  f.repo.commit(ai_message("Tune the cache"), kLevelSenior);
  std::string err = refused(f.repo, f.k.senior, kLevelSenior);
  CHECK_THAT(err, Catch::Contains("self-review"));
  CHECK_THAT(err, Catch::Contains("Senior One is the commit's author"));
}

TEST_CASE("approve refuses a signer off the roster", "[e2e][approve][levels]") {
  Fixture f;
  f.repo.commit(ai_message("Add a flag"), kLevelJunior);
  std::string err = refused(f.repo, f.k.stranger, "Stranger <stranger@example.com>");
  CHECK_THAT(err, Catch::Contains("not-on-roster"));
  CHECK_THAT(err, Catch::Contains("<stranger@example.com> is not on the policy's roster"));
}

TEST_CASE("approve refuses a signer below the level the target ref asks; --force signs anyway",
          "[e2e][approve][levels]") {
  Fixture f;
  std::string base = f.repo.git({"rev-parse", "HEAD"}).substr(0, 40);
  // Mid One may approve Senior One's commit (a peer review), not Junior One's: the whole range
  // is refused, and only the junior's commit is named.
  f.repo.commit(ai_message("Senior change"), kLevelSenior);
  f.repo.commit(ai_message("Junior change"), kLevelJunior);
  std::string err = refused(f.repo, f.k.mid, kLevelMid, {base + "..HEAD"});
  CHECK_THAT(err, Catch::Contains("Junior change"));
  CHECK_THAT(err, Catch::Contains("below-level"));
  CHECK_THAT(err, Catch::Contains("Mid One is mid; senior or above is required"));
  CHECK_THAT(err, !Catch::Contains("Senior change"));
  CHECK_THAT(err, Catch::Contains("refs/heads/main"));

  // Judged for a ref the policy does not protect, no level is asked.
  ProcessResult r = approve_as(f.repo, f.k.mid, kLevelMid, {"--ref", "refs/heads/scratch"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  f.repo.git({"reset", "-q", "--hard", "HEAD@{1}"});

  // An explicit --policy is the policy approve judges by, as for check.
  write_file(f.k.dir.path() / "lax.toml",
             trailgate::testing::signature_policy(
                 {trailgate::testing::kMidOne.with_keys({f.k.mid.public_key})},
                 {trailgate::testing::protect({"refs/heads/main"}, 1, "mid")}));
  r = run({trailgate_binary(), "--policy", (f.k.dir.path() / "lax.toml").string(), "approve",
           "--key", f.k.mid.path, "--as", kLevelMid},
          f.repo.clone());
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  f.repo.git({"reset", "-q", "--hard", "HEAD@{1}"});

  r = approve_as(f.repo, f.k.mid, kLevelMid, {"--force", base + "..HEAD"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out + r.err, Catch::Contains("--force"));
  CHECK_THAT(r.out + r.err, Catch::Contains("below-level"));
  CHECK_THAT(f.repo.git({"log", "-1", "--format=%B"}),
             Catch::Contains("Reviewed-by: " + kLevelMid + "\nReview-Signature: "));
  // The hook agrees with approve: the forced review does not count.
  ProcessResult push = f.repo.push("HEAD:refs/heads/main");
  CHECK(push.exit_code != 0);
  CHECK_THAT(push.err,
             Catch::Contains("\"Reviewed-by: " + kLevelMid + "\" does not count (below-level)"));
}

TEST_CASE("approve: a review that counts is signed once; approving again changes nothing",
          "[e2e][approve][levels]") {
  Fixture f;
  f.repo.commit(ai_message("Add retry logic"), kLevelJunior);
  approve_ok_as(f.repo, f.k.senior, kLevelSenior);
  std::string message = f.repo.git({"log", "-1", "--format=%B"});
  CHECK_THAT(message, Catch::Contains("Reviewed-by: " + kLevelSenior + "\nReview-Signature: "));

  RepoState before = state_of(f.repo);
  ProcessResult r = approve_as(f.repo, f.k.senior, kLevelSenior);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("already approved"));
  CHECK(state_of(f.repo) == before);

  ProcessResult push = f.repo.push("HEAD:refs/heads/main");
  INFO(push.err);
  CHECK(push.exit_code == 0);
}
