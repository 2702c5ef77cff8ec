// Tests of Repository::tips_reached_by_push (git/repository.h): in a real push quarantine made
// by the git client, a walk that hides only the tips the new commits reach lists exactly what a
// walk hiding every protected tip lists, and anything the repository already held that is no
// tip (the history of older tips) turns the shortcut off.

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "git/repository.h"
#include "support/temp_repo.h"

namespace {

namespace fs = std::filesystem;
namespace git = trailgate::git;
namespace testing = trailgate::testing;

// Sets environment variables for a scope, as git sets them for a pre-receive hook.
class ScopedEnv {
 public:
  explicit ScopedEnv(const std::map<std::string, std::string>& vars) {
    for (const auto& [name, value] : vars) {
      const char* old = std::getenv(name.c_str());
      saved_.emplace(name, old ? std::optional<std::string>(old) : std::nullopt);
      ::setenv(name.c_str(), value.c_str(), 1);
    }
  }
  ~ScopedEnv() {
    for (const auto& [name, value] : saved_)
      value ? ::setenv(name.c_str(), value->c_str(), 1) : ::unsetenv(name.c_str());
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
    s.pop_back();
  return s;
}

// A bare repository with main A-B-C and release/1 R off A, packed as a server keeps them, plus
// a loose commit L on C that no ref names; and a quarantine directory beside, as receive-pack
// makes one, where new commits are written.
struct Server {
  testing::TempDir dir;
  fs::path git_dir = dir.path() / "server.git";
  fs::path quarantine = git_dir / "objects" / "incoming-test";
  std::string tree, a, b, c, r, l;

  Server() {
    testing::run_ok({"git", "init", "-q", "--bare", git_dir.string()}, dir.path());
    tree = trim(testing::run_ok({"git", "mktree"}, git_dir, ""));
    a = held_commit({}, "A");
    b = held_commit({a}, "B");
    c = held_commit({b}, "C");
    r = held_commit({a}, "R");
    testing::run_ok({"git", "update-ref", "refs/heads/main", c}, git_dir);
    testing::run_ok({"git", "update-ref", "refs/heads/release/1", r}, git_dir);
    testing::run_ok({"git", "repack", "-adq"}, git_dir);
    l = held_commit({c}, "L (loose, no ref)");
    fs::create_directories(quarantine);
  }

  std::string commit_with(const std::vector<std::string>& parents, const std::string& message,
                          const std::map<std::string, std::string>& env) const {
    std::vector<std::string> argv{"git", "commit-tree", tree, "-m", message};
    for (const auto& p : parents) {
      argv.push_back("-p");
      argv.push_back(p);
    }
    return trim(testing::run_ok(argv, git_dir, "", env));
  }
  std::string held_commit(const std::vector<std::string>& parents, const std::string& message) {
    return commit_with(parents, message, {});
  }
  // A commit written only to the quarantine, as a push brings it.
  std::string new_commit(const std::vector<std::string>& parents, const std::string& message) {
    return commit_with(parents, message,
                       {{"GIT_OBJECT_DIRECTORY", quarantine.string()},
                        {"GIT_ALTERNATE_OBJECT_DIRECTORIES", (git_dir / "objects").string()}});
  }
  std::map<std::string, std::string> hook_env() const {
    return {{"GIT_DIR", git_dir.string()},
            {"GIT_QUARANTINE_PATH", quarantine.string()},
            {"GIT_OBJECT_DIRECTORY", quarantine.string()},
            {"GIT_ALTERNATE_OBJECT_DIRECTORIES", (git_dir / "objects").string()}};
  }
};

std::set<std::string> walked(const git::Repository& repo, const std::vector<std::string>& include,
                             const std::vector<std::string>& exclude) {
  std::set<std::string> ids;
  git::Walk walk = repo.walk(include, exclude);
  while (auto id = walk.next())
    ids.insert(*id);
  return ids;
}

}  // namespace

TEST_CASE("a push of new commits hides only the tips it reaches, and walks the same commits",
          "[git][push_boundary]") {
  Server s;
  const std::string n1 = s.new_commit({s.c}, "N1");
  const std::string n2 = s.new_commit({n1}, "N2");
  const std::string merge = s.new_commit({n2, s.r}, "merge release/1");
  const std::string root = s.new_commit({}, "a new root");
  const std::string on_held = s.new_commit({s.b}, "on B, which no ref names");
  const std::string on_loose = s.new_commit({s.l}, "on L, loose in the store");
  const std::vector<std::string> tips{s.c, s.r};

  ScopedEnv env(s.hook_env());
  const git::Repository repo = git::Repository::open_for_hook();
  auto same_walk = [&](const std::string& tip, const std::vector<std::string>& hidden) {
    CHECK(walked(repo, {tip}, hidden) == walked(repo, {tip}, tips));
  };

  SECTION("new commits on a tip reach that tip alone") {
    auto reached = repo.tips_reached_by_push({n2}, tips, 256);
    REQUIRE(reached);
    CHECK(*reached == std::vector<std::string>{s.c});
    same_walk(n2, *reached);
    CHECK(walked(repo, {n2}, *reached) == std::set<std::string>{n1, n2});
  }
  SECTION("a merge of two tips reaches both") {
    auto reached = repo.tips_reached_by_push({merge}, tips, 256);
    REQUIRE(reached);
    CHECK(std::set<std::string>(reached->begin(), reached->end()) ==
          std::set<std::string>{s.c, s.r});
    same_walk(merge, *reached);
  }
  SECTION("a new root reaches nothing, and every commit is walked") {
    auto reached = repo.tips_reached_by_push({root}, tips, 256);
    REQUIRE(reached);
    CHECK(reached->empty());
    CHECK(walked(repo, {root}, *reached) == std::set<std::string>{root});
  }
  SECTION("history the repository held that no tip names turns the shortcut off") {
    CHECK_FALSE(repo.tips_reached_by_push({on_held}, tips, 256));   // B, in the pack
    CHECK_FALSE(repo.tips_reached_by_push({on_loose}, tips, 256));  // L, a loose object
    CHECK_FALSE(repo.tips_reached_by_push({s.b}, tips, 256));       // an old commit pushed
  }
  SECTION("a held commit sent again in the push is still held") {
    const std::string body = testing::run_ok({"git", "cat-file", "commit", s.b}, s.git_dir);
    testing::run_ok({"git", "hash-object", "-t", "commit", "-w", "--stdin"}, s.git_dir, body,
                    {{"GIT_OBJECT_DIRECTORY", s.quarantine.string()}});
    CHECK_FALSE(repo.tips_reached_by_push({on_held}, tips, 256));
  }
  SECTION("more new commits than the limit turn the shortcut off") {
    CHECK(repo.tips_reached_by_push({n2}, tips, 2));
    CHECK_FALSE(repo.tips_reached_by_push({n2}, tips, 1));
  }
}

TEST_CASE("without a push quarantine there is no shortcut", "[git][push_boundary]") {
  Server s;
  const std::string n1 = s.new_commit({s.c}, "N1");
  std::map<std::string, std::string> env = s.hook_env();
  env.erase("GIT_QUARANTINE_PATH");
  ScopedEnv scoped(env);
  const git::Repository repo = git::Repository::open_for_hook();
  CHECK(walked(repo, {n1}, {s.c, s.r}) == std::set<std::string>{n1});
  CHECK_FALSE(repo.tips_reached_by_push({n1}, {s.c, s.r}, 256));
}
