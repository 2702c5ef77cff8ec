// A small language for tests that drive the real git client: run a process, make a scratch
// directory, a bare "server" repository with trailgate's hook, a clone, commits and pushes.
//
// Everything runs real programs (git, ssh-keygen, the built trailgate binary); nothing is
// mocked. Each TempDir is removed when it goes out of scope.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace trailgate::testing {

struct ProcessResult {
  int exit_code = -1;  // the exit status, or 128 + signal number when killed by a signal
  std::string out;
  std::string err;
};

// Runs `argv` in `cwd` with the test environment (HOME pointed at a scratch directory,
// system git config off) plus `env`. Feeds `input` to stdin. Never throws on non-zero exit.
ProcessResult run(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
                  const std::string& input = "",
                  const std::map<std::string, std::string>& env = {});

// Like run(), but fails the current test (Catch2 FAIL) when the exit code is not 0.
std::string run_ok(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
                   const std::string& input = "",
                   const std::map<std::string, std::string>& env = {});

// A fresh directory under $TMPDIR, deleted on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The path of the trailgate binary under test: $TRAILGATE_TEST_BINARY when set (to show that
// a test fails against an older build), else the one this build made.
std::string trailgate_binary();

// Writes `text` to `path`, creating parent directories.
void write_file(const std::filesystem::path& path, const std::string& text);
std::string read_file(const std::filesystem::path& path);

// A key pair made by the real ssh-keygen (no passphrase).
struct SshKey {
  std::string path;        // the private key file; the public key is path + ".pub"
  std::string public_key;  // "type base64 comment", as a policy's keys list takes it
};

// Creates key `name` of `type` ("ed25519", "ecdsa", "rsa", ...) in `dir`; `bits` 0 = default.
SshKey make_ssh_key(const std::filesystem::path& dir, const std::string& name,
                    const std::string& type, int bits = 0);

// A bare server repository with trailgate installed as its pre-receive hook, and a clone of it
// to work in. The policy lives at <server>/trailgate.toml.
class TempRepo {
 public:
  // Creates the server with `policy_toml` as its policy and a clone with one initial commit
  // on main already pushed (before the hook is installed, so it is the pre-policy history).
  explicit TempRepo(const std::string& policy_toml);

  const std::filesystem::path& server() const { return server_; }
  const std::filesystem::path& clone() const { return clone_; }

  // Replaces the server's policy file.
  void set_policy(const std::string& policy_toml);

  // Commits a change to `file` in the clone with `message`; returns the new commit id.
  // `author` is "Name <email>"; the committer is the same unless `committer` is given.
  std::string commit(const std::string& message,
                     const std::string& author = "Dev One <dev@example.com>",
                     const std::string& committer = "", const std::string& file = "");
  // git checkout -B name [start]
  void branch(const std::string& name, const std::string& start = "");
  // git push origin <refspec> [extra...]; returns the result (exit 0 = accepted).
  ProcessResult push(const std::string& refspec, const std::vector<std::string>& extra = {});
  // git <args> in the clone; fails the test on error; returns stdout.
  std::string git(const std::vector<std::string>& args, const std::string& input = "",
                  const std::map<std::string, std::string>& env = {});
  // git <args> in the server.
  std::string server_git(const std::vector<std::string>& args);

 private:
  TempDir dir_;
  std::filesystem::path server_;
  std::filesystem::path clone_;
  int counter_ = 0;
};

}  // namespace trailgate::testing
