// Real network servers for end-to-end tests: `git daemon`, smart HTTP (`git http-backend`
// behind lighttpd with basic authentication) and sshd, each on a free port of 127.0.0.1.
//
// Every server belongs to one test. It runs in its own process group with a clean environment
// and a config the test writes into a scratch directory, and it is always stopped (the group
// killed, the process reaped) when its owner goes out of scope, also when the test fails. Ports
// are never fixed: a server asks the kernel for a free one and is started again on another port
// if something else took it first, so parallel ctest runs cannot collide.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/temp_repo.h"

namespace trailgate::testing {

// A long-running child process, owned like a file handle.
class ServerProcess {
 public:
  // Starts `argv` in `cwd` with exactly `env` as its environment (nothing is inherited), in a
  // new process group, with stdout and stderr appended to `log`. Throws std::runtime_error when
  // the process cannot be started.
  ServerProcess(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
                const std::map<std::string, std::string>& env, std::filesystem::path log);
  // Stops the server (see stop()).
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Returns true while the process has not exited. Reaps it when it has.
  bool running();
  // SIGTERM to the whole process group, SIGKILL after a grace period, then reaps the process.
  // Safe to call more than once.
  void stop();
  // What the server wrote to stdout and stderr so far.
  std::string log() const;

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  std::filesystem::path log_;
};

// `git daemon` serving every repository under a base path on 127.0.0.1, with receive-pack
// enabled (`--enable=receive-pack --export-all`), so clients can push over git://.
class GitDaemon {
 public:
  // Starts the daemon and waits until it accepts connections. Fails the current test when it
  // cannot be started.
  explicit GitDaemon(const std::filesystem::path& base_path);

  // The URL of `repository`, a path relative to the base path: git://127.0.0.1:<port>/<repo>.
  std::string url(const std::string& repository) const;
  int port() const { return port_; }
  std::string log() const { return process_ ? process_->log() : ""; }

 private:
  TempDir work_;
  int port_ = 0;
  std::unique_ptr<ServerProcess> process_;
};

// Smart HTTP: `git http-backend` as a CGI program of lighttpd (Debian's package) on 127.0.0.1.
// Everything under /git/ needs HTTP basic authentication with the one account given, and
// lighttpd passes the authenticated name to the backend, and so to the hooks, as REMOTE_USER.
class HttpGitServer {
 public:
  // Writes the lighttpd config into a scratch directory, starts lighttpd in the foreground and
  // waits until it accepts connections. Fails the current test when lighttpd is not installed or
  // cannot be started.
  HttpGitServer(const std::filesystem::path& base_path, const std::string& user,
                const std::string& password);

  // The URL of `repository` (relative to the base path), with `credentials` ("user:password")
  // in it unless empty: http://[credentials@]127.0.0.1:<port>/git/<repository>.
  std::string url(const std::string& repository, const std::string& credentials = "") const;
  int port() const { return port_; }
  std::string log() const { return process_ ? process_->log() : ""; }

 private:
  TempDir work_;
  int port_ = 0;
  std::unique_ptr<ServerProcess> process_;
};

// sshd (Debian's openssh-server) on 127.0.0.1 with a config the test writes: public-key
// authentication only, for the user running the tests, with `authorized_keys` as the only key
// file. Every session gets `home` as HOME (sshd's SetEnv), so that what the keys' forced
// commands run (gitolite-shell) finds the site the test made there, not the user's own home.
class SshServer {
 public:
  // Generates a host key, writes the config, starts sshd in the foreground and waits until it
  // listens. Fails the current test when sshd is not installed or cannot be started.
  SshServer(const std::filesystem::path& authorized_keys, const std::filesystem::path& home);

  // ssh://<user>@127.0.0.1:<port>/<repository>
  std::string url(const std::string& repository) const;
  // A GIT_SSH_COMMAND that logs in with `identity` only: no agent, no ssh config of the user,
  // no known_hosts, never a prompt.
  static std::string ssh_command(const std::string& identity);
  int port() const { return port_; }
  std::string log() const { return process_ ? process_->log() : ""; }

 private:
  TempDir work_;
  std::string user_;
  int port_ = 0;
  std::unique_ptr<ServerProcess> process_;
};

}  // namespace trailgate::testing
