// The policy that motivated trailgate, as issue 14 writes it ("juniors' and mids' AI-assisted
// work: a senior signs off; seniors and principals: one peer review; an agent's commit: two
// reviews"), with a junior added and an SSH key for everyone, and what the tests that push and
// approve under it share. Header-only: each test program that includes it runs real programs
// (ssh-keygen, git, trailgate) through temp_repo.h.
#pragma once

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "support/temp_repo.h"

namespace trailgate::testing {

// One ed25519 key per person of level_policy(), and one for a signer off the roster.
struct LevelKeys {
  TempDir dir;
  SshKey junior = make_ssh_key(dir.path(), "junior", "ed25519");
  SshKey mid = make_ssh_key(dir.path(), "mid", "ed25519");
  SshKey senior = make_ssh_key(dir.path(), "senior", "ed25519");
  SshKey senior2 = make_ssh_key(dir.path(), "senior2", "ed25519");
  SshKey principal = make_ssh_key(dir.path(), "principal", "ed25519");
  SshKey stranger = make_ssh_key(dir.path(), "stranger", "ed25519");
};

// The people of level_policy(), as commits and reviews name them.
inline const std::string kLevelJunior = "Junior One <junior@example.com>";
inline const std::string kLevelMid = "Mid One <mid@example.com>";
inline const std::string kLevelSenior = "Senior One <senior@example.com>";
inline const std::string kLevelSenior2 = "Senior Two <senior2@example.com>";
inline const std::string kLevelPrincipal = "Principal One <principal@example.com>";
// Principal One's second roster email.
inline const std::string kLevelPrincipalAlt = "Principal One <principal.one@corp.example>";
// The Copilot coding agent as it authors a commit.
inline const std::string kCopilotAgent =
    "copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>";

// The policy of issue 14 item 3, verbatim (comments included) but for a `keys` line per person,
// a junior (Junior One) first, and a second email for Principal One. Signature verification
// (the default): every review needs its signer's key.
inline std::string level_policy(const LevelKeys& k) {
  return fmt::format(
      R"([[person]]
name = "Junior One"
emails = ["junior@example.com"]
level = "junior"
keys = ["{junior}"]

[[person]]
name = "Mid One"
emails = ["mid@example.com"]
level = "mid"
keys = ["{mid}"]

[[person]]
name = "Senior One"
emails = ["senior@example.com"]
level = "senior"
keys = ["{senior}"]

[[person]]
name = "Senior Two"
emails = ["senior2@example.com"]
level = "senior"
keys = ["{senior2}"]

[[person]]
name = "Principal One"
emails = ["principal@example.com", "principal.one@corp.example"]
level = "principal"
keys = ["{principal}"]

[[protect]]
refs = ["refs/heads/main"]
approvals = 1
min_level = "senior"       # juniors' and mids' AI-assisted work: a senior signs off
agent_approvals = 2        # a commit an agent wrote on its own: two reviews

  [[protect.author_level]] # seniors and principals: one peer review is enough
  levels = ["senior", "principal"]
  min_level = "mid"
)",
      fmt::arg("junior", k.junior.public_key), fmt::arg("mid", k.mid.public_key),
      fmt::arg("senior", k.senior.public_key), fmt::arg("senior2", k.senior2.public_key),
      fmt::arg("principal", k.principal.public_key));
}

// `trailgate approve --key <key> --as <as> [extra...]` in the clone.
inline ProcessResult approve_as(TempRepo& repo, const SshKey& key, const std::string& as,
                                const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {trailgate_binary(), "approve", "--key", key.path, "--as", as};
  args.insert(args.end(), extra.begin(), extra.end());
  return run(args, repo.clone());
}

// approve_as, failing the test unless it exits 0.
inline void approve_ok_as(TempRepo& repo, const SshKey& key, const std::string& as,
                          const std::vector<std::string>& extra = {}) {
  ProcessResult r = approve_as(repo, key, as, extra);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
}

// Puts the clone's branch back on `id`, dropping the approvals made since.
inline void reset_to(TempRepo& repo, const std::string& id) {
  repo.git({"reset", "-q", "--hard", id});
}

}  // namespace trailgate::testing
