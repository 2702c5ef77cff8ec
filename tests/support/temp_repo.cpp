#include "support/temp_repo.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace trailgate::testing {
namespace fs = std::filesystem;

namespace {

// One HOME for the whole test process, so the developer's ~/.gitconfig never leaks in.
const fs::path& test_home() {
  static const fs::path home = [] {
    fs::path dir = fs::temp_directory_path() / ("trailgate-test-home-" + std::to_string(getpid()));
    fs::create_directories(dir);
    write_file(dir / ".gitconfig",
               "[user]\n\tname = Dev One\n\temail = dev@example.com\n"
               "[init]\n\tdefaultBranch = main\n"
               "[advice]\n\tdetachedHead = false\n"
               "[protocol \"file\"]\n\tallow = always\n");
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(test_home(), ec);
    });
    return dir;
  }();
  return home;
}

std::vector<std::string> build_environment(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    auto eq = entry.find('=');
    if (eq == std::string::npos)
      continue;
    std::string key = entry.substr(0, eq);
    // The test controls git's view of the world completely, and the forge variables that
    // `trailgate check` reads its defaults from (a test run inside CI must not inherit them).
    if (key.rfind("GIT_", 0) == 0 || key == "TRAILGATE_POLICY" || key.rfind("GITHUB_", 0) == 0 ||
        key.rfind("CI_MERGE_REQUEST_", 0) == 0 || key.rfind("CI_COMMIT_", 0) == 0 ||
        key.rfind("PRE_COMMIT_", 0) == 0)
      continue;
    env[key] = entry.substr(eq + 1);
  }
  env["HOME"] = test_home().string();
  env["XDG_CONFIG_HOME"] = (test_home() / ".config").string();
  env["GIT_CONFIG_NOSYSTEM"] = "1";
  env["LC_ALL"] = "C";
  for (const auto& [k, v] : extra)
    env[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : env)
    out.push_back(k + "=" + v);
  return out;
}

void set_nonblocking(int fd) {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

}  // namespace

ProcessResult run(const std::vector<std::string>& argv, const fs::path& cwd,
                  const std::string& input, const std::map<std::string, std::string>& env) {
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (pipe(in_pipe) || pipe(out_pipe) || pipe(err_pipe))
    throw std::runtime_error("pipe failed");
  std::vector<std::string> env_strings = build_environment(env);
  std::vector<char*> envp, args;
  for (auto& s : env_strings)
    envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& s : argv_copy)
    args.push_back(s.data());
  args.push_back(nullptr);

  pid_t pid = fork();
  if (pid < 0)
    throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]})
      close(fd);
    if (chdir(cwd.c_str()) != 0)
      _exit(126);
    execvpe(args[0], args.data(), envp.data());
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  set_nonblocking(in_pipe[1]);
  set_nonblocking(out_pipe[0]);
  set_nonblocking(err_pipe[0]);

  ProcessResult result;
  std::size_t written = 0;
  int in_fd = in_pipe[1];
  if (input.empty()) {
    close(in_fd);
    in_fd = -1;
  }
  bool out_open = true, err_open = true;
  char buf[65536];
  while (out_open || err_open) {
    std::vector<pollfd> fds;
    if (out_open)
      fds.push_back({out_pipe[0], POLLIN, 0});
    if (err_open)
      fds.push_back({err_pipe[0], POLLIN, 0});
    if (in_fd >= 0)
      fds.push_back({in_fd, POLLOUT, 0});
    if (poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR)
      break;
    for (const auto& p : fds) {
      if (p.fd == in_fd && (p.revents & (POLLOUT | POLLERR | POLLHUP))) {
        ssize_t n = write(in_fd, input.data() + written, input.size() - written);
        if (n > 0)
          written += static_cast<std::size_t>(n);
        if (n < 0 && errno != EAGAIN)
          written = input.size();  // the child stopped reading
        if (written == input.size()) {
          close(in_fd);
          in_fd = -1;
        }
      } else if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
        ssize_t n = read(p.fd, buf, sizeof buf);
        if (n > 0) {
          (p.fd == out_pipe[0] ? result.out : result.err).append(buf, static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EAGAIN) {
          (p.fd == out_pipe[0] ? out_open : err_open) = false;
        }
      }
    }
  }
  if (in_fd >= 0)
    close(in_fd);
  close(out_pipe[0]);
  close(err_pipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::string run_ok(const std::vector<std::string>& argv, const fs::path& cwd,
                   const std::string& input, const std::map<std::string, std::string>& env) {
  ProcessResult r = run(argv, cwd, input, env);
  if (r.exit_code != 0) {
    std::string cmd;
    for (const auto& a : argv)
      cmd += a + " ";
    FAIL("command failed (" << r.exit_code << "): " << cmd << "\nstdout: " << r.out
                            << "\nstderr: " << r.err);
  }
  return r.out;
}

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  path_ =
      fs::temp_directory_path() / ("trailgate-test-" + std::to_string(getpid()) + "-" +
                                   std::to_string(counter++) + "-" + std::to_string(rd() % 100000));
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string trailgate_binary() {
  // For showing that an attack test fails against another build (an older trailgate).
  if (const char* other = std::getenv("TRAILGATE_TEST_BINARY"); other && *other)
    return other;
  return TRAILGATE_BINARY;
}

void write_file(const fs::path& path, const std::string& text) {
  if (path.has_parent_path())
    fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out)
    throw std::runtime_error("cannot write " + path.string());
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TempRepo::TempRepo(const std::string& policy_toml)
    : server_(dir_.path() / "server.git"), clone_(dir_.path() / "clone") {
  run_ok({"git", "init", "-q", "--bare", server_.string()}, dir_.path());
  run_ok({"git", "clone", "-q", server_.string(), clone_.string()}, dir_.path());
  commit("Initial commit\n\nThe history from before trailgate.\n");
  run_ok({"git", "push", "-q", "origin", "HEAD:refs/heads/main"}, clone_);
  set_policy(policy_toml);
  run_ok({trailgate_binary(), "install", "--repo", server_.string()}, dir_.path());
}

void TempRepo::set_policy(const std::string& policy_toml) {
  write_file(server_ / "trailgate.toml", policy_toml);
}

std::string TempRepo::commit(const std::string& message, const std::string& author,
                             const std::string& committer, const std::string& file) {
  ++counter_;
  std::string name = file.empty() ? "file" + std::to_string(counter_) + ".txt" : file;
  write_file(clone_ / name, "content " + std::to_string(counter_) + "\n");
  run_ok({"git", "add", "--", name}, clone_);
  std::map<std::string, std::string> env;
  const std::string& who = committer.empty() ? author : committer;
  auto lt = who.find('<');
  auto gt = who.find('>');
  env["GIT_COMMITTER_NAME"] = who.substr(0, lt == 0 ? 0 : lt - 1);
  env["GIT_COMMITTER_EMAIL"] = who.substr(lt + 1, gt - lt - 1);
  run_ok({"git", "commit", "-q", "--cleanup=verbatim", "--author", author, "-F", "-"}, clone_,
         message, env);
  return git({"rev-parse", "HEAD"}).substr(0, 40);
}

void TempRepo::branch(const std::string& name, const std::string& start) {
  std::vector<std::string> args = {"git", "checkout", "-q", "-B", name};
  if (!start.empty())
    args.push_back(start);
  run_ok(args, clone_);
}

ProcessResult TempRepo::push(const std::string& refspec, const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"git", "push", "origin"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(refspec);
  return run(args, clone_);
}

std::string TempRepo::git(const std::vector<std::string>& args, const std::string& input,
                          const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv = {"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_ok(argv, clone_, input, env);
}

std::string TempRepo::server_git(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_ok(argv, server_);
}

SshKey make_ssh_key(const std::filesystem::path& dir, const std::string& name,
                    const std::string& type, int bits) {
  std::string path = (dir / name).string();
  std::vector<std::string> args = {"ssh-keygen", "-q", "-N", "",   "-t",
                                   type,         "-C", name, "-f", path};
  if (bits)
    args.insert(args.end(), {"-b", std::to_string(bits)});
  run_ok(args, dir);
  std::string pub = read_file(path + ".pub");
  while (!pub.empty() && pub.back() == '\n')
    pub.pop_back();
  return {path, pub};
}

}  // namespace trailgate::testing
