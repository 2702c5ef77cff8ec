#include "support/servers.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <thread>

namespace trailgate::testing {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// Asks the kernel for a port on 127.0.0.1 that is free right now. Another process may take it
// before the server binds it; start_server() copes with that by starting again.
int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  close(fd);
  if (port <= 0)
    throw std::runtime_error("cannot find a free port on 127.0.0.1");
  return port;
}

bool accepts_connections(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

// The environment a server starts with: nothing of the test runner's own, except what is needed
// to find programs and to run sanitized builds of trailgate in the hooks the server runs.
std::map<std::string, std::string> server_environment(const fs::path& home) {
  std::map<std::string, std::string> env;
  const char* path = std::getenv("PATH");
  env["PATH"] = path ? path : "/usr/local/bin:/usr/bin:/bin";
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TMPDIR"})
    if (const char* value = std::getenv(name))
      env[name] = value;
  env["HOME"] = home.string();
  env["LC_ALL"] = "C";
  env["GIT_CONFIG_NOSYSTEM"] = "1";
  return env;
}

// Starts a server with `start(port)` on a free port and waits until it has said `ready_marker`
// in its log and accepts connections on the port. The marker is only written after the server
// bound its socket, so a connection to some other process that took the port first is never
// mistaken for ours; when the server dies instead (the port was taken), it starts again on
// another port. Fails the current test when the server cannot be started.
std::unique_ptr<ServerProcess> start_server(
    const std::function<std::unique_ptr<ServerProcess>(int port)>& start,
    const std::string& ready_marker, int& port_out) {
  std::string last_log;
  for (int attempt = 0; attempt < 10; ++attempt) {
    int port = free_port();
    std::unique_ptr<ServerProcess> server = start(port);
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (server->running() && std::chrono::steady_clock::now() < deadline) {
      if (server->log().find(ready_marker) != std::string::npos && accepts_connections(port)) {
        port_out = port;
        return server;
      }
      std::this_thread::sleep_for(20ms);
    }
    last_log = server->log();
    server->stop();
  }
  FAIL("the server did not start; its last log:\n" << last_log);
  return nullptr;
}

// Quotes `s` as a lighttpd config string.
std::string lighttpd_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string find_lighttpd() {
  for (const char* candidate : {"/usr/sbin/lighttpd", "/usr/bin/lighttpd"})
    if (access(candidate, X_OK) == 0)
      return candidate;
  FAIL(
      "lighttpd is not installed; the smart HTTP tests need Debian's lighttpd package "
      "(./dev.sh test installs it)");
  return "";
}

}  // namespace

ServerProcess::ServerProcess(const std::vector<std::string>& argv, const fs::path& cwd,
                             const std::map<std::string, std::string>& env, fs::path log)
    : log_(std::move(log)) {
  int log_fd = open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (log_fd < 0 || null_fd < 0)
    throw std::runtime_error("cannot open the server log " + log_.string());
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env)
    env_strings.push_back(k + "=" + v);
  std::vector<char*> envp, args;
  for (auto& s : env_strings)
    envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& s : argv_copy)
    args.push_back(s.data());
  args.push_back(nullptr);

  pid_ = fork();
  if (pid_ == 0) {
    // Its own process group, so that stop() also ends whatever the server spawned.
    setpgid(0, 0);
    dup2(null_fd, 0);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    if (chdir(cwd.c_str()) != 0)
      _exit(126);
    execvpe(args[0], args.data(), envp.data());
    _exit(127);
  }
  close(log_fd);
  close(null_fd);
  if (pid_ < 0)
    throw std::runtime_error("fork failed");
  setpgid(pid_, pid_);  // also here: whichever of the two runs first, the group exists
}

ServerProcess::~ServerProcess() {
  stop();
}

bool ServerProcess::running() {
  if (reaped_)
    return false;
  siginfo_t info{};
  // Look without reaping, so that the process group id stays ours while we clean it up.
  if (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
      info.si_pid == 0)
    return true;
  kill(-pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  reaped_ = true;
  return false;
}

void ServerProcess::stop() {
  if (pid_ <= 0 || reaped_)
    return;
  kill(-pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    siginfo_t info{};
    if (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0 ||
        info.si_pid != 0)
      break;
    std::this_thread::sleep_for(10ms);
  }
  // Whatever is left of the group (the leader, or children it spawned) goes now.
  kill(-pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  reaped_ = true;
}

std::string ServerProcess::log() const {
  return read_file(log_);
}

GitDaemon::GitDaemon(const fs::path& base_path) {
  fs::create_directories(work_.path() / "home");
  auto env = server_environment(work_.path() / "home");
  process_ = start_server(
      [&](int port) {
        return std::make_unique<ServerProcess>(
            std::vector<std::string>{"git", "daemon", "--listen=127.0.0.1",
                                     "--port=" + std::to_string(port),
                                     "--base-path=" + base_path.string(), "--export-all",
                                     "--enable=receive-pack", "--informative-errors", "--verbose"},
            work_.path(), env, work_.path() / "daemon.log");
      },
      "Ready to rumble", port_);
}

std::string GitDaemon::url(const std::string& repository) const {
  return "git://127.0.0.1:" + std::to_string(port_) + "/" + repository;
}

HttpGitServer::HttpGitServer(const fs::path& base_path, const std::string& user,
                             const std::string& password) {
  std::string lighttpd = find_lighttpd();
  std::string exec_path = run_ok({"git", "--exec-path"}, work_.path());
  while (!exec_path.empty() && (exec_path.back() == '\n' || exec_path.back() == '\r'))
    exec_path.pop_back();
  const fs::path home = work_.path() / "home";
  fs::create_directories(home);
  fs::create_directories(work_.path() / "htdocs");
  write_file(work_.path() / "users", user + ":" + password + "\n");

  // What git http-backend, receive-pack and the hooks see besides the CGI variables.
  std::string backend_env = "\"GIT_PROJECT_ROOT\" => " + lighttpd_string(base_path.string()) +
                            ", \"GIT_HTTP_EXPORT_ALL\" => \"1\", \"GIT_CONFIG_NOSYSTEM\" => \"1\"" +
                            ", \"HOME\" => " + lighttpd_string(home.string());
  auto env = server_environment(home);
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"})
    if (env.count(name))
      backend_env += std::string(", \"") + name + "\" => " + lighttpd_string(env[name]);

  process_ = start_server(
      [&](int port) {
        fs::path config = work_.path() / "lighttpd.conf";
        write_file(config,
                   "server.modules = ( \"mod_auth\", \"mod_authn_file\", \"mod_alias\", "
                   "\"mod_setenv\", \"mod_cgi\" )\n"
                   "server.document-root = " +
                       lighttpd_string((work_.path() / "htdocs").string()) +
                       "\n"
                       "server.upload-dirs = ( " +
                       lighttpd_string(work_.path().string()) +
                       " )\n"
                       "server.bind = \"127.0.0.1\"\n"
                       "server.port = " +
                       std::to_string(port) +
                       "\n"
                       "alias.url = ( \"/git/\" => " +
                       lighttpd_string(exec_path + "/git-http-backend/") +
                       " )\n"
                       "$HTTP[\"url\"] =^ \"/git/\" {\n"
                       "  cgi.assign = ( \"\" => \"\" )\n"
                       "  setenv.add-environment = ( " +
                       backend_env +
                       " )\n"
                       "  auth.backend = \"plain\"\n"
                       "  auth.backend.plain.userfile = " +
                       lighttpd_string((work_.path() / "users").string()) +
                       "\n"
                       "  auth.require = ( \"\" => ( \"method\" => \"basic\", \"realm\" => "
                       "\"trailgate\", \"require\" => \"valid-user\" ) )\n"
                       "}\n");
        return std::make_unique<ServerProcess>(
            std::vector<std::string>{lighttpd, "-D", "-f", config.string()}, work_.path(), env,
            work_.path() / "lighttpd.log");
      },
      "server started", port_);
}

std::string HttpGitServer::url(const std::string& repository,
                               const std::string& credentials) const {
  return "http://" + (credentials.empty() ? "" : credentials + "@") +
         "127.0.0.1:" + std::to_string(port_) + "/git/" + repository;
}

SshServer::SshServer(const fs::path& authorized_keys, const fs::path& home) {
  const std::string sshd = "/usr/sbin/sshd";
  if (access(sshd.c_str(), X_OK) != 0)
    FAIL(
        "sshd is not installed; the gitolite tests need Debian's openssh-server package "
        "(./dev.sh test installs it)");
  struct passwd* pw = ::getpwuid(::geteuid());
  REQUIRE(pw != nullptr);
  user_ = pw->pw_name;
  // sshd started as root separates privileges into this directory, which it does not create.
  if (::geteuid() == 0)
    fs::create_directories("/run/sshd");
  const fs::path host_key = work_.path() / "host_ed25519";
  run_ok({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", host_key.string()}, work_.path());
  auto env = server_environment(work_.path());
  // What the sessions (and so gitolite and the hooks) see: sshd gives them a fresh environment.
  std::string set_env = "\"HOME=" + home.string() + "\" \"GIT_CONFIG_NOSYSTEM=1\" \"LC_ALL=C\"";
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TMPDIR"})
    if (env.count(name))
      set_env += std::string(" \"") + name + "=" + env[name] + "\"";
  process_ = start_server(
      [&](int port) {
        fs::path config = work_.path() / "sshd_config";
        write_file(config, "Port " + std::to_string(port) +
                               "\n"
                               "ListenAddress 127.0.0.1\n"
                               "HostKey " +
                               host_key.string() +
                               "\n"
                               "AuthorizedKeysFile " +
                               authorized_keys.string() +
                               "\n"
                               "PubkeyAuthentication yes\n"
                               "PasswordAuthentication no\n"
                               "KbdInteractiveAuthentication no\n"
                               "PermitRootLogin prohibit-password\n"
                               "UsePAM no\n"
                               "StrictModes no\n"
                               "PidFile none\n"
                               "SetEnv " +
                               set_env + "\n");
        return std::make_unique<ServerProcess>(
            std::vector<std::string>{sshd, "-D", "-e", "-f", config.string()}, work_.path(), env,
            work_.path() / "sshd.log");
      },
      "Server listening on", port_);
}

std::string SshServer::url(const std::string& repository) const {
  return "ssh://" + user_ + "@127.0.0.1:" + std::to_string(port_) + "/" + repository;
}

std::string SshServer::ssh_command(const std::string& identity) {
  return "ssh -F /dev/null -i '" + identity +
         "' -o IdentitiesOnly=yes -o IdentityAgent=none -o StrictHostKeyChecking=no "
         "-o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR";
}

}  // namespace trailgate::testing
