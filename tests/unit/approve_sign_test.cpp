// approve::sign_with_ssh_keygen with the real ssh-keygen: the blob it returns verifies in
// trailgate's own SSHSIG verifier for the key and namespace asked for, a literal public key
// signs through ssh-agent, every failure is a SigningError in words for the reviewer, and no
// scratch file outlives the call.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "approve/approve.h"
#include "ssh/ssh_key.h"
#include "ssh/sshsig.h"
#include "support/temp_repo.h"

namespace {

namespace fs = std::filesystem;
using trailgate::approve::sign_with_ssh_keygen;
using trailgate::approve::SigningError;
using trailgate::testing::make_ssh_key;
using trailgate::testing::ProcessResult;
using trailgate::testing::run;
using trailgate::testing::SshKey;
using trailgate::testing::TempDir;

const std::string kPayload = "trailgate-review-payload v1\nmessage 5\nhello";

// Sets an environment variable of this process for the scope, then puts back what was there.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::optional<std::string>& value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str()))
      old_ = old;
    if (value)
      ::setenv(name_.c_str(), value->c_str(), 1);
    else
      ::unsetenv(name_.c_str());
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_.c_str(), old_->c_str(), 1);
    else
      ::unsetenv(name_.c_str());
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

// Checks that `blob` is an SSHSIG by `key` over `payload` in `sig_namespace`.
void check_signed_by(const std::string& blob, const SshKey& key, const std::string& payload,
                     const std::string& sig_namespace) {
  std::string error;
  auto sig = trailgate::ssh::decode_sshsig(blob, &error);
  INFO(error);
  REQUIRE(sig);
  auto public_key = trailgate::ssh::parse_public_key(key.public_key, &error);
  REQUIRE(public_key);
  CHECK(sig->public_key == public_key->blob);
  CHECK(sig->sig_namespace == sig_namespace);
  CHECK(trailgate::ssh::verify_sshsig(*sig, payload, sig_namespace, &error));
  CHECK_FALSE(trailgate::ssh::verify_sshsig(*sig, payload + "x", sig_namespace, &error));
}

bool is_empty_dir(const fs::path& dir) {
  return fs::directory_iterator(dir) == fs::directory_iterator();
}

}  // namespace

TEST_CASE("approve::sign_with_ssh_keygen signs with a private key file", "[approve][ssh]") {
  TempDir keys;
  SshKey key = make_ssh_key(keys.path(), "reviewer", "ed25519");
  // Scratch files go under $TMPDIR: a directory of the test's own shows that none is left.
  TempDir tmp;
  ScopedEnv tmpdir("TMPDIR", tmp.path().string());

  SECTION("the blob verifies for the key, the payload and the namespace") {
    check_signed_by(sign_with_ssh_keygen(kPayload, key.path, "trailgate-review"), key, kPayload,
                    "trailgate-review");
    CHECK(is_empty_dir(tmp.path()));
  }
  SECTION("the namespace is the one asked for") {
    check_signed_by(sign_with_ssh_keygen(kPayload, key.path, "acme-review@example.com"), key,
                    kPayload, "acme-review@example.com");
  }
  SECTION("a payload of any bytes, NUL and newlines included") {
    const std::string payload = std::string("a\0b\r\n\xff", 6);
    check_signed_by(sign_with_ssh_keygen(payload, key.path, "trailgate-review"), key, payload,
                    "trailgate-review");
  }
  SECTION("~/ in the key's path is the reviewer's home directory") {
    ScopedEnv home("HOME", keys.path().string());
    check_signed_by(sign_with_ssh_keygen(kPayload, "~/reviewer", "trailgate-review"), key, kPayload,
                    "trailgate-review");
  }
  SECTION("an ECDSA key signs as well") {
    SshKey ecdsa = make_ssh_key(keys.path(), "ecdsa", "ecdsa");
    check_signed_by(sign_with_ssh_keygen(kPayload, ecdsa.path, "trailgate-review"), ecdsa, kPayload,
                    "trailgate-review");
  }
}

TEST_CASE("approve::sign_with_ssh_keygen signs with a literal public key through ssh-agent",
          "[approve][ssh]") {
  TempDir keys;
  SshKey key = make_ssh_key(keys.path(), "reviewer", "ed25519");
  const std::string socket = (keys.path() / "agent.sock").string();
  ProcessResult agent = run({"ssh-agent", "-s", "-a", socket}, keys.path());
  REQUIRE(agent.exit_code == 0);
  // "SSH_AGENT_PID=1234; export SSH_AGENT_PID;"
  const auto at = agent.out.find("SSH_AGENT_PID=");
  REQUIRE(at != std::string::npos);
  const std::string pid = agent.out.substr(at + 14, agent.out.find(';', at) - at - 14);
  struct StopAgent {
    std::string pid;
    fs::path cwd;
    ~StopAgent() { run({"ssh-agent", "-k"}, cwd, "", {{"SSH_AGENT_PID", pid}}); }
  } stop{pid, keys.path()};
  REQUIRE(
      run({"ssh-add", "-q", key.path}, keys.path(), "", {{"SSH_AUTH_SOCK", socket}}).exit_code ==
      0);
  ScopedEnv auth_sock("SSH_AUTH_SOCK", socket);

  SECTION("the public key as git's user.signingKey holds it, with and without key::") {
    check_signed_by(sign_with_ssh_keygen(kPayload, key.public_key, "trailgate-review"), key,
                    kPayload, "trailgate-review");
    check_signed_by(sign_with_ssh_keygen(kPayload, "key::" + key.public_key, "trailgate-review"),
                    key, kPayload, "trailgate-review");
  }
  SECTION("the path of the public key file") {
    check_signed_by(sign_with_ssh_keygen(kPayload, key.path + ".pub", "trailgate-review"), key,
                    kPayload, "trailgate-review");
  }
}

TEST_CASE("approve::sign_with_ssh_keygen fails with a SigningError that says why",
          "[approve][ssh]") {
  TempDir keys;
  SshKey key = make_ssh_key(keys.path(), "reviewer", "ed25519");
  TempDir tmp;
  ScopedEnv tmpdir("TMPDIR", tmp.path().string());

  SECTION("a key file that does not exist is named, with ssh-keygen's words") {
    const std::string missing = (keys.path() / "no-such-key").string();
    CHECK_THROWS_MATCHES(
        sign_with_ssh_keygen(kPayload, missing, "trailgate-review"), SigningError,
        Catch::Matchers::Predicate<SigningError>(
            [&](const SigningError& e) {
              const std::string what = e.what();
              return what.find("ssh-keygen could not sign with " + missing + ":") == 0 &&
                     what.size() > ("ssh-keygen could not sign with " + missing + ": ").size();
            },
            "names the key and carries ssh-keygen's message"));
    CHECK(is_empty_dir(tmp.path()));
  }
  SECTION("a literal public key with no agent to hold its private half") {
    ScopedEnv auth_sock("SSH_AUTH_SOCK", std::nullopt);
    CHECK_THROWS_AS(sign_with_ssh_keygen(kPayload, key.public_key, "trailgate-review"),
                    SigningError);
    CHECK(is_empty_dir(tmp.path()));
  }
  SECTION("no ssh-keygen on PATH") {
    ScopedEnv path("PATH", keys.path().string());
    CHECK_THROWS_WITH(
        sign_with_ssh_keygen(kPayload, "/nonexistent", "trailgate-review"),
        Catch::Contains("cannot run ssh-keygen") && Catch::Contains("install openssh-client"));
    CHECK(is_empty_dir(tmp.path()));
  }
}
