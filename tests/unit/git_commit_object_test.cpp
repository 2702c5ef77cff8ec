// Tests of the one commit reader (git/commit_object.h) against the real git: every field it
// reads, on ordinary and odd commit objects, through every way trailgate reads a commit (the
// hook's Repository::read_commit, the scan's parse_commit_object on bytes it already holds, the
// walk's parse_commit_links); then git's identity splitting, fsck's checks and the malformed
// object report.

#include <catch2/catch.hpp>

#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

#include "git/commit_object.h"
#include "git/repository.h"
#include "support/temp_repo.h"

namespace fs = std::filesystem;
namespace git = trailgate::git;

// --- identity lines and malformed objects, against the real git --------------------------------

namespace {

using trailgate::git::commit_object_problems;
using trailgate::git::fsck_ident_problem;
using trailgate::git::git_ident;
using trailgate::testing::run;
using trailgate::testing::run_ok;
using trailgate::testing::TempDir;

// Author lines (after "author ") that git, libgit2 and fsck may each read their own way.
const std::vector<std::string> kOddIdents = {
    "Sam Senior <sam@example.com> 1700000000 +0000",
    "Sam Senior <sam@example.com> Someone Else <someone@example.com> 1700000000 +0000",
    "Sam <sam@example.com> <someone@example.com> 1700000000 +0000",
    "Sam > Else <sam@example.com> 1700000000 +0000",
    "Sam sam@example.com 1700000000 +0000",
    "Sam <sam@example.com 1700000000 +0000",
    "Sam <Lead> <sam@example.com> 1700000000 +0000",
    "Sam <Lead <sam@example.com> 1700000000 +0000",
    "Sam<sam@example.com> 1700000000 +0000",
    "<sam@example.com> 1700000000 +0000",
    " <sam@example.com> 1700000000 +0000",
    " Sam <sam@example.com> 1700000000 +0000",
    "Sam  <sam@example.com> 1700000000 +0000",
    "Sam\t<sam@example.com> 1700000000 +0000",
    "Sam <sam at example dot com> 1700000000 +0000",
    "Sam < sam@example.com > 1700000000 +0000",
    "Sam <sam@example.com.> 1700000000 +0000",
    "Sam <\"sam@example.com\"> 1700000000 +0000",
    "Sam Jr. <sam@example.com> 1700000000 +0000",
    "\"Sam\" <sam@example.com> 1700000000 +0000",
    "Sam <<sam@example.com>> 1700000000 +0000",
    "Sam <sam@example.com>> 1700000000 +0000",
    "Sam <> 1700000000 +0000",
    "Sam <sam@example.com> 01700000000 +0000",
    "Sam <sam@example.com> 0 +0000",
    "Sam <sam@example.com> 1700000000junk +0000",
    "Sam <sam@example.com> junk +0000",
    "Sam <sam@example.com> 99999999999999999999 +0000",
    "Sam <sam@example.com> 9223372036854775807 +0000",
    "Sam <sam@example.com> 9223372036854775808 +0000",
    "Sam <sam@example.com> -1700000000 +0000",
    "Sam <sam@example.com> +1700000000 +0000",
    "Sam <sam@example.com> 1700000000",
    "Sam <sam@example.com> 1700000000 ",
    "Sam <sam@example.com> 1700000000 +00",
    "Sam <sam@example.com> 1700000000 0000",
    "Sam <sam@example.com> 1700000000 +0000 extra",
    "Sam <sam@example.com> 1700000000 +00000",
    "Sam <sam@example.com> 1700000000  +0000",
    "Sam <sam@example.com>1700000000 +0000",
    "Sam <sam@example.com>  1700000000 +0000",
    "Sam <sam@example.com> \t1700000000 +0000",
    "Sam <sam@example.com>",
    "Sam <sam@example.com> ",
    "Sam",
    "",
};

const std::string kEmptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

std::string commit_with_author(const std::string& ident) {
  return "tree " + kEmptyTree + "\nauthor " + ident +
         "\ncommitter C <c@example.com> 1700000000 +0000\n\nmessage\n";
}

}  // namespace

TEST_CASE("git_ident reads every odd identity line as git log --format=%an / %ae prints it",
          "[git][ident]") {
  TempDir dir;
  run_ok({"git", "init", "-q", "--bare", "r.git"}, dir.path());
  const auto repo = dir.path() / "r.git";
  run_ok({"git", "hash-object", "-w", "-t", "tree", "--stdin"}, repo, "");
  std::vector<std::string> ids;
  for (const auto& ident : kOddIdents)
    ids.push_back(run_ok({"git", "hash-object", "-w", "-t", "commit", "--literally", "--stdin"},
                         repo, commit_with_author(ident))
                      .substr(0, 40));
  for (std::size_t i = 0; i < kOddIdents.size(); ++i) {
    INFO("author " << kOddIdents[i]);
    const std::string shown = run_ok({"git", "log", "-1", "--format=%an%x01%ae%x01", ids[i]}, repo);
    const std::size_t a = shown.find('\x01');
    const std::size_t b = shown.find('\x01', a + 1);
    REQUIRE(b != std::string::npos);
    const trailgate::git::GitIdent ident = git_ident(kOddIdents[i]);
    CHECK(shown.substr(0, a) == ident.name);
    CHECK(shown.substr(a + 1, b - a - 1) == ident.email);
    if (!ident.ok)
      CHECK(shown.substr(0, b + 1) == "\x01\x01");
  }
}

TEST_CASE("fsck_ident_problem rejects exactly the identity lines git fsck rejects",
          "[git][ident]") {
  TempDir dir;
  run_ok({"git", "init", "-q", "--bare", "r.git"}, dir.path());
  const auto repo = dir.path() / "r.git";
  run_ok({"git", "hash-object", "-w", "-t", "tree", "--stdin"}, repo, "");
  for (const auto& ident : kOddIdents) {
    INFO("author " << ident);
    const std::string id =
        run_ok({"git", "hash-object", "-w", "-t", "commit", "--literally", "--stdin"}, repo,
               commit_with_author(ident))
            .substr(0, 40);
    // fsck of this one object (an unreachable commit is still checked).
    const auto r = run({"git", "fsck", "--no-dangling", "--no-progress", id}, repo);
    const bool git_rejects = r.err.find("error in commit " + id) != std::string::npos ||
                             r.out.find("error in commit " + id) != std::string::npos;
    CHECK(git_rejects == !fsck_ident_problem(ident).empty());
    // Whatever fsck or git and libgit2 disagree on is a malformed commit.
    if (git_rejects)
      CHECK_FALSE(commit_object_problems(commit_with_author(ident)).empty());
  }
}

TEST_CASE("commit_object_problems: the header checks git fsck makes, plus NUL bytes",
          "[git][malformed]") {
  using namespace std::string_literals;
  const std::string tree = "tree " + kEmptyTree + "\n";
  const std::string parent = "parent " + kEmptyTree + "\n";
  const std::string author = "author A <a@example.com> 1700000000 +0000\n";
  const std::string committer = "committer C <c@example.com> 1700000000 +0000\n";
  auto problems = [](const std::string& raw) { return commit_object_problems(raw); };
  auto mentions = [&](const std::string& raw, const std::string& what) {
    for (const auto& p : problems(raw))
      if (p.find(what) != std::string::npos)
        return true;
    return false;
  };

  CHECK(problems(tree + author + committer + "\nmessage\n").empty());
  CHECK(
      problems(tree + parent + parent + author + committer + "encoding ISO-8859-1\n\nm\n").empty());
  CHECK(problems(tree + author + committer + "gpgsig -----BEGIN-----\n author x\n\nm\n").empty());
  CHECK(problems(tree + author + committer).empty());  // no message: fsck accepts it too

  CHECK(mentions(tree + author + committer + "\nhi\0 there\n"s, "NUL byte"));
  CHECK(mentions(tree + author + committer + "\nhi\0 there\n"s, "in the message"));
  CHECK(mentions(tree + "author A <a@example.com\0> 1700000000 +0000\n"s + committer + "\nm\n",
                 "in the header"));
  CHECK(mentions(tree + author + committer + "\n\nAdd it\n\0\nCo-authored-by: Claude\n"s,
                 "NUL byte"));
  CHECK(mentions(tree + author + "committer C <c@example.com> 1700000000 +0000", "not ended"));
  CHECK(mentions(author + tree + committer + "\nm\n", "first line is not a tree line"));
  CHECK(mentions("tree 4b825dc6\n" + author + committer + "\nm\n", "40-digit"));
  CHECK(mentions(tree + "parent xyz\n" + author + committer + "\nm\n", "parent line"));
  CHECK(mentions(tree + committer + "\nm\n", "no author line"));
  CHECK(mentions(tree + author + author + committer + "\nm\n", "2 author lines"));
  CHECK(mentions(tree + author + "\nm\n", "no committer line"));
  CHECK(mentions(tree + author + committer + committer + "\nm\n", "another \"committer\" line"));
  CHECK(mentions(tree + author + committer + author + "\nm\n", "another \"author\" line"));
  CHECK(mentions(tree + author + committer + parent + "\nm\n", "another \"parent\" line"));
  CHECK(mentions(
      tree + "author Sam <sam@example.com> Else <else@example.com> 1 +0000\n" + committer + "\nm\n",
      "to git but as"));
  CHECK(mentions(tree + "author Sam <sam@example.com.> 1700000000 +0000\n" + committer + "\nm\n",
                 "to git but as"));
  CHECK(mentions(
      tree + author + "committer Sam <sam@example.com> <x@example.com> 1 +0000\n" + "\nm\n",
      "committer line"));
  // A name git would write without its final dot reads the same to both: not malformed.
  CHECK(problems(tree + "author Sam Jr. <sam@example.com> 1700000000 +0000\n" + committer + "\nm\n")
            .empty());
  // Any bytes: no crash.
  for (const std::string& raw : {""s, "\n"s, "\n\n"s, "tree"s, "tree \n"s, "\0"s, "author \n\n"s})
    (void)problems(raw);
}
// --- every field, against git log and git cat-file --------------------------------------------

namespace {

// Writes a commit object with exactly `bytes` into the repository at `dir`; returns its id.
std::string hash_commit(const fs::path& dir, const std::string& bytes) {
  return run_ok({"git", "hash-object", "-t", "commit", "-w", "--literally", "--stdin"}, dir, bytes)
      .substr(0, 40);
}

// What git shows of commit `id` in `repo`.
struct GitView {
  std::string tree, parents, an, ae, at, ad, cn, ce, ct, cd, encoding, message;
};

GitView git_view(const fs::path& repo, const std::string& id) {
  const std::string shown =
      run_ok({"git", "log", "-1", "--date=raw",
              "--format=%T%x01%P%x01%an%x01%ae%x01%at%x01%ad%x01%cn%x01%ce%x01"
              "%ct%x01%cd%x01%e%x01",
              id},
             repo);
  std::vector<std::string> f;
  for (std::size_t pos = 0, next; (next = shown.find('\x01', pos)) != std::string::npos;
       pos = next + 1)
    f.push_back(shown.substr(pos, next - pos));
  REQUIRE(f.size() == 11);
  const std::string object = run_ok({"git", "cat-file", "commit", id}, repo);
  const std::size_t blank = object.find("\n\n");
  std::string message = blank == std::string::npos ? "" : object.substr(blank + 2);
  message = message.substr(0, message.find('\0'));
  return {f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], message};
}

// The offset of a `--date=raw` date ("1700000000 -0230") in minutes.
int raw_offset(const std::string& raw_date) {
  const std::string tz = raw_date.substr(raw_date.rfind(' ') + 1);
  const int hhmm = std::stoi(tz.substr(1));
  const int minutes = hhmm / 100 * 60 + hhmm % 100;
  return tz[0] == '-' ? -minutes : minutes;
}

std::string joined(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids)
    out += (out.empty() ? "" : " ") + id;
  return out;
}

// A name or email as git would have written it: the punctuation git's ident.c strips (and
// libgit2 strips when reading) taken off both ends.
std::string as_written(std::string s) {
  auto crud = [](unsigned char c) {
    return c <= 32 ||
           std::string_view(".,:;<>\"\\'").find(static_cast<char>(c)) != std::string_view::npos;
  };
  while (!s.empty() && crud(static_cast<unsigned char>(s.back())))
    s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && crud(static_cast<unsigned char>(s[start])))
    ++start;
  return s.substr(start);
}

}  // namespace

TEST_CASE("the commit reader reads every field as git does, on every path", "[git][reader]") {
  TempDir dir;
  run_ok({"git", "init", "-q", "--bare", "r.git"}, dir.path());
  const fs::path repo_dir = dir.path() / "r.git";
  const std::string t = "tree " + kEmptyTree + "\n";
  const std::string a = "author A U Thor <a@example.com> 1700000000 +0100\n";
  const std::string c = "committer C O Mitter <c@example.com> 1700000100 -0230\n";
  // Parents that exist (git log reads them); the second written in capitals, as git accepts.
  auto parent_line = [&](const std::string& name, bool capitals = false) {
    std::string id = hash_commit(repo_dir, t + a + c + "\n" + name + "\n");
    if (capitals)
      for (char& ch : id)
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return "parent " + id + "\n";
  };
  const std::string p1 = parent_line("p1"), p2 = parent_line("p2", true), p3 = parent_line("p3");
  using namespace std::string_literals;
  // Well-formed objects (git fsck accepts each): every field must read as git reads it.
  const std::vector<std::string> ordinary = {
      t + a + c + "\nsubject\n\nbody\n",
      t + p1 + a + c + "\none parent\n",
      t + p1 + p2 + a + c + "\nmerge\n",
      t + p1 + p2 + p3 + a + c + "\noctopus\n",
      t + a + c + "encoding ISO-8859-1\n\n\xe9t\xe9\n",
      t + a + c + "encoding first\nencoding second\n\nm\n",
      t + a + c + "gpgsig -----BEGIN SSH SIGNATURE-----\n abc\n -----END SSH SIGNATURE-----\n" +
          "encoding UTF-8\n\nsigned\n",
      t + a + c + "mergetag object " + std::string(40, 'a') + "\n type commit\n\nm\n",
      t + a + c + "x-unknown-header some value\n\nm\n",
      t + a + c + "\nCRLF subject\r\n\r\nbody\r\n",
      t + a + c + "\nno final newline",
      t + a + c + "\n",
      t + a + c,
      t + a + c + "\n\n\nleading blank lines\n",
      t + "author Sam Jr. <sam@example.com> 1700000000 +0000\n" + c + "\nm\n",
      t + "author Sam  Spaces  <sam@example.com> 0 -0000\n" + c + "\nm\n",
      t + "author A <a@example.com> 4102444800 +1400\n" + c + "\nm\n",
      t + "author A <a@example.com> 1700000000 -1200\n" + c + "\nm\n",
      t + "author A <a@example.com> 1700000000 +0545\n" + c + "\nm\n",
      t + "author A <> 1700000000 +0000\n" + c + "\nm\n",
  };
  git::Repository repo = git::Repository::open_for_scan(repo_dir.string());
  for (const auto& bytes : ordinary) {
    const std::string id = hash_commit(repo_dir, bytes);
    INFO(bytes);
    const GitView g = git_view(repo_dir, id);
    const auto fsck = run({"git", "fsck", "--no-dangling", "--no-progress", id}, repo_dir);
    CHECK(fsck.err.find("error in commit") == std::string::npos);
    for (const trailgate::CommitInfo& mine :
         {repo.read_commit(id), repo.read_commit_raw(id),
          git::parse_commit_object(id, repo.read_commit_object(id))}) {
      CHECK(mine.malformed.empty());
      CHECK(mine.id == id);
      CHECK(mine.tree_id == g.tree);
      CHECK(joined(mine.parent_ids) == g.parents);
      CHECK(mine.author.name == as_written(g.an));
      CHECK(mine.author.email == g.ae);
      CHECK(std::to_string(mine.author.time) == g.at);
      CHECK(mine.author.offset_minutes == raw_offset(g.ad));
      CHECK(mine.committer.name == as_written(g.cn));
      CHECK(mine.committer.email == g.ce);
      CHECK(std::to_string(mine.committer.time) == g.ct);
      CHECK(mine.committer.offset_minutes == raw_offset(g.cd));
      CHECK(mine.encoding == g.encoding);
      CHECK(mine.message == g.message);
    }
    const git::CommitLinks links = git::parse_commit_links(id, repo.read_commit_object(id));
    CHECK(joined(links.parent_ids) == g.parents);
    CHECK(std::to_string(links.committer_time) == g.ct);
    CHECK(repo.commit_tree_id(id) == g.tree);
  }

  SECTION("a malformed identity reads as git shows it, wherever git can split it") {
    for (const auto& ident : kOddIdents) {
      const std::string bytes = commit_with_author(ident);
      const std::string id = hash_commit(repo_dir, bytes);
      INFO("author " << ident);
      trailgate::CommitInfo mine;
      try {
        mine = repo.read_commit(id);
      } catch (const git::GitError&) {
        // What libgit2 would reject is rejected on every path.
        CHECK_THROWS_AS(git::parse_commit_object(id, bytes), git::GitError);
        CHECK_THROWS_AS(git::parse_commit_links(id, bytes), git::GitError);
        continue;
      }
      const GitView g = git_view(repo_dir, id);
      const git::GitIdent split = git_ident(ident);
      const trailgate::CommitInfo scanned = git::parse_commit_object(id, bytes);
      CHECK(scanned.author.name == mine.author.name);
      CHECK(scanned.author.email == mine.author.email);
      if (mine.malformed.empty()) {
        CHECK(mine.author.name == as_written(g.an));
        CHECK(mine.author.email == g.ae);
      } else if (split.ok) {
        CHECK(mine.author.name == g.an);
        CHECK(mine.author.email == g.ae);
      }
    }
  }

  SECTION("what libgit2 rejects is rejected") {
    for (const std::string& bytes :
         {std::string("tree nothex\n") + a + c, t + "committer only <c@x> 1 +0000\n",
          t + "author no email 1 +0000\n" + c, t + a + "author Bad >x< 1 +0000\n" + c,
          t + "author Overflow <o@x> 99999999999999999999 +0000\n" + c, t + a}) {
      std::string id = hash_commit(repo_dir, bytes);
      INFO(bytes);
      CHECK_THROWS_AS(repo.read_commit(id), git::GitError);
      CHECK_THROWS_AS(git::parse_commit_object(id, bytes), git::GitError);
      CHECK_THROWS_AS(git::parse_commit_links(id, bytes), git::GitError);
    }
  }
}
