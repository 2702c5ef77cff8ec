// End-to-end attacks on which policy judges a push (issue 12, class 5), with real pushes over
// file:// into a bare repository whose own trailgate.toml protects main. Each attack tries to
// have another, weaker policy judge instead, or to make the hook hang on the policy path:
//   - trailgate.policy in config that is not the repository's own (~/.gitconfig, a file it
//     includes, $XDG_CONFIG_HOME/git/config, $GIT_CONFIG_GLOBAL, config from the environment,
//     config.worktree): ignored;
//   - something at the policy path that is not a regular file (a dangling symbolic link, a
//     directory, a FIFO, a link to a FIFO or to /dev/zero, a socket): chosen, and an error
//     naming the path, never a fall-through to the next place and never a hang;
//   - every hook message names the policy file and the SHA-256 of the bytes that judged.
// Pushes that could hang run under `timeout`, so that a build without the defence fails
// instead of hanging the suite.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "support/fixtures.h"
#include "support/temp_repo.h"

namespace {

namespace fs = std::filesystem;
using trailgate::testing::ai_message;
using trailgate::testing::ident;
using trailgate::testing::kJuniorOne;
using trailgate::testing::kSeniorOne;
using trailgate::testing::ProcessResult;
using trailgate::testing::roster_policy;
using trailgate::testing::run;
using trailgate::testing::TempDir;
using trailgate::testing::TempRepo;
using trailgate::testing::write_file;
using Env = std::map<std::string, std::string>;

// The repository's own policy: AI-assisted commits on main need a senior's review.
const std::string kPolicy = roster_policy({kSeniorOne});

// The pusher's policy: protects a branch nobody uses, so main is judged by nothing.
const char* const kWeakPolicy = R"([[protect]]
refs = ["refs/heads/nothing-here"]
)";

const std::string kJunior = ident(kJuniorOne);

std::string unreviewed_ai_message() {
  return ai_message("Add retry logic", "", "Written with an assistant.");
}

std::string server_tip(const TempRepo& repo) {
  return run({"git", "rev-parse", "--verify", "-q", "refs/heads/main"}, repo.server()).out;
}

// git push of HEAD to main from the clone, with `env` added to the pusher's environment (which
// a file:// push hands on to the hook), under a timeout so that a hanging hook fails the test.
ProcessResult push_main(const TempRepo& repo, const Env& env = {},
                        const std::vector<std::string>& git_options = {}) {
  std::vector<std::string> argv = {"timeout", "10", "git"};
  argv.insert(argv.end(), git_options.begin(), git_options.end());
  argv.insert(argv.end(), {"push", "origin", "HEAD:refs/heads/main"});
  return run(argv, repo.clone(), "", env);
}

// A HOME whose ~/.gitconfig is what the test suite's is, plus `extra`.
fs::path attacker_home(const TempDir& dir, const std::string& extra) {
  fs::path home = dir.path() / "home";
  write_file(home / ".gitconfig",
             "[user]\n\tname = Dev One\n\temail = dev@example.com\n"
             "[protocol \"file\"]\n\tallow = always\n" +
                 extra);
  return home;
}

// The policy line every hook message starts with.
std::string policy_line(const fs::path& file) {
  std::string digest = run({"sha256sum", file.string()}, file.parent_path()).out.substr(0, 64);
  return "trailgate: policy " + file.string() + " sha256:" + digest;
}

// Checks that the push of an unreviewed AI commit was judged by the repository's own policy.
void check_judged_by_own_policy(const TempRepo& repo, const ProcessResult& r,
                                const std::string& before) {
  INFO(r.err);
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.err, Catch::Contains("ai-review-required"));
  CHECK_THAT(r.err, Catch::Contains(policy_line(repo.server() / "trailgate.toml")));
  CHECK_THAT(r.err, !Catch::Contains("weak.toml"));
  CHECK(server_tip(repo) == before);
}

// When the baseline's hook is stuck opening a FIFO for reading, opening it for writing (it has
// a reader, so this does not block) and closing it hands the hook an end of file and lets it
// finish, so no process is left behind.
void release_fifo_readers(const fs::path& fifo) {
  int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd >= 0)
    ::close(fd);
}

// Checks that the push was rejected quickly, with a message naming `path` and `reason`.
void check_rejected_naming(const TempRepo& repo, const ProcessResult& r, const fs::path& path,
                           const std::string& reason, const std::string& before) {
  INFO(r.err);
  CHECK(r.exit_code != 0);
  CHECK(r.exit_code != 124);  // not stopped by the timeout
  CHECK_THAT(r.err, Catch::Contains("push rejected: the policy cannot be used"));
  CHECK_THAT(r.err, Catch::Contains(path.string() + ": cannot read the policy file: " + reason));
  CHECK_THAT(r.err, Catch::Contains("trailgate: policy " + path.string() + " (could not be read)"));
  CHECK_THAT(r.err, !Catch::Contains("no policy found"));
  CHECK(server_tip(repo) == before);
}

}  // namespace

// --- trailgate.policy from config that is not the repository's own ----------------------------

TEST_CASE("attack policy: trailgate.policy in the pusher's config does not replace the policy",
          "[e2e]") {
  TempRepo repo(kPolicy);
  TempDir scratch;
  const fs::path weak = scratch.path() / "weak.toml";
  write_file(weak, kWeakPolicy);
  const std::string before = server_tip(repo);
  repo.commit(unreviewed_ai_message(), kJunior);

  SECTION("~/.gitconfig sets trailgate.policy") {
    fs::path home = attacker_home(scratch, "[trailgate]\n\tpolicy = " + weak.string() + "\n");
    check_judged_by_own_policy(repo, push_main(repo, {{"HOME", home.string()}}), before);
  }
  SECTION("~/.gitconfig includes a file that sets trailgate.policy") {
    write_file(scratch.path() / "included.cfg", "[trailgate]\n\tpolicy = " + weak.string() + "\n");
    fs::path home = attacker_home(
        scratch, "[include]\n\tpath = " + (scratch.path() / "included.cfg").string() + "\n");
    check_judged_by_own_policy(repo, push_main(repo, {{"HOME", home.string()}}), before);
  }
  SECTION("~/.gitconfig includes the file only for the server's git dir (includeIf gitdir)") {
    write_file(scratch.path() / "included.cfg", "[trailgate]\n\tpolicy = " + weak.string() + "\n");
    // (libgit2 matches "gitdir:<dir>" without the trailing '/' that git's documentation shows.)
    fs::path home = attacker_home(
        scratch, "[includeIf \"gitdir:" + repo.server().string() +
                     "\"]\n\tpath = " + (scratch.path() / "included.cfg").string() + "\n");
    check_judged_by_own_policy(repo, push_main(repo, {{"HOME", home.string()}}), before);
  }
  SECTION("$XDG_CONFIG_HOME/git/config sets trailgate.policy") {
    write_file(scratch.path() / "xdg" / "git" / "config",
               "[trailgate]\n\tpolicy = " + weak.string() + "\n");
    check_judged_by_own_policy(
        repo, push_main(repo, {{"XDG_CONFIG_HOME", (scratch.path() / "xdg").string()}}), before);
  }
  SECTION("$GIT_CONFIG_GLOBAL names a file that sets trailgate.policy") {
    fs::path home = attacker_home(scratch, "[trailgate]\n\tpolicy = " + weak.string() + "\n");
    check_judged_by_own_policy(
        repo, push_main(repo, {{"GIT_CONFIG_GLOBAL", (home / ".gitconfig").string()}}), before);
  }
  SECTION("GIT_CONFIG_COUNT/KEY/VALUE in the pusher's environment") {
    check_judged_by_own_policy(repo,
                               push_main(repo, {{"GIT_CONFIG_COUNT", "1"},
                                                {"GIT_CONFIG_KEY_0", "trailgate.policy"},
                                                {"GIT_CONFIG_VALUE_0", weak.string()}}),
                               before);
  }
  SECTION("git -c trailgate.policy=... push (GIT_CONFIG_PARAMETERS)") {
    check_judged_by_own_policy(
        repo, push_main(repo, {}, {"-c", "trailgate.policy=" + weak.string()}), before);
  }
  SECTION("the server's config.worktree sets trailgate.policy") {
    repo.server_git({"config", "extensions.worktreeConfig", "true"});
    write_file(repo.server() / "config.worktree",
               "[trailgate]\n\tpolicy = " + weak.string() + "\n");
    check_judged_by_own_policy(repo, push_main(repo), before);
  }
}

TEST_CASE("attack policy: trailgate.policy in the repository's own config is still honoured",
          "[e2e]") {
  // The defence must not lose the admin's setting: the repository's config names a policy that
  // lets main through, and it judges.
  TempRepo repo(kPolicy);
  write_file(repo.server() / "lenient.toml", kWeakPolicy);
  repo.server_git({"config", "trailgate.policy", "lenient.toml"});
  repo.commit(unreviewed_ai_message(), kJunior);
  ProcessResult r = push_main(repo);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains(policy_line(repo.server() / "lenient.toml")));
}

// --- something at the policy path that is not a regular file ------------------------------------

TEST_CASE("attack policy: a policy path that is not a regular file is an error naming it",
          "[e2e]") {
  TempRepo repo(kPolicy);
  TempDir scratch;
  const fs::path policy = repo.server() / "trailgate.toml";
  const std::string before = server_tip(repo);
  repo.commit(unreviewed_ai_message(), kJunior);
  fs::remove(policy);

  SECTION("a dangling symbolic link at <git dir>/trailgate.toml does not fall through") {
    fs::create_symlink(scratch.path() / "gone.toml", policy);
    check_rejected_naming(repo, push_main(repo), policy,
                          "a symbolic link to \"" + (scratch.path() / "gone.toml").string() +
                              "\", which does not "
                              "exist",
                          before);
  }
  SECTION("a symbolic link that loops") {
    fs::create_symlink(policy, policy);
    check_rejected_naming(repo, push_main(repo), policy, "a symbolic link that leads to itself",
                          before);
  }
  SECTION("a FIFO at the policy path does not block the hook") {
    REQUIRE(::mkfifo(policy.c_str(), 0644) == 0);
    ProcessResult r = push_main(repo);
    release_fifo_readers(policy);
    check_rejected_naming(repo, r, policy, "Is a FIFO (named pipe)", before);
  }
  SECTION("a symbolic link to a FIFO does not block the hook") {
    const fs::path fifo = scratch.path() / "fifo";
    REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
    fs::create_symlink(fifo, policy);
    ProcessResult r = push_main(repo);
    release_fifo_readers(fifo);
    check_rejected_naming(repo, r, policy, "Is a FIFO (named pipe)", before);
  }
  SECTION("a FIFO named by the repository's trailgate.policy does not block the hook") {
    const fs::path fifo = repo.server() / "policy.fifo";
    REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
    repo.server_git({"config", "trailgate.policy", fifo.string()});
    ProcessResult r = push_main(repo);
    release_fifo_readers(fifo);
    check_rejected_naming(repo, r, fifo, "Is a FIFO (named pipe)", before);
  }
  SECTION("a symbolic link to /dev/zero is not read") {
    fs::create_symlink("/dev/zero", policy);
    check_rejected_naming(repo, push_main(repo), policy, "Is a character device", before);
  }
  SECTION("a directory at the policy path") {
    fs::create_directory(policy);
    check_rejected_naming(repo, push_main(repo), policy, "Is a directory", before);
  }
  SECTION("a socket at the policy path") {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    REQUIRE(policy.string().size() < sizeof address.sun_path);
    std::strcpy(address.sun_path, policy.c_str());
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    ProcessResult r = push_main(repo);
    ::close(fd);
    check_rejected_naming(repo, r, policy, "Is a socket", before);
  }
  SECTION("a file larger than 4 MiB is refused unread") {
    write_file(policy, std::string(kPolicy) + "# " + std::string(4 * 1024 * 1024, 'x') + "\n");
    ProcessResult r = push_main(repo);
    INFO(r.err);
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.err, Catch::Contains(policy.string() + ": cannot read the policy file: larger "
                                                        "than 4 MiB"));
    CHECK(server_tip(repo) == before);
  }
}

TEST_CASE("attack policy: a symbolic link to a regular policy file is followed", "[e2e]") {
  TempRepo repo(kPolicy);
  TempDir scratch;
  const fs::path policy = repo.server() / "trailgate.toml";
  const fs::path target = scratch.path() / "policy.toml";
  fs::rename(policy, target);
  fs::create_symlink(target, policy);
  const std::string before = server_tip(repo);
  repo.commit(unreviewed_ai_message(), kJunior);
  check_judged_by_own_policy(repo, push_main(repo), before);
}

// --- every message names the policy and its digest ---------------------------------------------

TEST_CASE("attack policy: every hook message names the policy file and its SHA-256", "[e2e]") {
  TempRepo repo(kPolicy);
  const fs::path policy = repo.server() / "trailgate.toml";

  SECTION("an acceptance") {
    repo.commit("Human change\n", kJunior);
    ProcessResult r = push_main(repo);
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains("remote: " + policy_line(policy)));
  }
  SECTION("an acceptance that touches no protected ref") {
    repo.commit(unreviewed_ai_message(), kJunior);
    ProcessResult r = run({"git", "push", "origin", "HEAD:refs/heads/feature"}, repo.clone());
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains("no protected ref is updated"));
    CHECK_THAT(r.err, Catch::Contains("remote: " + policy_line(policy)));
  }
  SECTION("a rejection") {
    repo.commit(unreviewed_ai_message(), kJunior);
    ProcessResult r = push_main(repo);
    INFO(r.err);
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.err, Catch::Contains("remote: " + policy_line(policy)));
  }
  SECTION("a policy with errors: the digest is of the bytes that failed to parse") {
    write_file(policy, std::string(kPolicy) + "aprovals = 2\n");
    repo.commit("Human change\n", kJunior);
    ProcessResult r = push_main(repo);
    INFO(r.err);
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.err, Catch::Contains("the policy cannot be used"));
    CHECK_THAT(r.err, Catch::Contains("remote: " + policy_line(policy)));
  }
}
