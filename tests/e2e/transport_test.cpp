// End-to-end over real network transports on 127.0.0.1: the clone pushes over git:// to
// `git daemon`, and over smart HTTP to `git http-backend` behind lighttpd with basic
// authentication, into a bare repository with trailgate installed as its pre-receive hook.
// What only a real transport shows: trailgate's messages reach the pusher through the server,
// push options reach the hooks, and the pusher's identity is what the web server authenticated.
// Each test starts its own server on a free port and stops it when the test ends, pass or fail.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <sstream>

#include "support/fixtures.h"
#include "support/servers.h"
#include "support/temp_repo.h"

namespace fs = std::filesystem;
using trailgate::testing::ai_message;
using trailgate::testing::GitDaemon;
using trailgate::testing::HttpGitServer;
using trailgate::testing::ident;
using trailgate::testing::kClaudeTrailer;
using trailgate::testing::kJuniorOne;
using trailgate::testing::kSeniorOne;
using trailgate::testing::ProcessResult;
using trailgate::testing::reviewed_by;
using trailgate::testing::roster_policy;
using trailgate::testing::TempRepo;

namespace {

const std::string kPolicy = roster_policy({kSeniorOne, kJuniorOne});

// The same, with a break-glass list on main: host usernames, as the server authenticates them.
const std::string kBreakGlassPolicy = kPolicy + "break_glass = [\"alice\"]\n";

const std::string kJunior = ident(kJuniorOne);
const std::string kReview = reviewed_by(kSeniorOne);

// git push origin [extra...] refspec, never waiting for a password prompt.
ProcessResult push(TempRepo& repo, const std::string& refspec,
                   const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"git", "push", "origin"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(refspec);
  return trailgate::testing::run(args, repo.clone(), "", {{"GIT_TERMINAL_PROMPT", "0"}});
}

std::string server_tip(TempRepo& repo, const std::string& ref) {
  return trailgate::testing::run({"git", "rev-parse", "--verify", "-q", ref}, repo.server()).out;
}

// The lines git's client printed for the server ("remote: ..."): what came over the wire.
std::string remote_lines(const std::string& err) {
  std::istringstream in(err);
  std::string line, out;
  while (std::getline(in, line))
    if (line.rfind("remote:", 0) == 0)
      out += line + "\n";
  return out;
}

// Points the clone's origin at `url`.
void use_remote(TempRepo& repo, const std::string& url) {
  repo.git({"remote", "set-url", "origin", url});
}

// Gives the served repository a post-receive hook (not trailgate's, which is the pre-receive
// hook) that records the environment the server runs hooks in.
void record_hook_environment(TempRepo& repo) {
  fs::path hook = repo.server() / "hooks" / "post-receive";
  trailgate::testing::write_file(hook, "#!/bin/sh\nenv > post-receive.env\n");
  fs::permissions(hook, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec);
}

std::map<std::string, std::string> recorded_hook_environment(TempRepo& repo) {
  std::map<std::string, std::string> env;
  std::istringstream in(trailgate::testing::read_file(repo.server() / "post-receive.env"));
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos)
      env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return env;
}

// What every transport must carry: trailgate's rejection of an unreviewed AI-assisted commit to
// main, in full, back to the pusher; then the same change with a senior's review is accepted.
// Returns the lines the server sent with the rejection.
std::string rejects_unreviewed_then_accepts_reviewed(TempRepo& repo) {
  std::string before = server_tip(repo, "refs/heads/main");
  REQUIRE_FALSE(before.empty());
  std::string id = repo.commit(ai_message("Add retry logic"), kJunior);

  ProcessResult rejected = push(repo, "HEAD:refs/heads/main");
  INFO("push output:\n" << rejected.err);
  CHECK(rejected.exit_code != 0);
  std::string remote = remote_lines(rejected.err);
  CHECK_THAT(remote, Catch::Contains(id.substr(0, 12)));
  CHECK_THAT(remote, Catch::Contains("Add retry logic"));
  CHECK_THAT(remote, Catch::Contains("ai-review-required"));
  CHECK_THAT(remote, Catch::Contains(kReview));
  CHECK_THAT(rejected.err, Catch::Contains("pre-receive hook declined"));
  CHECK(server_tip(repo, "refs/heads/main") == before);

  repo.git({"commit", "--amend", "-q", "--no-edit", "--trailer", kReview});
  std::string reviewed = repo.git({"rev-parse", "HEAD"});
  ProcessResult accepted = push(repo, "HEAD:refs/heads/main");
  INFO("push output:\n" << accepted.err);
  CHECK(accepted.exit_code == 0);
  CHECK_THAT(remote_lines(accepted.err), Catch::Contains("push passed trailgate"));
  CHECK(server_tip(repo, "refs/heads/main") == reviewed);
  return remote;
}

// An unreviewed AI-assisted commit pushed to main with a break-glass claim; returns the push.
ProcessResult push_break_glass(TempRepo& repo) {
  repo.server_git({"config", "receive.advertisePushOptions", "true"});
  repo.commit("Hotfix\n\n" + kClaudeTrailer + "\n", kJunior);
  return push(repo, "HEAD:refs/heads/main",
              {"-o", "trailgate.break-glass=INC-42: billing is down"});
}

// `git push -o x=y` of a change the policy accepts: the server advertises push options, and
// they reach the hooks it runs (the recorded post-receive environment shows them).
void push_options_reach_the_hooks(TempRepo& repo) {
  repo.server_git({"config", "receive.advertisePushOptions", "true"});
  record_hook_environment(repo);
  std::string id = repo.commit("Human change\n\nNo AI involved.\n", kJunior);
  ProcessResult r = push(repo, "HEAD:refs/heads/main", {"-o", "x=y"});
  INFO("push output:\n" << r.err);
  CHECK(r.exit_code == 0);
  CHECK(server_tip(repo, "refs/heads/main") == id + "\n");
  auto env = recorded_hook_environment(repo);
  CHECK(env["GIT_PUSH_OPTION_COUNT"] == "1");
  CHECK(env["GIT_PUSH_OPTION_0"] == "x=y");
}

}  // namespace

TEST_CASE("transport: git daemon carries trailgate's rejection, and accepts a reviewed push",
          "[e2e][transport]") {
  TempRepo repo(kPolicy);
  GitDaemon daemon(repo.server().parent_path());
  use_remote(repo, daemon.url("server.git"));
  rejects_unreviewed_then_accepts_reviewed(repo);
  // The pushes went through the daemon, not the filesystem.
  CHECK_THAT(daemon.log(), Catch::Contains("Request receive-pack for '/server.git'"));
}

TEST_CASE("transport: git daemon passes push options to the hooks", "[e2e][transport]") {
  TempRepo repo(kPolicy);
  GitDaemon daemon(repo.server().parent_path());
  use_remote(repo, daemon.url("server.git"));
  push_options_reach_the_hooks(repo);
  CHECK_THAT(daemon.log(), Catch::Contains("Request receive-pack for '/server.git'"));
}

TEST_CASE("transport: smart HTTP carries trailgate's rejection, and accepts a reviewed push",
          "[e2e][transport]") {
  TempRepo repo(kPolicy);
  HttpGitServer http(repo.server().parent_path(), "alice", "s3cret");
  use_remote(repo, http.url("server.git", "alice:s3cret"));
  std::string rejection = rejects_unreviewed_then_accepts_reviewed(repo);
  // trailgate names the pusher the web server authenticated (REMOTE_USER).
  CHECK_THAT(rejection, Catch::Contains("alice"));
}

TEST_CASE("transport: smart HTTP runs the hooks as the authenticated user, with push options",
          "[e2e][transport]") {
  TempRepo repo(kPolicy);
  HttpGitServer http(repo.server().parent_path(), "alice", "s3cret");
  use_remote(repo, http.url("server.git", "alice:s3cret"));
  push_options_reach_the_hooks(repo);
  auto env = recorded_hook_environment(repo);
  CHECK(env["REMOTE_USER"] == "alice");
  CHECK(env["AUTH_TYPE"] == "Basic");
  CHECK(env["GATEWAY_INTERFACE"] == "CGI/1.1");
}

TEST_CASE("transport: smart HTTP without valid credentials never reaches the hook",
          "[e2e][transport]") {
  TempRepo repo(kPolicy);
  HttpGitServer http(repo.server().parent_path(), "alice", "s3cret");
  record_hook_environment(repo);
  std::string before = server_tip(repo, "refs/heads/main");
  repo.commit("Human change\n", kJunior);

  SECTION("wrong password") {
    use_remote(repo, http.url("server.git", "alice:wrong"));
  }
  SECTION("no credentials") {
    use_remote(repo, http.url("server.git"));
  }
  ProcessResult r = push(repo, "HEAD:refs/heads/main");
  CHECK(r.exit_code != 0);
  CHECK(remote_lines(r.err).empty());
  CHECK(server_tip(repo, "refs/heads/main") == before);
  CHECK_FALSE(fs::exists(repo.server() / "post-receive.env"));
}

TEST_CASE("transport: break-glass is honoured for the user smart HTTP authenticated",
          "[e2e][transport]") {
  TempRepo repo(kBreakGlassPolicy);
  HttpGitServer http(repo.server().parent_path(), "alice", "s3cret");
  use_remote(repo, http.url("server.git", "alice:s3cret"));
  ProcessResult r = push_break_glass(repo);
  INFO("push output:\n" << r.err);
  CHECK(r.exit_code == 0);
  CHECK(server_tip(repo, "refs/heads/main") == repo.git({"rev-parse", "HEAD"}));
  CHECK_THAT(remote_lines(r.err), Catch::Contains("INC-42: billing is down"));
}

TEST_CASE("transport: break-glass over git daemon, where nobody is authenticated, is rejected",
          "[e2e][transport]") {
  TempRepo repo(kBreakGlassPolicy);
  GitDaemon daemon(repo.server().parent_path());
  use_remote(repo, daemon.url("server.git"));
  std::string before = server_tip(repo, "refs/heads/main");
  ProcessResult r = push_break_glass(repo);
  INFO("push output:\n" << r.err);
  CHECK(r.exit_code != 0);
  CHECK_THAT(remote_lines(r.err), Catch::Contains("break-glass"));
  CHECK(server_tip(repo, "refs/heads/main") == before);
}
