// End-to-end on a real gitolite site: Debian's gitolite3, set up with a generated admin key,
// two users added by the admin's own push to gitolite-admin, served by sshd on 127.0.0.1 with a
// config the test writes. trailgate goes in with `install --gitolite`, and every push goes over
// SSH through gitolite-shell, gitolite's access checks and its update hook, as on a real host.
// What only this shows: the pusher named from GL_USER, gitolite's own denials untouched,
// gitolite-admin left to gitolite, and protection that survives `gitolite setup`.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>

#include "support/fixtures.h"
#include "support/servers.h"
#include "support/temp_repo.h"

namespace fs = std::filesystem;
using trailgate::testing::ai_message;
using trailgate::testing::ident;
using trailgate::testing::kJuniorOne;
using trailgate::testing::kSeniorOne;
using trailgate::testing::make_ssh_key;
using trailgate::testing::ProcessResult;
using trailgate::testing::protect;
using trailgate::testing::read_file;
using trailgate::testing::run;
using trailgate::testing::run_ok;
using trailgate::testing::signature_policy;
using trailgate::testing::SshKey;
using trailgate::testing::SshServer;
using trailgate::testing::TempDir;
using trailgate::testing::trailgate_binary;
using trailgate::testing::write_file;

namespace {

// One gitolite site in a scratch directory: its hosting user's home, the users' keys, and
// sshd in front of it.
struct Site {
  TempDir dir;
  TempDir keys;  // gitolite names each user after their key file: admin.pub is "admin"
  fs::path home = dir.path() / "gitolite";
  SshKey admin = make_ssh_key(keys.path(), "admin", "ed25519");
  SshKey junior = make_ssh_key(keys.path(), "junior", "ed25519");
  SshKey senior = make_ssh_key(keys.path(), "senior", "ed25519");
  fs::path policy = dir.path() / "policy.toml";

  // The environment of a command run as the site's hosting user.
  std::map<std::string, std::string> as_host() const { return {{"HOME", home.string()}}; }
  // The environment of a git command that talks to the site over SSH with `key`.
  static std::map<std::string, std::string> over_ssh(const SshKey& key) {
    return {{"GIT_SSH_COMMAND", SshServer::ssh_command(key.path)}, {"GIT_TERMINAL_PROMPT", "0"}};
  }
};

std::string replace_line(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

// `gitolite setup -pk admin.pub`, then the rc changes docs/install.md asks for: LOCAL_CODE
// outside gitolite-admin, and the git config keys the policy and push options need.
void set_up_gitolite(Site& site) {
  fs::create_directories(site.home);
  run_ok({"gitolite", "setup", "-pk", site.admin.path + ".pub"}, site.home, "", site.as_host());
  fs::path rc = site.home / ".gitolite.rc";
  std::string text = read_file(rc);
  text = replace_line(text, "# LOCAL_CODE                =>  \"$ENV{HOME}/local\",",
                      "LOCAL_CODE => \"$ENV{HOME}/local\",");
  text = replace_line(text, "GIT_CONFIG_KEYS                 =>  '',",
                      "GIT_CONFIG_KEYS => 'trailgate\\.policy receive\\.advertisePushOptions',");
  write_file(rc, text);
}

}  // namespace

TEST_CASE("gitolite over SSH: install --gitolite protects every repository and survives setup",
          "[e2e][gitolite]") {
  Site site;
  set_up_gitolite(site);
  SshServer sshd(site.home / ".ssh" / "authorized_keys", site.home);
  INFO("sshd log:\n" << sshd.log());

  write_file(
      site.policy,
      signature_policy({kSeniorOne.with_usernames({"senior"}).with_keys({site.senior.public_key}),
                        kJuniorOne.with_usernames({"junior"}).with_keys({site.junior.public_key})},
                       {protect({"refs/heads/main"})}));

  // trailgate goes in before the users do: the admin's pushes to gitolite-admin must still work.
  ProcessResult installed =
      run({trailgate_binary(), "install", "--gitolite", "--gitolite-home", site.home.string()},
          site.dir.path());
  INFO("install:\n" << installed.out << installed.err);
  REQUIRE(installed.exit_code == 0);
  CHECK_THAT(installed.out, Catch::Contains("ran gitolite setup --hooks-only"));

  // The admin adds two users and a repository, over SSH, the way gitolite is administered.
  fs::path admin_clone = site.dir.path() / "admin";
  run_ok({"git", "clone", "-q", sshd.url("gitolite-admin"), admin_clone.string()}, site.dir.path(),
         "", Site::over_ssh(site.admin));
  fs::copy_file(site.junior.path + ".pub", admin_clone / "keydir" / "junior.pub");
  fs::copy_file(site.senior.path + ".pub", admin_clone / "keydir" / "senior.pub");
  write_file(admin_clone / "conf" / "gitolite.conf",
             "repo gitolite-admin\n"
             "    RW+     =   admin\n"
             "repo product\n"
             "    -       refs/heads/locked   =   junior\n"
             "    RW+     =   admin senior junior\n"
             "repo @all\n"
             "    config trailgate.policy = " +
                 site.policy.string() + "\n");
  run_ok({"git", "add", "-A"}, admin_clone);
  run_ok({"git", "commit", "-q", "-m", "Add junior, senior and product"}, admin_clone);
  ProcessResult admin_push = run({"git", "push", "-q", "origin", "HEAD:master"}, admin_clone, "",
                                 Site::over_ssh(site.admin));
  INFO("admin push:\n" << admin_push.err);
  REQUIRE(admin_push.exit_code == 0);  // gitolite-admin is left to gitolite

  // A repository gitolite manages refuses the per-repository target, naming --gitolite.
  fs::path product = site.home / "repositories" / "product.git";
  ProcessResult per_repo =
      run({trailgate_binary(), "--repo", product.string(), "install"}, site.dir.path());
  CHECK(per_repo.exit_code == 2);
  CHECK_THAT(per_repo.err, Catch::Contains("managed by gitolite") && Catch::Contains("--gitolite"));

  // The junior's clone; main starts with a human commit.
  fs::path clone = site.dir.path() / "junior";
  auto junior_ssh = Site::over_ssh(site.junior);
  run_ok({"git", "clone", "-q", sshd.url("product"), clone.string()}, site.dir.path(), "",
         junior_ssh);
  auto commit = [&](const std::string& message) {
    run_ok({"git", "-c", "user.name=Junior One", "-c", "user.email=junior@example.com", "commit",
            "-q", "--allow-empty", "-m", message},
           clone);
    return run_ok({"git", "rev-parse", "HEAD"}, clone);
  };
  auto push = [&](const std::string& refspec, const SshKey& key) {
    return run({"git", "push", "origin", refspec}, clone, "", Site::over_ssh(key));
  };
  commit("Start\n");
  REQUIRE(push("HEAD:refs/heads/main", site.junior).exit_code == 0);

  SECTION("the whole round: reject, approve, accept; gitolite's rules and setup change nothing") {
    commit(ai_message("Add retry logic"));
    ProcessResult rejected = push("HEAD:refs/heads/main", site.junior);
    INFO("push:\n" << rejected.err);
    CHECK(rejected.exit_code != 0);
    CHECK_THAT(rejected.err, Catch::Contains("ai-review-required"));
    CHECK_THAT(rejected.err, Catch::Contains("pusher: junior (GL_USER"));

    // The senior signs the review in the same clone; the junior pushes it.
    run_ok(
        {trailgate_binary(), "--policy", site.policy.string(), "approve", "--key", site.senior.path,
         "--as", ident(kSeniorOne), "--ref", "refs/heads/main", "origin/main..HEAD"},
        clone);
    ProcessResult accepted = push("HEAD:refs/heads/main", site.junior);
    INFO("push:\n" << accepted.err);
    CHECK(accepted.exit_code == 0);
    CHECK_THAT(accepted.err, Catch::Contains("push passed trailgate"));

    // Deleting the protected branch is trailgate's to refuse, even for the senior.
    ProcessResult deleted = push(":refs/heads/main", site.senior);
    CHECK(deleted.exit_code != 0);
    CHECK_THAT(deleted.err, Catch::Contains("delet"));

    // A push trailgate has no objection to, which gitolite's own rules deny, is still denied.
    commit("Human change\n");
    ProcessResult denied = push("HEAD:refs/heads/locked", site.junior);
    INFO("push:\n" << denied.err);
    CHECK(denied.exit_code != 0);
    CHECK_THAT(denied.err, Catch::Contains("DENIED"));
    CHECK(run({"git", "--git-dir", product.string(), "rev-parse", "--verify", "-q",
               "refs/heads/locked"},
              site.dir.path())
              .out.empty());

    // gitolite lays out every repository's hooks again; trailgate is still what runs.
    run_ok({"gitolite", "setup"}, site.home, "", site.as_host());
    commit(ai_message("Another unreviewed change"));
    ProcessResult again = push("HEAD:refs/heads/main", site.junior);
    INFO("push after gitolite setup:\n" << again.err);
    CHECK(again.exit_code != 0);
    CHECK_THAT(again.err, Catch::Contains("ai-review-required"));

    ProcessResult verified = run({trailgate_binary(), "install", "--verify", "--gitolite",
                                  "--gitolite-home", site.home.string()},
                                 site.dir.path(), "", site.as_host());
    INFO("verify:\n" << verified.out << verified.err);
    CHECK(verified.exit_code == 0);
    CHECK_THAT(verified.out, Catch::Contains("protected: " + product.string()));
    CHECK_THAT(verified.out,
               Catch::Contains("left to gitolite: " +
                               (site.home / "repositories" / "gitolite-admin.git").string()));
  }
}
