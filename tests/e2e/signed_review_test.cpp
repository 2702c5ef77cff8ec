// End-to-end: signed reviews. Real ssh-keygen keys of every supported type, `trailgate approve`
// in a clone, real pushes into a bare repository under verification = "signature" (the
// default), interop with stock `ssh-keygen -Y verify / -Y sign`, and the ways a pusher might try
// to get an unearned approval past the hook.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "support/fixtures.h"
#include "support/temp_repo.h"

using trailgate::testing::ai_message;
using trailgate::testing::ident;
using trailgate::testing::kJuniorOne;
using trailgate::testing::kSeniorOne;
using trailgate::testing::ProcessResult;
using trailgate::testing::protect;
using trailgate::testing::read_file;
using trailgate::testing::reviewed_by;
using trailgate::testing::RosterPerson;
using trailgate::testing::run;
using trailgate::testing::run_ok;
using trailgate::testing::signature_policy;
using trailgate::testing::TempDir;
using trailgate::testing::TempRepo;
using trailgate::testing::trailgate_binary;
using trailgate::testing::write_file;
namespace fs = std::filesystem;

namespace {

using Key = trailgate::testing::SshKey;

Key make_key(const fs::path& dir, const std::string& name, const std::string& type, int bits = 0) {
  return trailgate::testing::make_ssh_key(dir, name, type, bits);
}

struct Keys {
  TempDir dir;
  Key senior = make_key(dir.path(), "senior", "ed25519");
  Key senior2 = make_key(dir.path(), "senior2", "ed25519");
  Key junior = make_key(dir.path(), "junior", "ed25519");
  Key stranger = make_key(dir.path(), "stranger", "ed25519");
};

std::string policy_for(const Keys& k, int approvals = 1, const std::string& senior_key = "") {
  return signature_policy(
      {kSeniorOne.with_email("senior.one@corp.example")
           .with_keys({senior_key.empty() ? k.senior.public_key : senior_key}),
       RosterPerson{"Senior Two", {"senior2@example.com"}, "principal", {}, {k.senior2.public_key}},
       kJuniorOne.with_keys({k.junior.public_key})},
      {protect({"refs/heads/main"}, approvals)});
}

const std::string kJunior = ident(kJuniorOne);
const std::string kAiMessage = ai_message("Add retry logic", "", "Retries failed uploads.");

ProcessResult approve(TempRepo& repo, const Key& key, const std::string& as,
                      const std::string& range = "") {
  std::vector<std::string> args = {trailgate_binary(), "approve", "--key", key.path, "--as", as};
  if (!range.empty())
    args.push_back(range);
  return run(args, repo.clone());
}

void approve_ok(TempRepo& repo, const Key& key, const std::string& as,
                const std::string& range = "") {
  ProcessResult r = approve(repo, key, as, range);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
}

std::string trailer_value(TempRepo& repo, const std::string& key, const std::string& rev = "HEAD") {
  std::string v =
      repo.git({"log", "-1", "--format=%(trailers:key=" + key + ",valueonly,unfold)", rev});
  while (!v.empty() && v.back() == '\n')
    v.pop_back();
  return v;
}

// Replaces the whole message of HEAD, keeping everything else.
void set_message(TempRepo& repo, const std::string& message) {
  repo.git({"commit", "--amend", "-q", "--cleanup=verbatim", "-F", "-"}, message);
}

std::string message_of(TempRepo& repo, const std::string& rev = "HEAD") {
  return repo.git({"log", "-1", "--format=%B", rev});
}

// The armored form of a base64 SSHSIG blob, as ssh-keygen writes it.
std::string armor(const std::string& base64) {
  std::string out = "-----BEGIN SSH SIGNATURE-----\n";
  for (std::size_t i = 0; i < base64.size(); i += 70)
    out += base64.substr(i, 70) + "\n";
  return out + "-----END SSH SIGNATURE-----\n";
}

std::string dearmor(const std::string& armored) {
  std::string out;
  std::size_t pos = 0;
  while (pos < armored.size()) {
    std::size_t eol = armored.find('\n', pos);
    std::string line = armored.substr(pos, eol - pos);
    if (line.rfind("-----", 0) != 0)
      out += line;
    if (eol == std::string::npos)
      break;
    pos = eol + 1;
  }
  return out;
}

bool accepted(const ProcessResult& r) {
  return r.exit_code == 0;
}

}  // namespace

TEST_CASE("signed review: approve then push is accepted, for every key type", "[e2e][sign]") {
  Keys k;
  struct Type {
    const char* type;
    int bits;
  };
  for (Type t : {Type{"ed25519", 0}, Type{"ecdsa", 256}, Type{"ecdsa", 384}, Type{"ecdsa", 521},
                 Type{"rsa", 3072}}) {
    DYNAMIC_SECTION(t.type << (t.bits ? fmt::format("-{}", t.bits) : "")) {
      Key key = make_key(k.dir.path(), fmt::format("senior-{}-{}", t.type, t.bits), t.type, t.bits);
      TempRepo repo(policy_for(k, 1, key.public_key));
      repo.commit(kAiMessage, kJunior);
      REQUIRE_FALSE(accepted(repo.push("HEAD:refs/heads/main")));
      approve_ok(repo, key, "Senior One <senior@example.com>");
      CHECK_THAT(message_of(repo), Catch::Contains("Reviewed-by: Senior One <senior@example.com>"));
      CHECK_THAT(message_of(repo), Catch::Contains("Review-Signature: "));
      CHECK(repo.git({"log", "-1", "--format=%an|%ae"}) == "Junior One|junior@example.com\n");
      ProcessResult r = repo.push("HEAD:refs/heads/main");
      INFO(r.err);
      CHECK(accepted(r));
    }
  }
}

TEST_CASE("signed review: interop with stock ssh-keygen, both ways", "[e2e][sign]") {
  Keys k;
  TempRepo repo(policy_for(k));
  repo.commit(kAiMessage, kJunior);
  write_file(k.dir.path() / "allowed_signers",
             "senior@example.com namespaces=\"trailgate-review\" " + k.senior.public_key + "\n");

  SECTION(
      "trailgate approve's signature verifies with ssh-keygen -Y verify over explain --payload") {
    approve_ok(repo, k.senior, "Senior One <senior@example.com>");
    std::string payload =
        run_ok({trailgate_binary(), "explain", "--payload", "HEAD"}, repo.clone());
    CHECK_THAT(payload, Catch::StartsWith("trailgate-review-payload v1\n"));
    write_file(k.dir.path() / "review.sig", armor(trailer_value(repo, "Review-Signature")));
    ProcessResult verify =
        run({"ssh-keygen", "-Y", "verify", "-f", (k.dir.path() / "allowed_signers").string(), "-I",
             "senior@example.com", "-n", "trailgate-review", "-s",
             (k.dir.path() / "review.sig").string()},
            k.dir.path(), payload);
    INFO(verify.out << verify.err);
    CHECK(verify.exit_code == 0);
    CHECK_THAT(verify.out, Catch::Contains("Good \"trailgate-review\" signature"));
    // The same check over a payload with one byte changed fails.
    ProcessResult tampered =
        run({"ssh-keygen", "-Y", "verify", "-f", (k.dir.path() / "allowed_signers").string(), "-I",
             "senior@example.com", "-n", "trailgate-review", "-s",
             (k.dir.path() / "review.sig").string()},
            k.dir.path(), payload + "x");
    CHECK(tampered.exit_code != 0);
  }

  SECTION("a signature made by hand with ssh-keygen -Y sign verifies in trailgate") {
    std::string payload = run_ok(
        {trailgate_binary(), "explain", "--payload", "--reviewer", "senior@example.com", "HEAD"},
        repo.clone());
    std::string armored =
        run_ok({"ssh-keygen", "-q", "-Y", "sign", "-n", "trailgate-review", "-f", k.senior.path},
               k.dir.path(), payload);
    repo.git({"commit", "--amend", "-q", "--no-edit", "--trailer",
              "Reviewed-by: Senior One <senior@example.com>", "--trailer",
              "Review-Signature: " + dearmor(armored)});
    ProcessResult r = repo.push("HEAD:refs/heads/main");
    INFO(r.err);
    CHECK(accepted(r));
  }
}

TEST_CASE("signed review: approving a range, and adding reviews, keeps signatures valid",
          "[e2e][sign]") {
  Keys k;
  SECTION("approve A..HEAD signs and rewrites three commits, keeping trees and authors") {
    TempRepo repo(policy_for(k));
    std::string base = repo.git({"rev-parse", "HEAD"}).substr(0, 40);
    for (int i = 0; i < 3; ++i)
      repo.commit(fmt::format("AI change {}\n\nAssisted-by: Claude\n", i), kJunior);
    std::string trees_before = repo.git({"log", "--format=%T %an %ad %cn", base + "..HEAD"});
    approve_ok(repo, k.senior, "Senior One <senior@example.com>", base + "..HEAD");
    CHECK(repo.git({"log", "--format=%T %an %ad %cn", base + "..HEAD"}) == trees_before);
    CHECK(accepted(repo.push("HEAD:refs/heads/main")));
  }
  SECTION("a second senior's approval does not void the first") {
    TempRepo repo(policy_for(k, 2));
    repo.commit(kAiMessage, kJunior);
    approve_ok(repo, k.senior, "Senior One <senior@example.com>");
    CHECK_FALSE(accepted(repo.push("HEAD:refs/heads/main")));
    approve_ok(repo, k.senior2, "Senior Two <senior2@example.com>");
    ProcessResult r = repo.push("HEAD:refs/heads/main");
    INFO(r.err);
    CHECK(accepted(r));
  }
}

TEST_CASE("signed review: approve refuses what it cannot do safely", "[e2e][sign]") {
  Keys k;
  TempRepo repo(policy_for(k));
  repo.commit(kAiMessage, kJunior);
  std::string head = repo.git({"rev-parse", "HEAD"});
  SECTION("a dirty work tree") {
    write_file(repo.clone() / "file1.txt", "edited\n");
    ProcessResult r = approve(repo, k.senior, "Senior One <senior@example.com>");
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("uncommitted changes"));
  }
  SECTION("a range that does not end at HEAD") {
    ProcessResult r = approve(repo, k.senior, "Senior One <senior@example.com>", "HEAD~1..HEAD~1");
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("does not end at HEAD"));
  }
  SECTION("a merge in the range") {
    repo.branch("side", "HEAD~1");
    repo.commit("Side work\n", kJunior);
    repo.git({"checkout", "-q", "main"});
    repo.git({"merge", "-q", "--no-ff", "-m", "Merge side", "side"});
    head = repo.git({"rev-parse", "HEAD"});
    ProcessResult r = approve(repo, k.senior, "Senior One <senior@example.com>", "HEAD~1..HEAD");
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("is a merge"));
  }
  CHECK(repo.git({"rev-parse", "HEAD"}) == head);
}

TEST_CASE("signed review: attacks are rejected at push time", "[e2e][sign]") {
  Keys k;
  TempRepo repo(policy_for(k));
  std::string expect;

  SECTION("a signature copied from another commit") {
    repo.branch("other");
    repo.commit("Other AI change\n\nAssisted-by: Claude\n", kJunior);
    approve_ok(repo, k.senior, "Senior One <senior@example.com>");
    std::string copied = trailer_value(repo, "Review-Signature");
    repo.branch("main", "origin/main");
    repo.commit(kAiMessage, kJunior);
    repo.git({"commit", "--amend", "-q", "--no-edit", "--trailer",
              "Reviewed-by: Senior One <senior@example.com>", "--trailer",
              "Review-Signature: " + copied});
    expect = "payload-mismatch";
  }
  SECTION("content changed after approval") {
    repo.commit(kAiMessage, kJunior);
    approve_ok(repo, k.senior, "Senior One <senior@example.com>");
    write_file(repo.clone() / "file1.txt", "changed after review\n");
    repo.git({"commit", "-q", "-a", "--amend", "--no-edit"});
    expect = "does not match this commit's payload";
  }
  SECTION("message changed after approval") {
    repo.commit(kAiMessage, kJunior);
    approve_ok(repo, k.senior, "Senior One <senior@example.com>");
    set_message(repo, "Add retry logic, and delete the environment\n" +
                          message_of(repo).substr(message_of(repo).find('\n')));
    expect = "does not match this commit's payload";
  }
  SECTION("author changed after approval") {
    repo.commit(kAiMessage, kJunior);
    approve_ok(repo, k.senior, "Senior One <senior@example.com>");
    repo.git(
        {"commit", "--amend", "-q", "--no-edit", "--author", "Someone Else <else@example.com>"});
    expect = "does not match this commit's payload";
  }
  SECTION("a key not on the roster") {
    repo.commit(kAiMessage, kJunior);
    approve_ok(repo, k.stranger, "Senior One <senior@example.com>");
    expect = "which is not on the roster";
  }
  SECTION("a junior's roster key") {
    repo.commit(kAiMessage, "Other Dev <other@example.com>");
    approve_ok(repo, k.junior, "Junior One <junior@example.com>");
    expect = "Junior One is junior; senior or above is required";
  }
  SECTION("the author's own key") {
    repo.commit(kAiMessage, "Senior One <senior.one@corp.example>");
    approve_ok(repo, k.senior, "Senior One <senior@example.com>");
    expect = "is the commit's author and cannot review it";
  }
  SECTION("a valid signature whose Reviewed-by names someone else") {
    repo.commit(kAiMessage, kJunior);
    approve_ok(repo, k.senior, "Senior Two <senior2@example.com>");
    expect = "made with Senior One's key, not with one of Senior Two's keys";
  }
  SECTION("truncated base64") {
    repo.commit(kAiMessage, kJunior);
    approve_ok(repo, k.senior, "Senior One <senior@example.com>");
    std::string msg = message_of(repo);
    std::string value = trailer_value(repo, "Review-Signature");
    msg.replace(msg.find(value), value.size(), value.substr(0, value.size() / 2));
    set_message(repo, msg);
    expect = "bad-signature";
  }
  SECTION("garbage base64") {
    repo.commit(kAiMessage +
                    "Reviewed-by: Senior One <senior@example.com>\n"
                    "Review-Signature: !!not*base64!!\n",
                kJunior);
    expect = "is not a valid SSH signature";
  }
  SECTION("the wrong namespace") {
    repo.commit(kAiMessage, kJunior);
    std::string payload = run_ok(
        {trailgate_binary(), "explain", "--payload", "--reviewer", "senior@example.com", "HEAD"},
        repo.clone());
    std::string armored =
        run_ok({"ssh-keygen", "-q", "-Y", "sign", "-n", "git", "-f", k.senior.path}, k.dir.path(),
               payload);
    repo.git({"commit", "--amend", "-q", "--no-edit", "--trailer",
              "Reviewed-by: Senior One <senior@example.com>", "--trailer",
              "Review-Signature: " + dearmor(armored)});
    expect = "namespace";
  }
  SECTION("a rebase onto a base with different trees needs re-approval") {
    repo.commit(kAiMessage, kJunior);
    approve_ok(repo, k.senior, "Senior One <senior@example.com>");
    // main moves on; the approved commit is rebased onto it, so its parent's tree changes.
    repo.branch("upstream-work", "origin/main");
    repo.commit("Unrelated human change\n", "Other Dev <other@example.com>");
    REQUIRE(accepted(repo.push("HEAD:refs/heads/main")));
    repo.git({"checkout", "-q", "main"});
    repo.git({"rebase", "-q", "upstream-work"});
    ProcessResult stale = repo.push("HEAD:refs/heads/main");
    CHECK_FALSE(accepted(stale));
    CHECK_THAT(stale.err, Catch::Contains("payload-mismatch") || Catch::Contains("does not match"));
    // Re-approval after the rebase is accepted.
    approve_ok(repo, k.senior, "Senior One <senior@example.com>");
    expect = "";
  }
  SECTION("duplicated trailers count once") {
    TempRepo two(policy_for(k, 2));
    two.commit(kAiMessage, kJunior);
    approve_ok(two, k.senior, "Senior One <senior@example.com>");
    std::string sig = trailer_value(two, "Review-Signature");
    two.git({"commit", "--amend", "-q", "--no-edit", "--trailer",
             "Reviewed-by: Senior One <senior.one@corp.example>", "--trailer",
             "Review-Signature: " + sig});
    ProcessResult r = two.push("HEAD:refs/heads/main");
    CHECK_FALSE(accepted(r));
    CHECK_THAT(r.err, Catch::Contains("has 1"));
    return;
  }
  ProcessResult r = repo.push("HEAD:refs/heads/main");
  INFO(r.err);
  if (expect.empty()) {
    CHECK(accepted(r));
  } else {
    CHECK_FALSE(accepted(r));
    CHECK_THAT(r.err, Catch::Contains(expect));
  }
}

TEST_CASE("signed review: roster-only verification is marked as the weaker level", "[e2e][sign]") {
  Keys k;
  TempRepo repo("[review]\nverification = \"roster\"\n" + policy_for(k));
  repo.commit(kAiMessage + reviewed_by(kSeniorOne) + "\n", kJunior);
  ProcessResult r =
      run({trailgate_binary(), "check", "--policy", (repo.server() / "trailgate.toml").string(),
           "--ref", "refs/heads/main", "origin/main..HEAD"},
          repo.clone());
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("the weaker level"));
  ProcessResult json = run({trailgate_binary(), "check", "--format", "json", "--policy",
                            (repo.server() / "trailgate.toml").string(), "--ref", "refs/heads/main",
                            "origin/main..HEAD"},
                           repo.clone());
  CHECK_THAT(json.out, Catch::Contains("\"verification\":\"roster\""));
}

namespace {

std::uint32_t read_u32(const std::string& b, std::size_t at) {
  return (std::uint32_t(std::uint8_t(b[at])) << 24) |
         (std::uint32_t(std::uint8_t(b[at + 1])) << 16) |
         (std::uint32_t(std::uint8_t(b[at + 2])) << 8) | std::uint32_t(std::uint8_t(b[at + 3]));
}

std::string u32(std::size_t n) {
  return {char((n >> 24) & 0xff), char((n >> 16) & 0xff), char((n >> 8) & 0xff), char(n & 0xff)};
}

// Rewrites the signature algorithm inside an SSHSIG blob (the last field's first string).
std::string with_signature_algorithm(const std::string& blob, const std::string& algorithm) {
  std::size_t at = 6 + 4;                  // "SSHSIG", version
  for (int field = 0; field < 4; ++field)  // public key, namespace, reserved, hash
    at += 4 + read_u32(blob, at);
  std::string sig_blob = blob.substr(at + 4, read_u32(blob, at));
  std::size_t alg_len = read_u32(sig_blob, 0);
  std::string rest = sig_blob.substr(4 + alg_len);
  std::string new_sig_blob = u32(algorithm.size()) + algorithm + rest;
  return blob.substr(0, at) + u32(new_sig_blob.size()) + new_sig_blob;
}

}  // namespace

TEST_CASE("signed review: an ssh-rsa (SHA-1) signature is rejected at push time", "[e2e][sign]") {
  Keys k;
  Key rsa = make_key(k.dir.path(), "senior-rsa", "rsa", 3072);
  TempRepo repo(policy_for(k, 1, rsa.public_key));
  repo.commit(kAiMessage, kJunior);
  approve_ok(repo, rsa, "Senior One <senior@example.com>");
  std::string value = trailer_value(repo, "Review-Signature");
  std::string blob = run_ok({"base64", "-d"}, k.dir.path(), value);
  REQUIRE_THAT(blob, Catch::Contains("rsa-sha2-512"));
  std::string forged =
      run_ok({"base64", "-w0"}, k.dir.path(), with_signature_algorithm(blob, "ssh-rsa"));
  std::string msg = message_of(repo);
  msg.replace(msg.find(value), value.size(), forged);
  set_message(repo, msg);
  ProcessResult r = repo.push("HEAD:refs/heads/main");
  CHECK_FALSE(accepted(r));
  CHECK_THAT(r.err, Catch::Contains("bad-signature"));
  CHECK_THAT(r.err, Catch::Contains("ssh-rsa"));
}

TEST_CASE(
    "signed review: approve takes the key from user.signingKey and the reviewer from git "
    "config",
    "[e2e][sign]") {
  Keys k;
  TempRepo repo(policy_for(k));
  repo.commit(kAiMessage, kJunior);
  repo.git({"config", "user.signingKey", k.senior.path});
  repo.git({"config", "user.name", "Senior One"});
  repo.git({"config", "user.email", "senior@example.com"});
  std::string old_head = repo.git({"rev-parse", "HEAD"}).substr(0, 40);
  ProcessResult r = run({trailgate_binary(), "approve"}, repo.clone());
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains(old_head));  // the old tip is printed...
  CHECK_THAT(repo.git({"reflog", "-1", "--format=%H %gs"}),
             Catch::Contains("trailgate approve"));  // ...and the reflog records the move
  CHECK(repo.git({"rev-parse", "HEAD@{1}"}).substr(0, 40) == old_head);
  CHECK(accepted(repo.push("HEAD:refs/heads/main")));
}
