// Tests of Repository::lines_changed (the audit's "lines changed" of a violation), built on the
// tree walk of git/tree_changes.h: for each kind of change, the count equals the sum of what
// `git diff --numstat --no-renames` prints (binary files 0).
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "git/repository.h"
#include "support/temp_repo.h"

using trailgate::testing::run_ok;
using trailgate::testing::TempDir;
using trailgate::testing::write_file;
namespace fs = std::filesystem;
namespace git = trailgate::git;

namespace {

const std::string kEmptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

// Added plus deleted lines of `git diff --numstat --no-renames from to` ("-" for binary: 0).
long numstat_total(const fs::path& work, const std::string& from, const std::string& to) {
  const std::string out = run_ok(
      {"git", "diff", "--numstat", "--no-renames", "--ignore-submodules=none", from, to}, work);
  long total = 0;
  std::size_t pos = 0;
  while (pos < out.size()) {
    const std::size_t eol = out.find('\n', pos);
    const std::string line = out.substr(pos, eol - pos);
    const std::size_t tab1 = line.find('\t'), tab2 = line.find('\t', tab1 + 1);
    const std::string added = line.substr(0, tab1),
                      deleted = line.substr(tab1 + 1, tab2 - tab1 - 1);
    if (added != "-")
      total += std::stol(added) + std::stol(deleted);
    pos = eol + 1;
  }
  return total;
}

}  // namespace

TEST_CASE("Repository::lines_changed counts as git diff --numstat does", "[git]") {
  TempDir dir;
  const fs::path w = dir.path();
  run_ok({"git", "init", "-q", "."}, w);
  auto commit = [&](const std::string& message) {
    run_ok({"git", "add", "-A"}, w);
    run_ok({"git", "commit", "-q", "--allow-empty", "-m", message}, w);
    return run_ok({"git", "rev-parse", "HEAD"}, w).substr(0, 40);
  };
  std::string many;
  for (int i = 0; i < 50; ++i)
    many += "line " + std::to_string(i) + "\n";
  std::vector<std::string> ids;
  write_file(w / "a.txt", many);
  write_file(w / "dir/sub/b.txt", "one\ntwo\nno final newline");
  write_file(w / "gone/c.txt", "c\n");
  ids.push_back(commit("root"));
  std::string edited = many;
  edited.replace(edited.find("line 7"), 6, "line seven");
  edited += "appended\n";
  write_file(w / "a.txt", edited);
  ids.push_back(commit("edit"));
  write_file(w / "bin.dat", std::string("bin\0ary\n", 8));
  ids.push_back(commit("binary added"));
  write_file(w / "bin.dat", std::string("other\0bytes\nmore\n", 17));
  ids.push_back(commit("binary changed"));
  ::chmod((w / "a.txt").c_str(), 0755);
  ids.push_back(commit("mode change"));
  fs::remove_all(w / "gone");
  fs::rename(w / "dir/sub/b.txt", w / "dir/b-renamed.txt");
  write_file(w / "dir/b-renamed.txt", "one\ntwo\nthree\n");
  ids.push_back(commit("delete a directory, rename with an edit"));
  fs::remove(w / "dir/b-renamed.txt");
  REQUIRE(::symlink("a.txt", (w / "dir/b-renamed.txt").c_str()) == 0);
  ids.push_back(commit("file becomes a symlink"));
  const std::string head = run_ok({"git", "rev-parse", "HEAD"}, w).substr(0, 40);
  run_ok({"git", "update-index", "--add", "--cacheinfo", "160000," + head + ",module"}, w);
  run_ok({"git", "commit", "-q", "-m", "submodule added"}, w);
  ids.push_back(run_ok({"git", "rev-parse", "HEAD"}, w).substr(0, 40));
  run_ok({"git", "update-index", "--cacheinfo", "160000," + ids[0] + ",module"}, w);
  run_ok({"git", "commit", "-q", "-m", "submodule moved"}, w);
  ids.push_back(run_ok({"git", "rev-parse", "HEAD"}, w).substr(0, 40));
  ids.push_back(commit("nothing changed"));

  git::Repository repo = git::Repository::discover(w.string());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    INFO(run_ok({"git", "log", "-1", "--format=%s", ids[i]}, w));
    const std::string parent = i == 0 ? kEmptyTree : ids[i - 1];
    const long expected = numstat_total(w, parent, ids[i]);
    CHECK(repo.lines_changed(ids[i]) == expected);
    const std::string parent_tree =
        i == 0 ? std::string() : run_ok({"git", "rev-parse", parent + "^{tree}"}, w).substr(0, 40);
    CHECK(repo.lines_changed_between(parent_tree, repo.commit_tree_id(ids[i])) == expected);
  }
  // Across several commits at once, as between any two trees.
  CHECK(repo.lines_changed_between(repo.commit_tree_id(ids[0]), repo.commit_tree_id(ids.back())) ==
        numstat_total(w, ids[0], ids.back()));
}
