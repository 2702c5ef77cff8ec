#include "approve/approve.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "ssh/sshsig.h"
#include "trailers/trailers.h"

extern char** environ;

namespace trailgate::approve {
namespace fs = std::filesystem;

std::string add_trailers(std::string_view message, const std::vector<std::string>& lines) {
  std::string block;
  for (const auto& line : lines)
    block += line + "\n";
  trailers::TrailerBlock existing = trailers::parse(message);
  if (existing.found()) {
    std::string out(message.substr(0, existing.end));
    if (!out.empty() && out.back() != '\n')
      out += '\n';
    return out + block + std::string(message.substr(existing.end));
  }
  // No block: a new paragraph after the message, trailing blank lines dropped as git does.
  std::string out(message);
  while (!out.empty() &&
         (out.back() == '\n' || out.back() == ' ' || out.back() == '\t' || out.back() == '\r'))
    out.pop_back();
  return out + "\n\n" + block;
}

namespace {

// A private scratch directory, removed on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "trailgate-approve.XXXXXX").string();
    if (!mkdtemp(pattern.data()))
      throw std::runtime_error("cannot create a temporary directory");
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void write_file(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out)
    throw std::runtime_error(fmt::format("cannot write {}", path.string()));
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string expand_home(const std::string& path) {
  const char* home = std::getenv("HOME");
  if (path.rfind("~/", 0) == 0 && home)
    return std::string(home) + path.substr(1);
  return path;
}

}  // namespace

std::string sign_with_ssh_keygen(const std::string& payload, const std::string& key,
                                 const std::string& sig_namespace) {
  ScratchDir dir;
  std::string key_path = expand_home(key);
  // git's user.signingKey may hold the public key itself rather than a path.
  std::string literal = key.rfind("key::", 0) == 0 ? key.substr(5) : key;
  if (literal.rfind("ssh-", 0) == 0 || literal.rfind("ecdsa-", 0) == 0) {
    key_path = (dir.path() / "key.pub").string();
    write_file(key_path, literal + "\n");
  }
  fs::path message = dir.path() / "payload";
  write_file(message, payload);
  fs::path errors = dir.path() / "stderr";

  std::vector<std::string> args = {"ssh-keygen", "-q", "-Y",          "sign",          "-f",
                                   key_path,     "-n", sig_namespace, message.string()};
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, errors.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  // trailgate ignores SIGPIPE and SIGXFSZ (cli.cpp); ssh-keygen gets the defaults back.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGXFSZ);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, "ssh-keygen", &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (rc != 0) {
    throw SigningError(fmt::format(
        "cannot run ssh-keygen: {}; approve signs with it: install openssh-client, or put "
        "ssh-keygen on PATH",
        std::strerror(rc)));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw SigningError(
        fmt::format("ssh-keygen could not sign with {}: {}", key, read_file(errors)));
  std::string error;
  std::optional<std::string> blob =
      ssh::dearmor_sshsig(read_file(message.string() + ".sig"), &error);
  if (!blob)
    throw SigningError("ssh-keygen wrote an unreadable signature: " + error);
  return *blob;
}

}  // namespace trailgate::approve
