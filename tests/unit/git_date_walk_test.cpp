// Tests of git/date_walk.h against the real git: the walk lists exactly what `git log` (its
// default order, no ordering option) lists, in the same order, for one target and for a later
// target that skips what an earlier one listed; with no commit-graph, with one covering the
// whole history, and with one covering only part of it (the rest read from the objects).
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "git/commit_graph.h"
#include "git/date_walk.h"
#include "git/repository.h"
#include "support/temp_repo.h"

using trailgate::testing::run_ok;
using trailgate::testing::TempDir;
namespace fs = std::filesystem;
namespace git = trailgate::git;

namespace {

const std::string kEmptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

// A bare repository whose commits are made with git commit-tree at chosen committer dates.
class History {
 public:
  History() {
    run_ok({"git", "init", "-q", "--bare", "r.git"}, dir_.path());
    run_ok({"git", "hash-object", "-w", "-t", "tree", "--stdin"}, path(), "");
  }
  fs::path path() const { return dir_.path() / "r.git"; }

  // Commits `name` with `parents` (names) at committer date `time`; returns its id.
  std::string commit(const std::string& name, const std::vector<std::string>& parents,
                     std::int64_t time) {
    std::vector<std::string> argv = {"git", "commit-tree", kEmptyTree, "-m", name};
    for (const auto& p : parents) {
      argv.push_back("-p");
      argv.push_back(ids_.at(p));
    }
    const std::string date = fmt::format("@{} +0000", time);
    std::string id = run_ok(argv, path(), "",
                            {{"GIT_COMMITTER_DATE", date},
                             {"GIT_AUTHOR_DATE", date},
                             {"GIT_AUTHOR_NAME", "A"},
                             {"GIT_AUTHOR_EMAIL", "a@example.com"},
                             {"GIT_COMMITTER_NAME", "C"},
                             {"GIT_COMMITTER_EMAIL", "c@example.com"}})
                         .substr(0, 40);
    ids_[name] = id;
    run_ok({"git", "update-ref", "refs/heads/" + name, id}, path());
    return id;
  }
  const std::string& id(const std::string& name) const { return ids_.at(name); }

  // `git log` of `tip`, not of `exclude`, in git's default order.
  std::vector<std::string> git_log(const std::string& tip,
                                   const std::vector<std::string>& exclude = {}) const {
    std::vector<std::string> argv = {"git", "log", "--format=%H", tip};
    if (!exclude.empty()) {
      argv.push_back("--not");
      argv.insert(argv.end(), exclude.begin(), exclude.end());
    }
    std::string out = run_ok(argv, path());
    std::vector<std::string> ids;
    for (std::size_t pos = 0; pos < out.size(); pos += 41)
      ids.push_back(out.substr(pos, 40));
    return ids;
  }

 private:
  TempDir dir_;
  std::map<std::string, std::string> ids_;
};

// Every commit `walk` lists for its current target, in order.
std::vector<git::DateOrderWalk::Entry> drain(git::DateOrderWalk& walk) {
  std::vector<git::DateOrderWalk::Entry> out;
  while (auto e = walk.next())
    out.push_back(std::move(*e));
  return out;
}

std::vector<std::string> ids_of(const std::vector<git::DateOrderWalk::Entry>& entries) {
  std::vector<std::string> ids;
  for (const auto& e : entries)
    ids.push_back(e.id);
  return ids;
}

}  // namespace

TEST_CASE("git::DateOrderWalk lists what git log lists, in git's default order", "[git]") {
  History h;
  // Ties, a child older than its parent, merges and an octopus: the cases where the order of
  // reaching decides.
  h.commit("r", {}, 100);
  h.commit("a", {"r"}, 110);
  h.commit("b", {"r"}, 110);
  h.commit("c", {"a"}, 105);
  h.commit("m", {"c", "b"}, 120);
  h.commit("d", {"b"}, 120);
  h.commit("o", {"m", "d", "a"}, 130);
  h.commit("e", {"o"}, 90);
  h.commit("s1", {"r"}, 110);
  h.commit("s2", {"s1"}, 110);
  h.commit("x", {"s2", "e"}, 110);
  // A second target: new commits on top of d, and a merge reaching back into the first.
  h.commit("f", {"d"}, 200);
  h.commit("g", {"f", "c"}, 200);
  h.commit("k", {"g"}, 150);

  auto check_walks = [&](const git::CommitGraph* graph, bool graph_covers_all) {
    git::Repository repo = git::Repository::open_for_scan(h.path().string());
    git::DateOrderWalk walk(repo, graph);
    walk.start(h.id("x"));
    std::vector<git::DateOrderWalk::Entry> first = drain(walk);
    CHECK(ids_of(first) == h.git_log(h.id("x")));
    CHECK(walk.pending() == 0);
    for (const auto& e : first) {
      INFO(e.id);
      const std::string parents = run_ok({"git", "log", "-1", "--format=%P", e.id}, h.path());
      const std::string time = run_ok({"git", "log", "-1", "--format=%ct", e.id}, h.path());
      CHECK(std::to_string(e.time) + "\n" == time);
      if (e.raw.empty()) {
        REQUIRE(graph);  // read from the graph
        std::string listed;
        for (const auto& p : e.graph_parents)
          listed += (listed.empty() ? "" : " ") + p;
        CHECK(listed + "\n" == parents);
      } else {
        CHECK_FALSE(graph_covers_all);
        CHECK(e.graph_parents.empty());
        CHECK(e.raw == run_ok({"git", "cat-file", "commit", e.id}, h.path()));
      }
    }
    // The next target lists only what the first did not: `git log k --not x`.
    CHECK(walk.reached(h.id("r")));
    CHECK_FALSE(walk.reached(h.id("k")));
    walk.start(h.id("k"));
    CHECK(ids_of(drain(walk)) == h.git_log(h.id("k"), {h.id("x")}));
    // A tip already listed lists nothing.
    walk.start(h.id("a"));
    CHECK_FALSE(walk.next());
  };

  SECTION("without a commit-graph") {
    CHECK(git::CommitGraph::open((h.path() / "objects").string()) == nullptr);
    check_walks(nullptr, false);
  }
  SECTION("with a commit-graph of the whole history") {
    run_ok({"git", "commit-graph", "write", "--reachable"}, h.path());
    auto graph = git::CommitGraph::open((h.path() / "objects").string());
    REQUIRE(graph);
    check_walks(graph.get(), true);
  }
  SECTION("with a commit-graph of part of the history") {
    run_ok({"git", "commit-graph", "write", "--stdin-commits"}, h.path(), h.id("m") + "\n");
    auto graph = git::CommitGraph::open((h.path() / "objects").string());
    REQUIRE(graph);
    CHECK(graph->size() == 5);  // r, a, b, c, m
    check_walks(graph.get(), false);
  }
}

TEST_CASE("git::DateOrderWalk: marked commits, and the one commit left", "[git]") {
  History h;
  h.commit("r", {}, 100);
  h.commit("a", {"r"}, 110);
  h.commit("b", {"a"}, 120);
  h.commit("side", {"r"}, 115);
  h.commit("m", {"b", "side"}, 130);
  git::Repository repo = git::Repository::open_for_scan(h.path().string());

  SECTION("a marked commit is never listed, nor reached through") {
    git::DateOrderWalk walk(repo, nullptr);
    walk.mark(h.id("side"));
    CHECK(walk.reached(h.id("side")));
    walk.start(h.id("m"));
    CHECK(ids_of(drain(walk)) ==
          std::vector<std::string>{h.id("m"), h.id("b"), h.id("a"), h.id("r")});
  }
  SECTION("sole_pending names the one commit left, never the tip") {
    git::DateOrderWalk walk(repo, nullptr);
    walk.start(h.id("b"));
    CHECK(walk.pending() == 1);
    CHECK_FALSE(walk.sole_pending());  // the tip itself
    CHECK(walk.next()->id == h.id("b"));
    REQUIRE(walk.sole_pending());
    CHECK(*walk.sole_pending() == h.id("a"));
    walk.start(h.id("m"));  // b and its history are listed or pending no more
    CHECK(walk.next()->id == h.id("m"));
    CHECK(walk.pending() == 1);  // side (b was listed)
    CHECK(*walk.sole_pending() == h.id("side"));
    CHECK(walk.next()->id == h.id("side"));
    CHECK(walk.next()->id == h.id("r"));
    // a was reached (pending) in the first target and dropped by start(): listed nowhere.
    CHECK_FALSE(walk.next());
  }
}
