#include "install/gitolite.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "install/install.h"
#include "util/unique_fd.h"

extern char** environ;

namespace trailgate::install {
namespace fs = std::filesystem;

namespace {

struct Ran {
  bool started = false;
  int status = -1;     // the exit status; -1 when it did not exit normally
  std::string output;  // stdout, and stderr when `merge_stderr`
};

// Runs `argv` (found on PATH) with HOME=home added to this process's environment, collecting
// its output. stdin is /dev/null.
Ran run_with_home(const std::vector<std::string>& argv, const std::string& home,
                  bool merge_stderr) {
  Ran ran;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return ran;
  util::UniqueFd read_end(fds[0]), write_end(fds[1]);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e)
    if (std::strncmp(*e, "HOME=", 5) != 0)
      env_strings.emplace_back(*e);
  env_strings.push_back("HOME=" + home);
  std::vector<char*> envp, args;
  for (auto& e : env_strings)
    envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& a : argv_copy)
    args.push_back(a.data());
  args.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
  if (merge_stderr)
    posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDERR_FILENO);
  else
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  write_end.close();
  if (rc != 0)
    return ran;
  ran.started = true;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(read_end.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    ran.output.append(buf, static_cast<std::size_t>(n));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  ran.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return ran;
}

// One rc value; "" when the rc does not set it.
std::string query_rc(const std::string& home, const std::string& name) {
  Ran ran = run_with_home({"gitolite", "query-rc", name}, home, false);
  if (!ran.started)
    throw Refused(
        "cannot run the gitolite command (is gitolite installed, and on PATH?); trailgate asks "
        "gitolite itself where its repositories and LOCAL_CODE are");
  std::string value = ran.output;
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r'))
    value.pop_back();
  return ran.status == 0 ? value : "";
}

std::string canonical_or_same(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::canonical(path, ec);
  return ec ? path : p.string();
}

}  // namespace

std::string GitoliteSite::admin_repository() const {
  return (fs::path(repo_base) / "gitolite-admin.git").string();
}

GitoliteSite read_gitolite_site(const std::string& home) {
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(home) / ".gitolite.rc", ec))
    throw Refused(fmt::format(
        "{}/.gitolite.rc not found: that is not the home of a gitolite site. Give the hosting "
        "user's home with --gitolite-home (Debian's gitolite3 package: /var/lib/gitolite3).",
        home));
  GitoliteSite site;
  site.home = home;
  std::string base = query_rc(home, "GL_REPO_BASE");
  if (base.empty())
    throw Refused(fmt::format("gitolite reports no GL_REPO_BASE for the site at {}", home));
  if (fs::path(base).is_relative())
    base = (fs::path(home) / base).string();
  site.repo_base = canonical_or_same(base);
  site.local_code = query_rc(home, "LOCAL_CODE");
  return site;
}

std::string propagate_hooks(const GitoliteSite& site) {
  struct stat st {};
  if (::stat(site.home.c_str(), &st) != 0)
    return fmt::format("cannot look at {}: {}", site.home, std::strerror(errno));
  if (st.st_uid != ::geteuid())
    return fmt::format(
        "{} belongs to another user; run `gitolite setup --hooks-only` as that user so that "
        "gitolite's files stay theirs",
        site.home);
  Ran ran = run_with_home({"gitolite", "setup", "--hooks-only"}, site.home, true);
  if (!ran.started)
    return "the gitolite command could not be run";
  if (ran.status != 0)
    return fmt::format("`gitolite setup --hooks-only` failed:\n{}", ran.output);
  return "";
}

bool is_gitolite_update_hook(std::string_view content) {
  return content.find("use Gitolite::Hooks::Update") != std::string_view::npos;
}

bool gitolite_managed(const std::string& git_dir) {
  return is_gitolite_update_hook(read_hook((fs::path(git_dir) / "hooks" / "update").string()));
}

std::vector<std::string> repositories_under(const std::string& dir) {
  std::vector<std::string> found;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const fs::directory_entry& entry = *it;
    if (entry.is_symlink(ec) || !entry.is_directory(ec))
      continue;
    const fs::path& path = entry.path();
    if (path.extension() == ".git" && fs::exists(path / "HEAD", ec)) {
      found.push_back(path.string());
      it.disable_recursion_pending();  // a repository's own directories hold no repositories
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace trailgate::install
