// Tests of git/commit_graph.h: the commit-graph files the real git writes (one file, a chain,
// an octopus merge's extra edges), read back; a damaged file is not used.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "git/commit_graph.h"
#include "support/temp_repo.h"

using trailgate::testing::read_file;
using trailgate::testing::run_ok;
using trailgate::testing::TempDir;
using trailgate::testing::write_file;
namespace fs = std::filesystem;

TEST_CASE("git::CommitGraph reads the graph git writes", "[git]") {
  TempDir dir;
  const fs::path work = dir.path() / "w";
  run_ok({"git", "init", "-q", work.string()}, dir.path());
  auto commit = [&](const std::string& message, const std::string& date) {
    run_ok({"git", "commit", "-q", "--allow-empty", "-m", message}, work, "",
           {{"GIT_COMMITTER_DATE", date}, {"GIT_AUTHOR_DATE", date}});
    return run_ok({"git", "rev-parse", "HEAD"}, work).substr(0, 40);
  };
  std::string root = commit("root", "2026-01-01T00:00:00Z");
  std::string a = commit("a", "2026-01-02T00:00:00Z");
  run_ok({"git", "checkout", "-q", "-b", "side", root}, work);
  std::string b = commit("b", "2026-01-03T00:00:00Z");
  run_ok({"git", "checkout", "-q", "-b", "other", root}, work);
  std::string c = commit("c", "2026-01-04T00:00:00Z");
  run_ok({"git", "checkout", "-q", "side"}, work);
  // An octopus merge needs the graph's extra edge list.
  run_ok({"git", "merge", "-q", "--no-edit", a, "other"}, work, "",
         {{"GIT_COMMITTER_DATE", "2026-01-05T00:00:00Z"}});
  std::string octopus = run_ok({"git", "rev-parse", "HEAD"}, work).substr(0, 40);
  const std::string objects = (work / ".git" / "objects").string();
  CHECK(trailgate::git::CommitGraph::open(objects) == nullptr);  // none written yet

  auto check_graph = [&] {
    auto graph = trailgate::git::CommitGraph::open(objects);
    REQUIRE(graph);
    CHECK(graph->size() == 5);
    CHECK_FALSE(graph->find(std::string(40, '0')));
    CHECK_FALSE(graph->find("short"));
    auto pos = graph->find(octopus);
    REQUIRE(pos);
    CHECK(graph->id(*pos) == octopus);
    CHECK(graph->commit_time(*pos) == 1767571200);  // 2026-01-05T00:00:00Z
    std::vector<std::uint32_t> parents;
    graph->parents(*pos, parents);
    std::vector<std::string> ids;
    for (auto p : parents)
      ids.push_back(graph->id(p));
    CHECK(ids == std::vector<std::string>{b, a, c});
    parents.clear();
    graph->parents(*graph->find(root), parents);
    CHECK(parents.empty());
  };
  SECTION("one file") {
    run_ok({"git", "commit-graph", "write", "--reachable"}, work);
    check_graph();
  }
  SECTION("a chain of files") {
    run_ok({"git", "checkout", "-q", "--detach", a}, work);
    run_ok({"git", "commit-graph", "write", "--reachable", "--split=no-merge"}, work, "",
           {{"GIT_TEST_COMMIT_GRAPH", "0"}});
    run_ok({"git", "checkout", "-q", "side"}, work);
    fs::remove(work / ".git" / "objects" / "info" / "commit-graph");
    run_ok({"git", "commit-graph", "write", "--reachable", "--split=no-merge"}, work);
    check_graph();
  }
  SECTION("a damaged file is not used") {
    run_ok({"git", "commit-graph", "write", "--reachable"}, work);
    fs::path file = work / ".git" / "objects" / "info" / "commit-graph";
    std::string bytes = read_file(file);
    fs::permissions(file, fs::perms::owner_write, fs::perm_options::add);
    write_file(file, bytes.substr(0, 40));
    CHECK(trailgate::git::CommitGraph::open(objects) == nullptr);
  }
}
