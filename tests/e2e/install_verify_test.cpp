// End-to-end: `trailgate install --verify` on real repositories, protected and after each way
// protection is lost without anyone noticing: the hook replaced, the hook replaced the way
// `gitolite setup` replaces it, the policy gone, the hook trailgate chains dangling, and
// core.hooksPath sending git elsewhere. Each is named, and the exit code says so.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "support/fixtures.h"
#include "support/temp_repo.h"

using trailgate::testing::kSeniorOne;
using trailgate::testing::ProcessResult;
using trailgate::testing::roster_policy;
using trailgate::testing::run;
using trailgate::testing::TempDir;
using trailgate::testing::TempRepo;
using trailgate::testing::trailgate_binary;
using trailgate::testing::write_file;
namespace fs = std::filesystem;

namespace {

const std::string kPolicy = roster_policy({kSeniorOne});

ProcessResult verify(const std::vector<std::string>& args, const fs::path& cwd) {
  std::vector<std::string> argv = {trailgate_binary(), "install", "--verify"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, cwd);
}

void write_executable(const fs::path& path, const std::string& text) {
  write_file(path, text);
  fs::permissions(path, fs::perms(0755));
}

std::string canonical_path(const fs::path& p) {
  return fs::canonical(p).string();
}

}  // namespace

TEST_CASE("install --verify: protected, and every way protection is lost", "[e2e][install]") {
  TempRepo repo(kPolicy);
  const fs::path server = repo.server();
  const fs::path hook = server / "hooks" / "pre-receive";
  TempDir elsewhere;

  SECTION("as installed: protected, exit 0, with the binary and the policy") {
    ProcessResult r = verify({"--repo", server.string()}, server);
    INFO(r.out << r.err);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::StartsWith("protected: " + canonical_path(server)));
    CHECK_THAT(r.out, Catch::Contains(trailgate_binary()));
    CHECK_THAT(r.out, Catch::Contains("trailgate.toml sha256:"));
    CHECK_THAT(r.out, Catch::Contains("1 of 1 repositories protected"));
  }
  SECTION("the hook replaced by another") {
    fs::remove(hook);
    write_executable(hook, "#!/bin/sh\nexit 0\n");
    ProcessResult r = verify({"--repo", server.string()}, server);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Catch::StartsWith("NOT PROTECTED: " + canonical_path(server)));
    CHECK_THAT(r.out, Catch::Contains(hook.string() + " was not written by trailgate"));
  }
  SECTION("the hook deleted") {
    fs::remove(hook);
    ProcessResult r = verify({"--repo", server.string()}, server);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Catch::Contains(hook.string() + " does not exist"));
  }
  SECTION(
      "a chained hook replaced by a link to gitolite's site-wide hook, as gitolite setup does") {
    fs::remove(hook);
    write_executable(hook, "#!/bin/sh\ncat >/dev/null\n");
    REQUIRE(run({trailgate_binary(), "--repo", server.string(), "install"}, server).exit_code == 0);
    fs::path site_hook = elsewhere.path() / "local" / "hooks" / "common" / "pre-receive";
    fs::create_directories(site_hook.parent_path());
    write_executable(site_hook, "#!/bin/sh\ncat >/dev/null\n");
    fs::remove(hook);
    fs::create_symlink(site_hook, hook);
    ProcessResult r = verify({"--repo", server.string()}, server);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Catch::Contains("gitolite setup"));
    CHECK_THAT(r.out, Catch::Contains(hook.string() + ".before-trailgate"));
    CHECK_THAT(r.out, Catch::Contains("--gitolite"));
  }
  SECTION("the policy missing") {
    fs::remove(server / "trailgate.toml");
    ProcessResult r = verify({"--repo", server.string()}, server);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Catch::Contains("finds no policy"));
  }
  SECTION("the policy broken") {
    write_file(server / "trailgate.toml", "[[protect]\n");
    ProcessResult r = verify({"--repo", server.string()}, server);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Catch::Contains("the policy does not load"));
    CHECK_THAT(r.out, Catch::Contains("trailgate.toml:1:"));
  }
  SECTION("the hook trailgate chains is a dangling link") {
    fs::remove(hook);
    fs::path site_hook = elsewhere.path() / "site-pre-receive";
    write_executable(site_hook, "#!/bin/sh\ncat >/dev/null\n");
    fs::create_symlink(site_hook, hook);
    REQUIRE(run({trailgate_binary(), "--repo", server.string(), "install"}, server).exit_code == 0);
    REQUIRE(verify({"--repo", server.string()}, server).exit_code == 0);
    fs::remove(site_hook);
    ProcessResult r = verify({"--repo", server.string()}, server);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Catch::Contains(hook.string() + ".before-trailgate, the hook"));
    CHECK_THAT(r.out, Catch::Contains("which does not exist: that hook no longer runs"));
  }
  SECTION("core.hooksPath sends git elsewhere") {
    repo.server_git({"config", "core.hooksPath", elsewhere.path().string()});
    ProcessResult r = verify({"--repo", server.string()}, server);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out,
               Catch::Contains((elsewhere.path() / "pre-receive").string() + " does not exist"));
    CHECK_THAT(r.out, Catch::Contains("core.hooksPath = " + elsewhere.path().string()));
  }
  SECTION("--under: every repository below a directory, one of them unprotected") {
    TempDir site;
    fs::path unprotected = site.path() / "team" / "tools.git";
    fs::create_directories(unprotected.parent_path());
    REQUIRE(run({"git", "init", "-q", "--bare", unprotected.string()}, site.path()).exit_code == 0);
    fs::create_directory_symlink(server, site.path() / "product.git");  // links are not followed
    fs::path copy = site.path() / "product-copy.git";
    REQUIRE(run({"git", "clone", "-q", "--bare", server.string(), copy.string()}, site.path())
                .exit_code == 0);
    fs::copy_file(server / "trailgate.toml", copy / "trailgate.toml");
    REQUIRE(run({trailgate_binary(), "--repo", copy.string(), "install"}, site.path()).exit_code ==
            0);
    ProcessResult r = verify({"--under", site.path().string()}, site.path());
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Catch::Contains("protected: " + canonical_path(copy)));
    CHECK_THAT(r.out, Catch::Contains("NOT PROTECTED: " + canonical_path(unprotected)));
    CHECK_THAT(r.out, Catch::Contains("1 of 2 repositories protected"));
  }
}
