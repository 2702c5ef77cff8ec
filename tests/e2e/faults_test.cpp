// End-to-end: faults around the hook and the commands, with real pushes and real runs of the
// built binary. Each must fail closed with a clear message, none may crash (die by a signal,
// abort, a sanitizer report), and none may let an unreviewed AI-assisted commit in:
//   1. the policy file missing, unreadable, or rewritten while pushes run;
//   2. a missing object or a corrupt pack;
//   3. a full disk under the decision log;
//   4. ssh-keygen missing for `trailgate approve`;
//   5. stderr or stdout whose reader has gone, or that is closed;
//   6. the hook, `audit` and `approve` killed half way.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/fixtures.h"
#include "support/temp_repo.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
namespace testing = trailgate::testing;
using nlohmann::json;
using testing::ai_message;
using testing::ProcessResult;
using testing::TempDir;
using testing::TempRepo;

using Env = std::map<std::string, std::string>;
using Strings = std::vector<std::string>;

const std::string kPolicy =
    testing::roster_policy({testing::kSeniorOne.with_usernames({"sone"})},
                           {testing::protect({"refs/heads/main", "refs/heads/release*"},
                                             std::nullopt, "", "break_glass = [\"sone\"]\n")});

const std::string kJunior = testing::ident(testing::kJuniorOne);
const char* const kZeros = "0000000000000000000000000000000000000000";

fs::path default_log(const TempRepo& repo) {
  return repo.server() / "trailgate" / "decisions.jsonl";
}

// Every line of the file; fails the test when the last one is not whole.
Strings lines_of(const fs::path& path) {
  Strings lines;
  std::string text = testing::read_file(path);
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    REQUIRE(end != std::string::npos);
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// Every line of the decision log, each required to be a whole, valid JSON object.
std::vector<json> log_of(const fs::path& path) {
  std::vector<json> out;
  if (!fs::exists(path))
    return out;
  for (const std::string& line : lines_of(path)) {
    json parsed = json::parse(line, nullptr, false);
    INFO(line);
    REQUIRE(parsed.is_object());
    out.push_back(std::move(parsed));
  }
  return out;
}

std::string tip(const fs::path& git_dir, const std::string& ref) {
  return testing::run({"git", "-c", "safe.directory=*", "rev-parse", "--verify", "-q", ref},
                      git_dir)
      .out;
}

std::string sha256_of(const std::string& text) {
  return testing::run_ok({"sha256sum"}, fs::current_path(), text).substr(0, 64);
}

// What a direct run of the binary with hand-made descriptors did.
struct RawResult {
  bool signaled = false;
  int signal = 0;
  int exit_code = -1;
  std::string err;  // stderr, when it was captured
  std::string out;  // stdout, when it was captured
};

// How run_raw sets up descriptor 1 or 2 of the child.
enum class Fd {
  capture,    // a file read back into RawResult
  dead_pipe,  // the write end of a pipe whose reader has already gone
  closed,     // not open at all, as `2>&-` leaves it
};

// The test's environment for a direct run: the process's own, without GIT_* and
// TRAILGATE_POLICY, plus `extra`.
std::vector<std::string> child_environment(const Env& extra) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    auto eq = entry.find('=');
    if (eq == std::string::npos)
      continue;
    std::string key = entry.substr(0, eq);
    if (key.rfind("GIT_", 0) == 0 || key == "TRAILGATE_POLICY")
      continue;
    env[key] = entry.substr(eq + 1);
  }
  env["GIT_CONFIG_NOSYSTEM"] = "1";
  env["LC_ALL"] = "C";
  for (const auto& [k, v] : extra)
    env[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : env)
    out.push_back(k + "=" + v);
  return out;
}

// A child started by start_raw: its pid and where its captured output goes.
struct Started {
  pid_t pid = -1;
  fs::path out_file, err_file;
};

// Starts `argv` in `cwd` with stdin from `input` and descriptors 1 and 2 as `out` and `err`
// say: the cases the TempRepo helpers cannot make.
Started start_raw(const TempDir& scratch, const Strings& argv, const fs::path& cwd,
                  const std::string& input, Fd out, Fd err, const Env& env = {}) {
  static std::atomic<int> counter{0};
  const std::string n = std::to_string(counter++);
  Started started;
  const fs::path in_file = scratch.path() / ("stdin." + n);
  started.out_file = scratch.path() / ("stdout." + n);
  started.err_file = scratch.path() / ("stderr." + n);
  testing::write_file(in_file, input);

  std::vector<std::string> env_strings = child_environment(env);
  std::vector<char*> envp, args;
  for (auto& s : env_strings)
    envp.push_back(s.data());
  envp.push_back(nullptr);
  Strings argv_copy = argv;
  for (auto& s : argv_copy)
    args.push_back(s.data());
  args.push_back(nullptr);

  // The reader of each dead pipe is closed before the child starts, so every write it makes
  // meets a pipe without readers.
  int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  if (out == Fd::dead_pipe) {
    REQUIRE(::pipe(out_pipe) == 0);
    ::close(out_pipe[0]);
  }
  if (err == Fd::dead_pipe) {
    REQUIRE(::pipe(err_pipe) == 0);
    ::close(err_pipe[0]);
  }
  started.pid = ::fork();
  REQUIRE(started.pid >= 0);
  if (started.pid == 0) {
    int in_fd = ::open(in_file.c_str(), O_RDONLY);
    ::dup2(in_fd, 0);
    auto arrange = [](int target, Fd how, int pipe_fd, const fs::path& file) {
      if (how == Fd::closed) {
        ::close(target);
      } else if (how == Fd::dead_pipe) {
        ::dup2(pipe_fd, target);
      } else {
        int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(fd, target);
        ::close(fd);
      }
    };
    arrange(1, out, out_pipe[1], started.out_file);
    arrange(2, err, err_pipe[1], started.err_file);
    for (int fd = 3; fd < 1024; ++fd)
      ::close(fd);
    ::signal(SIGPIPE, SIG_DFL);
    if (::chdir(cwd.c_str()) != 0)
      ::_exit(126);
    ::execvpe(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  for (int fd : {out_pipe[1], err_pipe[1]})
    if (fd >= 0)
      ::close(fd);
  return started;
}

RawResult finish_raw(const Started& started) {
  int status = 0;
  ::waitpid(started.pid, &status, 0);
  RawResult result;
  result.signaled = WIFSIGNALED(status);
  result.signal = result.signaled ? WTERMSIG(status) : 0;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (fs::exists(started.err_file))
    result.err = testing::read_file(started.err_file);
  if (fs::exists(started.out_file))
    result.out = testing::read_file(started.out_file);
  return result;
}

RawResult run_raw(const TempDir& scratch, const Strings& argv, const fs::path& cwd,
                  const std::string& input, Fd out, Fd err, const Env& env = {}) {
  return finish_raw(start_raw(scratch, argv, cwd, input, out, err, env));
}

// `trailgate pre-receive` run by hand on `server`, as git would run it for `updates`.
ProcessResult run_hook(const fs::path& server, const std::string& updates, const Env& env = {}) {
  return testing::run({testing::trailgate_binary(), "pre-receive", "--repo", server.string()},
                      server, updates, env);
}

std::string update_line(const std::string& old_id, const std::string& new_id,
                        const std::string& ref) {
  return old_id + " " + new_id + " " + ref + "\n";
}

// Commits made with fast-import on `ref` of `repo`'s clone, each on the last, starting at the
// clone's HEAD; `ai` makes them unreviewed AI-assisted. Returns the last commit's id.
std::string fast_import(TempRepo& repo, const std::string& ref, int count, bool ai,
                        const std::string& tag) {
  const std::string base = repo.git({"rev-parse", "HEAD"}).substr(0, 40);
  std::string stream;
  stream.reserve(static_cast<std::size_t>(count) * 200);
  for (int i = 0; i < count; ++i) {
    std::string message = tag + " " + std::to_string(i) + "\n";
    if (ai)
      message = ai_message(tag + " " + std::to_string(i));
    stream += "commit " + ref + "\n";
    stream += "author Junior One <junior@example.com> " + std::to_string(1700000000 + i) +
              " +0000\ncommitter Junior One <junior@example.com> " +
              std::to_string(1700000000 + i) + " +0000\n";
    stream += "data " + std::to_string(message.size()) + "\n" + message;
    if (i == 0)
      stream += "from " + base + "\n";
    stream += "\n";
  }
  repo.git({"fast-import", "--quiet"}, stream);
  return repo.git({"rev-parse", ref}).substr(0, 40);
}

// The pid of a running trailgate binary whose working directory is `dir` and whose arguments
// include `subcommand`, or -1.
pid_t find_trailgate(const fs::path& dir, const std::string& subcommand) {
  std::error_code ec;
  const fs::path binary = fs::canonical(testing::trailgate_binary(), ec);
  const fs::path where = fs::canonical(dir, ec);
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos)
      continue;
    std::error_code e1, e2;
    if (fs::read_symlink(entry.path() / "exe", e1) != binary ||
        fs::read_symlink(entry.path() / "cwd", e2) != where || e1 || e2)
      continue;
    std::string cmdline = testing::read_file(entry.path() / "cmdline");
    if (cmdline.find(std::string(1, '\0') + subcommand + '\0') != std::string::npos)
      return static_cast<pid_t>(std::stoi(name));
  }
  return -1;
}

bool running_as_root() {
  return ::geteuid() == 0;
}

// A tiny tmpfs mounted for the test's lifetime, when this process may mount one.
class TinyTmpfs {
 public:
  explicit TinyTmpfs(const fs::path& where) : path_(where) {
    fs::create_directories(path_);
    mounted_ =
        running_as_root() && ::mount("tmpfs", path_.c_str(), "tmpfs", 0, "size=64k,mode=0777") == 0;
  }
  ~TinyTmpfs() {
    if (mounted_)
      ::umount2(path_.c_str(), MNT_DETACH);
  }
  TinyTmpfs(const TinyTmpfs&) = delete;
  TinyTmpfs& operator=(const TinyTmpfs&) = delete;
  bool mounted() const { return mounted_; }
  const fs::path& path() const { return path_; }

  // Fills the file system until a write fails with ENOSPC.
  void fill() {
    int fd = ::open((path_ / "filler").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(fd >= 0);
    std::string block(4096, 'x');
    while (::write(fd, block.data(), block.size()) > 0) {
    }
    int error = errno;
    ::close(fd);
    REQUIRE(error == ENOSPC);
  }

 private:
  fs::path path_;
  bool mounted_ = false;
};

}  // namespace

// --- 1. the policy file -----------------------------------------------------------------------

TEST_CASE("faults: a missing policy rejects every push and says where it looked", "[e2e]") {
  TempRepo repo(kPolicy);
  fs::remove(repo.server() / "trailgate.toml");
  const std::string before = tip(repo.server(), "main");

  repo.commit("Human change\n", kJunior);
  for (const char* ref : {"HEAD:refs/heads/main", "HEAD:refs/heads/feature"}) {
    ProcessResult r = repo.push(ref);
    INFO(r.err);
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.err, Catch::Contains("no policy found; looked at, in order:"));
    CHECK_THAT(r.err, Catch::Contains("--policy (not given)"));
    CHECK_THAT(r.err, Catch::Contains("$TRAILGATE_POLICY (not set)"));
    CHECK_THAT(r.err, Catch::Contains("git config trailgate.policy (not set)"));
    CHECK_THAT(r.err, Catch::Contains("trailgate.toml (no such file)"));
    CHECK_THAT(r.err, Catch::Contains("/etc/trailgate/policy.toml (no such file)"));
  }
  CHECK(tip(repo.server(), "main") == before);
  CHECK(tip(repo.server(), "feature").empty());

  // Logged to the default place, as a run that could not decide.
  std::vector<json> log = log_of(default_log(repo));
  REQUIRE(log.size() == 2);
  for (const json& line : log) {
    CHECK(line["verdict"] == "rejected");
    CHECK(line["policy"].is_null());
    CHECK(line["exit_code"] == 2);
    CHECK_THAT(line["error"].get<std::string>(), Catch::Contains("no policy found"));
  }
}

TEST_CASE("faults: a policy that cannot be read rejects the push", "[e2e]") {
  TempRepo repo(kPolicy);
  const std::string before = tip(repo.server(), "main");
  repo.commit("Human change\n", kJunior);

  SECTION("the policy path is a directory") {
    fs::remove(repo.server() / "trailgate.toml");
    fs::create_directory(repo.server() / "trailgate.toml");
    ProcessResult r = repo.push("HEAD:refs/heads/main");
    INFO(r.err);
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.err, Catch::Contains("the policy cannot be used"));
    CHECK_THAT(r.err,
               Catch::Contains("trailgate.toml: cannot read the policy file: Is a directory"));
  }
  SECTION("git config trailgate.policy names a directory") {
    fs::create_directory(repo.server() / "policies");
    repo.server_git({"config", "trailgate.policy", "policies"});
    ProcessResult r = repo.push("HEAD:refs/heads/main");
    INFO(r.err);
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.err, Catch::Contains("policies: cannot read the policy file: Is a directory"));
  }
  SECTION("the policy file has mode 000 and the hook runs as another user") {
    const std::string head = repo.git({"rev-parse", "HEAD"}).substr(0, 40);
    const std::string input = update_line(before.substr(0, 40), head, "refs/heads/main");
    // The objects the clone made are not in the server yet; hand them over as a push would.
    REQUIRE(repo.push("HEAD:refs/heads/incoming").exit_code == 0);
    fs::permissions(repo.server() / "trailgate.toml", fs::perms::none);
    Strings argv = {testing::trailgate_binary(), "pre-receive", "--repo", repo.server().string()};
    if (running_as_root()) {
      // Root reads any file: run the hook as nobody, who owns the repository (so git opens it)
      // but may not read the policy. Mode 000 stops even the owner.
      testing::run_ok({"chown", "-R", "65534:65534", repo.server().string()}, repo.server());
      argv.insert(argv.begin(),
                  {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"});
    }
    ProcessResult r = testing::run(argv, repo.server(), input);
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("push rejected: the policy cannot be used"));
    CHECK_THAT(r.err,
               Catch::Contains("trailgate.toml: cannot read the policy file: Permission denied"));
  }
  CHECK(tip(repo.server(), "main") == before);
}

TEST_CASE("faults: a policy rewritten while pushes run never lets an unreviewed AI commit in",
          "[e2e]") {
  // Two valid policies that both require review of AI-assisted commits on main; a writer
  // rewrites the file in place (truncate, then write in two parts) as fast as it can while
  // pushes of an unreviewed AI commit run. A hook that read the file more than once, or took a
  // torn file for an empty or weaker policy, would let one through.
  const std::string policy_a = std::string(kPolicy);
  const std::string policy_b = kPolicy + "\n" + testing::people_toml({testing::kPrincipalOne}) +
                               testing::protect_toml({testing::protect({"refs/tags/v*"}, 2, "")});
  TempRepo repo(policy_a);
  const std::string before = tip(repo.server(), "main");
  const std::string ai = repo.commit(ai_message("Unreviewed AI change"), kJunior);
  const fs::path policy_file = repo.server() / "trailgate.toml";

  std::atomic<bool> stop{false};
  std::atomic<int> rewrites{0};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      const std::string& text = i % 2 ? policy_b : policy_a;
      int fd = ::open(policy_file.c_str(), O_WRONLY | O_TRUNC);
      if (fd < 0)
        continue;
      const std::size_t half = text.size() / 2;
      (void)!::write(fd, text.data(), half);
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      (void)!::write(fd, text.data() + half, text.size() - half);
      ::close(fd);
      ++rewrites;
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
  });

  constexpr int kPushes = 30;
  int violations = 0, policy_errors = 0;
  for (int i = 0; i < kPushes; ++i) {
    ProcessResult r = repo.push("HEAD:refs/heads/main");
    INFO("push " << i << ": " << r.err);
    CHECK(r.exit_code != 0);
    const bool violation = r.err.find("ai-review-required") != std::string::npos;
    const bool policy_error = r.err.find("the policy cannot be used") != std::string::npos;
    CHECK((violation || policy_error));
    violations += violation;
    policy_errors += policy_error;
  }
  stop = true;
  writer.join();
  INFO(violations << " violations, " << policy_errors << " policy errors, " << rewrites
                  << " rewrites");
  CHECK(rewrites > kPushes);
  CHECK(tip(repo.server(), "main") == before);

  // Each run is logged with the policy that judged it, and the digest of the exact bytes read.
  const std::set<std::string> digests = {sha256_of(policy_a), sha256_of(policy_b)};
  std::vector<json> log = log_of(default_log(repo));
  REQUIRE(log.size() == kPushes);
  int judged = 0;
  for (const json& line : log) {
    CHECK(line["verdict"] == "rejected");
    if (line["error"].is_null()) {
      ++judged;
      CHECK(line["policy"] == policy_file.string());
      REQUIRE(line["policy_sha256"].is_string());
      CHECK(digests.count(line["policy_sha256"].get<std::string>()) == 1);
      CHECK(line["commits_with_findings"] == json{ai});
    } else {
      CHECK(line["exit_code"] == 2);
    }
  }
  CHECK(judged == violations);
}

// --- 2. a missing object or a corrupt pack ---------------------------------------------------

TEST_CASE("faults: a missing or corrupt object rejects the push and fails check and audit",
          "[e2e]") {
  TempRepo repo(kPolicy);
  const std::string main_before = tip(repo.server(), "main").substr(0, 40);
  repo.branch("feature");
  const std::string older = repo.commit("Older human change\n", kJunior);
  const std::string newer = repo.commit("Newer human change\n", kJunior);
  // On an unprotected branch first: accepted without reading the commits.
  REQUIRE(repo.push("HEAD:refs/heads/feature").exit_code == 0);
  const fs::path server = repo.server();
  // libgit2 1.5.1 itself leaks a 16-byte list node when git_revwalk_next meets an object it
  // cannot read; under LeakSanitizer that is not trailgate's to fix, so it is suppressed here.
  TempDir scratch;
  const fs::path suppressions = scratch.path() / "lsan.supp";
  testing::write_file(suppressions, "leak:git_revwalk_next\nleak:libpcre2-8.so\n");
  // The slow unwinder, so that the stack reaches the libgit2 function named.
  const Env env = {{"LSAN_OPTIONS", "suppressions=" + suppressions.string()},
                   {"ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0"}};

  auto check_damaged = [&](const std::string& what) {
    INFO(what);
    // The push: rejected, by trailgate or by git itself, and main stays.
    ProcessResult push =
        testing::run({"git", "push", "origin", "feature:refs/heads/main"}, repo.clone(), "", env);
    INFO(push.err);
    CHECK(push.exit_code != 0);
    CHECK(tip(server, "main").substr(0, 40) == main_before);

    // The hook run by hand, as git would run it for that push.
    ProcessResult hook = run_hook(server, update_line(main_before, newer, "refs/heads/main"), env);
    INFO(hook.err);
    CHECK(hook.exit_code == 3);
    CHECK_THAT(hook.err, Catch::Contains("push rejected: git error:"));
    CHECK_THAT(hook.err, Catch::Contains(what));

    const std::string bin = testing::trailgate_binary();
    ProcessResult check = testing::run(
        {bin, "--repo", server.string(), "check", "--ref", "refs/heads/main", "main..feature"},
        server, "", env);
    INFO(check.out << check.err);
    CHECK(check.exit_code == 3);
    CHECK_THAT(check.err, Catch::Contains("git error:"));
    CHECK_THAT(check.err, Catch::Contains(what));

    ProcessResult audit = testing::run({bin, "--repo", server.string(), "audit", "--no-cache",
                                        "--ref", "refs/heads/main", "feature"},
                                       server, "", env);
    INFO(audit.out << audit.err);
    CHECK(audit.exit_code == 3);
    CHECK_THAT(audit.err, Catch::Contains("git error:"));
    CHECK_THAT(audit.err, Catch::Contains(what));
  };

  SECTION("a loose commit between the protected tip and the pushed one is missing") {
    const fs::path loose = server / "objects" / older.substr(0, 2) / older.substr(2);
    REQUIRE(fs::exists(loose));
    fs::remove(loose);
    check_damaged(older);
    check_damaged("the repository is damaged");
  }
  SECTION("bytes flipped inside a pack, in the older commit") {
    repo.server_git({"repack", "-a", "-d", "-q"});
    fs::path pack;
    for (const auto& e : fs::directory_iterator(server / "objects" / "pack"))
      if (e.path().extension() == ".pack")
        pack = e.path();
    REQUIRE(!pack.empty());
    fs::path idx = pack;
    idx.replace_extension(".idx");
    // "<id> commit <size> <size in pack> <offset>"
    std::string listing = repo.server_git({"verify-pack", "-v", idx.string()});
    std::size_t at = listing.find(older + " commit ");
    REQUIRE(at != std::string::npos);
    std::istringstream fields(listing.substr(at, listing.find('\n', at) - at));
    std::string id, type;
    std::size_t size = 0, packed = 0, offset = 0;
    fields >> id >> type >> size >> packed >> offset;
    REQUIRE(packed > 8);
    fs::permissions(pack, fs::perms::owner_write, fs::perm_options::add);
    {
      std::fstream f(pack, std::ios::in | std::ios::out | std::ios::binary);
      for (std::size_t i = packed / 2; i < packed - 2; ++i) {
        f.seekp(static_cast<std::streamoff>(offset + i));
        f.put('\xff');
      }
    }
    check_damaged("the repository is damaged");
  }
}

TEST_CASE("faults: the hook given an object that does not exist rejects with its id", "[e2e]") {
  TempRepo repo(kPolicy);
  const std::string main_before = tip(repo.server(), "main").substr(0, 40);
  const std::string missing = "1234567890abcdef1234567890abcdef12345678";
  for (const std::string& input : {update_line(main_before, missing, "refs/heads/main"),
                                   update_line(kZeros, missing, "refs/heads/release-1"),
                                   update_line(missing, main_before, "refs/heads/main")}) {
    ProcessResult r = run_hook(repo.server(), input);
    INFO(input << r.err);
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("push rejected: git error:"));
    CHECK_THAT(r.err, Catch::Contains(missing));
  }
  std::vector<json> log = log_of(default_log(repo));
  REQUIRE(log.size() == 3);
  for (const json& line : log) {
    CHECK(line["verdict"] == "rejected");
    CHECK(line["exit_code"] == 3);
  }
}

// --- 3. a full disk under the decision log ---------------------------------------------------

TEST_CASE("faults: a decision log on a full disk", "[e2e]") {
  TempRepo repo(kPolicy);
  repo.server_git({"config", "receive.advertisePushOptions", "true"});
  TempDir scratch;
  TinyTmpfs tmpfs(scratch.path() / "tiny");

  // The places a write fails with no space: /dev/full always, a full tmpfs when one can be
  // mounted here.
  Strings logs = {"/dev/full"};
  if (tmpfs.mounted()) {
    testing::write_file(tmpfs.path() / "decisions.jsonl", "");
    tmpfs.fill();
    logs.push_back((tmpfs.path() / "decisions.jsonl").string());
  } else {
    WARN("cannot mount a tmpfs here; only /dev/full is tested");
  }
  const std::string before = tip(repo.server(), "main");

  int release = 0;
  for (const std::string& log : logs) {
    INFO("log: " << log);
    const std::string settings = "\n[log]\ndecisions = \"" + log + "\"\n";
    const std::string reason = log == "/dev/full" ? "/dev/full" : "No space left on device";

    // on_failure = "reject": a push that passes is rejected, and says why.
    repo.set_policy(std::string(kPolicy) + settings);
    repo.branch("human", "origin/main");
    repo.commit("Human change\n", kJunior);
    ProcessResult r = repo.push("HEAD:refs/heads/main");
    INFO(r.err);
    CHECK(r.exit_code != 0);
    CHECK(tip(repo.server(), "main") == before);
    CHECK_THAT(r.err, Catch::Contains("the push passes, but the decision log cannot be written"));
    CHECK_THAT(r.err, Catch::Contains(reason));
    CHECK_THAT(r.err, Catch::Contains("log.on_failure = \"reject\""));

    // on_failure = "warn": the passing push is accepted with the warning...
    repo.set_policy(std::string(kPolicy) + settings + "on_failure = \"warn\"\n");
    r = repo.push("HEAD:refs/heads/release-" + std::to_string(++release));
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains("WARNING: the decision log cannot be written"));
    CHECK_THAT(r.err, Catch::Contains(reason));

    // ...a rejected push stays rejected...
    repo.branch("ai", "origin/main");
    repo.commit(ai_message("Unreviewed AI change"), kJunior);
    r = repo.push("HEAD:refs/heads/main");
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("ai-review-required"));
    CHECK_THAT(r.err, Catch::Contains("also, the decision log cannot be written"));

    // ...and break-glass, which needs its record, is rejected.
    r = testing::run({"git", "push", "-o", "trailgate.break-glass=db down, INC-7", "origin",
                      "HEAD:refs/heads/main"},
                     repo.clone(), "", {{"GL_USERNAME", "sone"}});
    INFO(r.err);
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.err, Catch::Contains("break-glass is honoured only with a record of it, and the "
                                      "decision log cannot be written"));
    CHECK(tip(repo.server(), "main") == before);
  }
}

TEST_CASE("faults: a decision log over the file size limit is a write error, not a crash",
          "[e2e]") {
  // RLIMIT_FSIZE makes a write past the limit raise SIGXFSZ, which would kill the hook.
  TempRepo repo(kPolicy);
  const std::string main_before = tip(repo.server(), "main").substr(0, 40);
  const std::string human = repo.commit("Human change\n", kJunior);
  REQUIRE(repo.push("HEAD:refs/heads/feature").exit_code == 0);
  const std::string input = update_line(main_before, human, "refs/heads/main");
  const std::size_t size = fs::file_size(default_log(repo));

  for (const char* mode : {"reject", "warn"}) {
    repo.set_policy(std::string(kPolicy) + "\n[log]\non_failure = \"" + mode + "\"\n");
    ProcessResult r =
        testing::run({"prlimit", "--fsize=" + std::to_string(size), "--",
                      testing::trailgate_binary(), "pre-receive", "--repo", repo.server().string()},
                     repo.server(), input);
    INFO(mode << ": " << r.err);
    CHECK(r.exit_code == (std::string(mode) == "warn" ? 0 : 3));
    CHECK_THAT(r.err, Catch::Contains("decision log cannot be written"));
    CHECK_THAT(r.err, Catch::Contains("File too large"));
  }
  CHECK(fs::file_size(default_log(repo)) == size);
}

// --- 4. ssh-keygen missing for approve -------------------------------------------------------

TEST_CASE("faults: approve without ssh-keygen fails clearly and changes nothing", "[e2e]") {
  TempRepo repo(kPolicy);
  TempDir keys;
  testing::SshKey key = testing::make_ssh_key(keys.path(), "senior", "ed25519");
  const std::string base = repo.git({"rev-parse", "HEAD"}).substr(0, 40);
  repo.commit(ai_message("First AI change"), kJunior);
  repo.commit(ai_message("Second AI change"), kJunior);
  TempDir tmp;
  // Only git on PATH: a directory holding a link to it and nothing else.
  TempDir bin;
  std::string git = testing::run_ok({"sh", "-c", "command -v git"}, bin.path());
  git.pop_back();
  fs::create_symlink(git, bin.path() / "git");
  const Env env = {{"PATH", bin.path().string()}, {"TMPDIR", tmp.path().string()}};

  auto state = [&] {
    return repo.git({"for-each-ref", "--format=%(refname) %(objectname)"}) +
           repo.git({"rev-parse", "HEAD"}) + repo.git({"status", "--porcelain"}) +
           testing::read_file(repo.clone() / ".git" / "HEAD");
  };
  const std::string before = state();
  for (const Strings& extra : {Strings{}, Strings{base + "..HEAD"}, Strings{"--note"}}) {
    Strings argv = {testing::trailgate_binary(),      "approve", "--key", key.path, "--as",
                    "Senior One <senior@example.com>"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    ProcessResult r = testing::run(argv, repo.clone(), "", env);
    INFO(r.err);
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("approve failed: cannot run ssh-keygen"));
    CHECK_THAT(r.err, Catch::Contains("openssh-client"));
    CHECK(state() == before);
    CHECK(fs::is_empty(tmp.path()));
  }
}

// --- 5. a reader that has gone, or a closed descriptor ---------------------------------------

TEST_CASE("faults: the hook's verdict stands when its stderr is dead or closed", "[e2e]") {
  TempRepo repo(kPolicy);
  TempDir scratch;
  const std::string main_before = tip(repo.server(), "main").substr(0, 40);
  repo.branch("human");
  const std::string human = repo.commit("Human change\n", kJunior);
  REQUIRE(repo.push("HEAD:refs/heads/human").exit_code == 0);
  repo.branch("ai", main_before);
  const std::string ai = repo.commit(ai_message("Unreviewed AI change"), kJunior);
  REQUIRE(repo.push("HEAD:refs/heads/ai").exit_code == 0);
  repo.server_git({"repack", "-a", "-d", "-q"});  // so libgit2 holds pack files open
  const Strings hook = {testing::trailgate_binary(), "pre-receive", "--repo",
                        repo.server().string()};

  for (Fd err : {Fd::dead_pipe, Fd::closed}) {
    INFO((err == Fd::closed ? "stderr closed" : "stderr a pipe without reader"));
    const std::size_t logged = log_of(default_log(repo)).size();
    RawResult pass = run_raw(scratch, hook, repo.server(),
                             update_line(main_before, human, "refs/heads/main"), Fd::capture, err);
    CHECK_FALSE(pass.signaled);
    CHECK(pass.signal == 0);
    CHECK(pass.exit_code == 0);
    RawResult reject = run_raw(scratch, hook, repo.server(),
                               update_line(main_before, ai, "refs/heads/main"), Fd::capture, err);
    CHECK_FALSE(reject.signaled);
    CHECK(reject.signal == 0);
    CHECK(reject.exit_code == 1);
    std::vector<json> log = log_of(default_log(repo));
    REQUIRE(log.size() == logged + 2);
    CHECK(log[logged]["verdict"] == "accepted");
    CHECK(log[logged + 1]["verdict"] == "rejected");
    CHECK(log[logged + 1]["commits_with_findings"] == json{ai});
    CHECK(pass.out.empty());
    CHECK(reject.out.empty());
  }
  // git itself runs the hook with stderr closed: still judged.
  ProcessResult r =
      testing::run({"sh", "-c", "exec git push origin ai:refs/heads/main 2>&-"}, repo.clone());
  CHECK(r.exit_code != 0);
  CHECK(tip(repo.server(), "main").substr(0, 40) == main_before);
}

TEST_CASE("faults: check and audit whose stdout reader has gone stop quietly", "[e2e]") {
  TempRepo repo(kPolicy);
  TempDir scratch;
  fast_import(repo, "refs/heads/many", 3000, true, "AI change");
  const Strings check = {testing::trailgate_binary(),
                         "--repo",
                         repo.clone().string(),
                         "--policy",
                         (repo.server() / "trailgate.toml").string(),
                         "check",
                         "--ref",
                         "refs/heads/main",
                         "--format",
                         "json",
                         "main..many"};
  Strings audit = check;
  audit.resize(5);
  audit.insert(audit.end(), {"audit", "--ref", "refs/heads/main", "--format", "jsonl", "many"});

  SECTION("a pipe without a reader") {
    RawResult c = run_raw(scratch, check, repo.clone(), "", Fd::dead_pipe, Fd::capture);
    CHECK_FALSE(c.signaled);
    CHECK(c.exit_code == 1);  // the verdict, decided before anything was printed
    CHECK(c.err.empty());
    RawResult a = run_raw(scratch, audit, repo.clone(), "", Fd::dead_pipe, Fd::capture);
    CHECK_FALSE(a.signaled);
    CHECK(a.exit_code == 3);  // cut short: there is no whole report
    CHECK(a.err.empty());
  }
  SECTION("| head, with pipefail") {
    auto quote = [](const Strings& argv) {
      std::string s;
      for (const auto& a : argv)
        s += "'" + a + "' ";
      return s;
    };
    ProcessResult c = testing::run(
        {"bash", "-c",
         "set -o pipefail; " + quote(check) + "| head -c1 >/dev/null; echo \"${PIPESTATUS[0]}\""},
        repo.clone());
    CHECK(c.out == "1\n");
    CHECK(c.err.empty());
    ProcessResult a = testing::run(
        {"bash", "-c",
         "set -o pipefail; " + quote(audit) + "| head -1 >/dev/null; echo \"${PIPESTATUS[0]}\""},
        repo.clone());
    CHECK(a.out == "3\n");
    CHECK(a.err.empty());
  }
  SECTION("stdout on a full disk is an error, not a silent success") {
    for (const Strings& argv : {check, audit}) {
      Strings shell = {"sh", "-c", "exec \"$@\" >/dev/full", "sh"};
      shell.insert(shell.end(), argv.begin(), argv.end());
      ProcessResult r = testing::run(shell, repo.clone());
      INFO(r.err);
      CHECK(r.exit_code == 3);
      CHECK_THAT(r.err, Catch::Contains("No space left on device"));
    }
  }
}

// --- 6. killed half way ----------------------------------------------------------------------

TEST_CASE("faults: a hook killed half way through a big push rejects it and leaves no trace",
          "[e2e]") {
  TempRepo repo(kPolicy);
  const fs::path server = repo.server();
  const std::string main_before = tip(server, "main");
  fast_import(repo, "refs/heads/big", 100000, true, "AI change");

  // SIGTERM (what a host's timeout sends first), then SIGKILL.
  int attempt = 0;
  for (int signal : {SIGTERM, SIGKILL}) {
    INFO("signal " << signal);
    const std::string target = "refs/heads/release-" + std::to_string(++attempt);
    const std::size_t logged = log_of(default_log(repo)).size();
    ProcessResult push;
    std::thread pusher([&] { push = repo.push("big:" + target); });
    pid_t hook = -1;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (hook < 0 && std::chrono::steady_clock::now() < deadline) {
      hook = find_trailgate(server, "pre-receive");
      if (hook < 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    bool killed = false;
    if (hook > 0) {
      // Let it get into the walk before it dies.
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      killed = ::kill(hook, signal) == 0;
    }
    pusher.join();
    INFO(push.err);
    REQUIRE(killed);
    CHECK(push.exit_code != 0);
    CHECK_THAT(push.err, Catch::Contains("pre-receive hook declined"));
    // A timeout's SIGTERM is explained to the pusher; SIGKILL cannot be.
    if (signal == SIGTERM)
      CHECK_THAT(push.err, Catch::Contains("trailgate: stopped by SIGTERM before finishing"));
    CHECK(tip(server, target).empty());
    CHECK(tip(server, "main") == main_before);
    // It died before deciding: no line, and every line there is whole and valid.
    CHECK(log_of(default_log(repo)).size() == logged);
  }

  // No stale lock or quarantine: the next push is judged as usual.
  repo.branch("human", "origin/main");
  const std::string human = repo.commit("Human change\n", kJunior);
  ProcessResult next = repo.push("HEAD:refs/heads/main");
  INFO(next.err);
  CHECK(next.exit_code == 0);
  CHECK(tip(server, "main") == human + "\n");
  CHECK(log_of(default_log(repo)).back()["verdict"] == "accepted");
}

TEST_CASE("faults: an audit killed while writing its cache reruns to the same report", "[e2e]") {
  TempRepo repo(kPolicy);
  TempDir scratch;
  fast_import(repo, "refs/heads/many", 20000, true, "AI change");
  const Strings base = {testing::trailgate_binary(), "--repo", repo.clone().string(), "--policy",
                        (repo.server() / "trailgate.toml").string()};
  Strings audit = base;
  audit.insert(audit.end(), {"audit", "--ref", "refs/heads/main", "--format", "jsonl", "many"});
  Strings clean = audit;
  clean.push_back("--no-cache");
  // The commit lines: the first line is the report's header, which names when it was made.
  auto records = [](const std::string& jsonl) { return jsonl.substr(jsonl.find('\n') + 1); };
  const std::string expected = records(testing::run_ok(clean, repo.clone()));
  REQUIRE(!expected.empty());

  // Each round starts without a cache, kills the audit while it judges and writes the cache,
  // kills the next one too (over the torn cache the first left), then reruns to the end.
  const fs::path cache = repo.clone() / ".git" / "trailgate" / "audit-cache";
  int killed_mid_run = 0;
  for (int delay_ms : {30, 100, 200, 400}) {
    INFO("killed after " << delay_ms << " ms");
    fs::remove_all(cache);
    for (int kill_after : {delay_ms, delay_ms / 2}) {
      Started started = start_raw(scratch, audit, repo.clone(), "", Fd::capture, Fd::capture);
      std::this_thread::sleep_for(std::chrono::milliseconds(kill_after));
      ::kill(started.pid, SIGKILL);
      killed_mid_run += finish_raw(started).signaled;
    }
    ProcessResult rerun = testing::run(audit, repo.clone());
    CHECK(rerun.exit_code == 0);
    CHECK(rerun.err.empty());
    CHECK(records(rerun.out) == expected);
    // And once more, all from the cache the rerun completed.
    ProcessResult cached = testing::run(audit, repo.clone());
    CHECK(records(cached.out) == expected);
  }
  CHECK(killed_mid_run > 0);
  CHECK(fs::exists(cache));
}

TEST_CASE("faults: approve killed half way leaves HEAD old or new, never half rewritten", "[e2e]") {
  TempRepo repo(kPolicy);
  TempDir keys, scratch;
  testing::SshKey key = testing::make_ssh_key(keys.path(), "senior", "ed25519");
  const std::string base = repo.git({"rev-parse", "HEAD"}).substr(0, 40);
  constexpr int kCommits = 40;
  for (int i = 0; i < kCommits; ++i)
    repo.commit(ai_message("AI change " + std::to_string(i)), kJunior);
  const Strings approve = {
      testing::trailgate_binary(),       "approve",      "--key", key.path, "--as",
      "Senior One <senior@example.com>", base + "..HEAD"};
  const std::string trees_before = repo.git({"log", "--format=%T", base + "..HEAD"});

  // Whether HEAD is the old tip, or a tip whose every commit in the range is approved.
  auto whole = [&](const std::string& old_tip) {
    const std::string head = repo.git({"rev-parse", "HEAD"}).substr(0, 40);
    if (head == old_tip)
      return true;
    // Every commit of the range rewritten, on the same trees, each with its signature.
    return repo.git({"log", "--format=%T", base + "..HEAD"}) == trees_before &&
           repo.git({"log", "--invert-grep", "--grep=^Review-Signature: ", "--format=%H",
                     base + "..HEAD"})
               .empty();
  };

  const std::string old_head = repo.git({"rev-parse", "HEAD"}).substr(0, 40);
  bool saw_old = false;
  for (int delay_ms : {20, 80, 160, 320}) {
    INFO("killed after " << delay_ms << " ms");
    repo.git({"reset", "-q", "--hard", old_head});
    Started started = start_raw(scratch, approve, repo.clone(), "", Fd::capture, Fd::capture);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    ::kill(started.pid, SIGKILL);
    RawResult r = finish_raw(started);
    // On a fast machine the later delays may come after approve has finished.
    CHECK((r.signaled || r.exit_code == 0));
    saw_old = saw_old || repo.git({"rev-parse", "HEAD"}).substr(0, 40) == old_head;
    CHECK(whole(old_head));
    CHECK(repo.git({"status", "--porcelain"}).empty());
  }
  CHECK(saw_old);
  // Nothing stale is left behind: a full run afterwards succeeds.
  repo.git({"reset", "-q", "--hard", old_head});
  ProcessResult done = testing::run(approve, repo.clone());
  INFO(done.err);
  CHECK(done.exit_code == 0);
  CHECK(whole(""));
}
