// End-to-end: the binary's exit codes for its own command line, from a directory that is no
// repository. A usage error exits 2 before anything is opened (not 3, which an attempt to open
// the repository would give), --help and --version exit 0 and print to stdout. The parsing
// itself, option by option, is tests/unit/cli_command_line_test.cpp.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "support/fixtures.h"
#include "support/temp_repo.h"

namespace {

using trailgate::testing::ProcessResult;
using trailgate::testing::TempDir;

ProcessResult run_trailgate(const std::vector<std::string>& args) {
  static const TempDir not_a_repository;
  std::vector<std::string> argv = {trailgate::testing::trailgate_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return trailgate::testing::run(argv, not_a_repository.path());
}

}  // namespace

TEST_CASE("cli: usage errors exit 2 with a message, before any repository is opened",
          "[e2e][cli]") {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {},
           {"frobnicate"},
           {"check", "--bogus"},
           {"check", "--format", "xml"},
           {"audit", "--threads", "many"},
           {"explain"},
           {"update", "refs/heads/main"},
           {"policy"},
           {"install", "--gitlab", "--gitea"},
           {"--color", "purple", "check"},
       }) {
    std::string joined;
    for (const auto& a : args)
      joined += a + " ";
    INFO("trailgate " << joined);
    ProcessResult r = run_trailgate(args);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK_FALSE(r.err.empty());
  }
}

TEST_CASE("cli: --help and --version exit 0 and print to stdout", "[e2e][cli]") {
  ProcessResult help = run_trailgate({"--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("audit"));
  CHECK(help.err.empty());

  ProcessResult version = run_trailgate({"--version"});
  CHECK(version.exit_code == 0);
  CHECK_THAT(version.out, Catch::StartsWith("trailgate "));
}

TEST_CASE("cli: a well-formed command outside a repository is a git error, exit 3", "[e2e][cli]") {
  // The command line is fine, so the run gets as far as opening the repository.
  ProcessResult r = run_trailgate({"check"});
  INFO(r.err);
  CHECK(r.exit_code == 3);
}

TEST_CASE("cli: policy check warns about a roster key that can never verify a review",
          "[e2e][cli]") {
  TempDir dir;
  // An ssh-ed25519 key whose 32 bytes are all zero: well-formed, but a small-order point that
  // the verifier refuses, so every review it signs would be refused.
  const std::string zero_key =
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA zero";
  const std::string good_key =
      trailgate::testing::make_ssh_key(dir.path(), "k", "ed25519").public_key;
  auto policy = [&](const std::string& key) {
    using namespace trailgate::testing;
    return signature_policy({kSeniorOne.with_keys({key})}, {protect({"refs/heads/main"})});
  };
  const auto file = dir.path() / "policy.toml";
  trailgate::testing::write_file(file, policy(zero_key));
  ProcessResult r = run_trailgate({"policy", "check", file.string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);  // the hook loads it too; the key simply never counts
  CHECK_THAT(r.out, Catch::Contains("warning: ") && Catch::Contains("Senior One's key 1") &&
                        Catch::Contains("can never verify a review"));

  trailgate::testing::write_file(file, policy(good_key));
  r = run_trailgate({"policy", "check", file.string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, !Catch::Contains("can never verify"));
}
