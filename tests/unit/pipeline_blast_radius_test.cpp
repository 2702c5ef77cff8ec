// Tests of the blast-radius rules: case tables on hand-built ChangeSets for every rule in
// docs/blast-radius.md (which rules apply to which commits, sensitive paths, the deletion limits,
// the delete-and-recreate rule, the strictest requirement), then the scenarios of the issue on
// real repositories, read with git::first_parent_changes.

#include <catch2/catch.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "git/repository.h"
#include "git/tree_changes.h"
#include "pipeline/blast_radius.h"
#include "policy/path_glob.h"
#include "policy/policy.h"
#include "support/temp_repo.h"

namespace {

namespace fs = std::filesystem;
namespace git = trailgate::git;
namespace testing = trailgate::testing;
using git::ChangeKind;
using git::ChangeSet;
using git::FileChange;
using trailgate::assess_blast_radius;
using trailgate::BlastRadius;
using trailgate::BlastReasonKind;
using trailgate::BlastRules;
using trailgate::CommitClass;
using trailgate::describe_reasons;
using trailgate::MassChangeRule;
using trailgate::MassChangeScope;
using trailgate::needs_changes;
using trailgate::PathGlob;
using trailgate::Policy;
using trailgate::Requirement;
using trailgate::SensitiveRule;

const CommitClass kAi{true, true};
const CommitClass kHuman{false, false};
const CommitClass kHumanReviewAll{false, true};
const Requirement kBase{1, "senior"};

FileChange added(std::string path) {
  FileChange c;
  c.kind = ChangeKind::added;
  c.new_path = std::move(path);
  c.new_id = std::string(40, 'a');
  c.new_mode = 0100644;
  return c;
}

FileChange deleted(std::string path) {
  FileChange c;
  c.kind = ChangeKind::deleted;
  c.old_path = std::move(path);
  c.old_id = std::string(40, 'b');
  c.old_mode = 0100644;
  return c;
}

FileChange modified(std::string path, int similarity = -1) {
  FileChange c;
  c.kind = ChangeKind::modified;
  c.old_path = path;
  c.new_path = std::move(path);
  c.old_id = std::string(40, 'b');
  c.new_id = std::string(40, 'c');
  c.old_mode = c.new_mode = 0100644;
  c.similarity = similarity;
  return c;
}

FileChange renamed(std::string from, std::string to, int similarity = 100) {
  FileChange c;
  c.kind = ChangeKind::renamed;
  c.old_path = std::move(from);
  c.new_path = std::move(to);
  c.old_id = std::string(40, 'b');
  c.new_id = std::string(40, 'b');
  c.old_mode = c.new_mode = 0100644;
  c.similarity = similarity;
  return c;
}

// A change set as tree_changes makes it: `deleted` counted, parent_files set when something is
// deleted (to `parent_files`), and the given replaced directories.
ChangeSet change_set(std::vector<FileChange> changes, std::size_t parent_files = 100,
                     std::vector<git::ReplacedDirectory> replaced = {}) {
  ChangeSet set;
  set.commit_id = std::string(40, '1');
  set.parent_id = std::string(40, '2');
  set.changes = std::move(changes);
  for (const auto& c : set.changes)
    set.deleted += c.kind == ChangeKind::deleted;
  if (set.deleted > 0)
    set.parent_files = parent_files;
  set.replaced_directories = std::move(replaced);
  return set;
}

SensitiveRule sensitive(std::vector<std::string> patterns, int approvals,
                        std::optional<std::string> level = std::nullopt, int line = 0) {
  SensitiveRule rule;
  for (const auto& p : patterns) {
    trailgate::PathGlobError error;
    auto glob = PathGlob::compile(p, &error);
    INFO(p << ": " << error.message);
    REQUIRE(glob.has_value());
    rule.paths.push_back(*glob);
  }
  rule.approvals = approvals;
  rule.min_level = std::move(level);
  rule.source_line = line;
  return rule;
}

// The issue's example: infra, Terraform and CI workflows need two senior reviews.
BlastRules issue_rules() {
  BlastRules rules;
  rules.sensitive.push_back(
      sensitive({"infra/**", "**/*.tf", ".github/workflows/**"}, 2, "senior", 12));
  return rules;
}

BlastRules no_mass_change(BlastRules rules) {
  rules.mass_change.enabled = false;
  return rules;
}

BlastRadius assess(const ChangeSet& set, const BlastRules& rules, const CommitClass& commit = kAi,
                   const Requirement& base = kBase) {
  return assess_blast_radius(set, rules, commit, base, Policy{});
}

std::vector<BlastReasonKind> kinds(const BlastRadius& radius) {
  std::vector<BlastReasonKind> out;
  for (const auto& r : radius.reasons)
    out.push_back(r.kind);
  return out;
}

}  // namespace

TEST_CASE("blast_radius: the defaults of [protect.mass_change]", "[blast_radius]") {
  MassChangeRule rule;
  CHECK(rule.enabled);
  CHECK(rule.deleted_files == 50);
  CHECK(rule.deleted_share == 0.25);
  CHECK(rule.recreated_dir_files == 2);
  CHECK(rule.approvals == 2);
  CHECK_FALSE(rule.min_level.has_value());
  CHECK(rule.applies_to == MassChangeScope::ai_assisted);
  CHECK(rule.source_line == 0);
  SensitiveRule s;
  CHECK(s.approvals == 2);
  CHECK_FALSE(s.min_level.has_value());
}

TEST_CASE("blast_radius: which commits need their changes read", "[blast_radius]") {
  BlastRules only_sensitive = no_mass_change(issue_rules());
  BlastRules defaults;  // no sensitive rules, default mass change
  BlastRules nothing = no_mass_change(BlastRules{});
  BlastRules all = defaults;
  all.mass_change.applies_to = MassChangeScope::all;
  struct Row {
    const BlastRules* rules;
    CommitClass commit;
    bool needed;
  };
  const std::vector<Row> rows = {
      {&only_sensitive, kAi, true},
      {&only_sensitive, kHuman, false},
      {&only_sensitive, kHumanReviewAll, true},
      {&defaults, kAi, true},
      {&defaults, kHuman, false},
      {&defaults, kHumanReviewAll, false},  // mass change is for AI-assisted commits only
      {&nothing, kAi, false},
      {&nothing, kHumanReviewAll, false},
      {&all, kHuman, true},
      {&all, kAi, true},
  };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    INFO("row " << i);
    CHECK(needs_changes(*rows[i].rules, rows[i].commit) == rows[i].needed);
  }
}

TEST_CASE("blast_radius: sensitive paths", "[blast_radius]") {
  const BlastRules rules = no_mass_change(issue_rules());

  SECTION("every kind of change to a matching path counts") {
    struct Row {
      FileChange change;
      std::string listed;
    };
    const std::vector<Row> rows = {
        {added("infra/main.tf"), "\"infra/main.tf\" (added)"},
        {modified("infra/vpc/net.tf"), "\"infra/vpc/net.tf\" (modified)"},
        {deleted(".github/workflows/ci.yml"), "\".github/workflows/ci.yml\" (deleted)"},
        {renamed("main.tf.txt", "infra/main.tf"),
         "\"infra/main.tf\" (renamed from \"main.tf.txt\")"},  // into a protected path
        {renamed("infra/old.sh", "scripts/old.sh"),
         "\"infra/old.sh\" (renamed to \"scripts/old.sh\")"},  // out of one
        {added("envs/prod/main.tf"), "\"envs/prod/main.tf\" (added)"},
    };
    for (const Row& row : rows) {
      INFO(row.listed);
      BlastRadius radius = assess(change_set({row.change}), rules);
      REQUIRE(radius.reasons.size() == 1);
      const auto& reason = radius.reasons.front();
      CHECK(reason.kind == BlastReasonKind::sensitive_path);
      CHECK(reason.matching_paths == 1);
      REQUIRE(reason.paths.size() == 1);
      CHECK(reason.paths.front().first == row.listed);
      CHECK(reason.requirement == Requirement{2, "senior"});
      CHECK(reason.source_line == 12);
      CHECK(radius.required == Requirement{2, "senior"});
    }
  }
  SECTION("paths that do not match raise nothing") {
    for (const FileChange& c :
         {added("src/main.c"), modified("README.md"), deleted("docs/infra.md"),
          renamed("a.txt", "b.txt"), added("infrastructure/x"), added("app/infra/x"),
          added("main.tfvars"), added(".github/ci.yml")}) {
      INFO(c.path());
      BlastRadius radius = assess(change_set({c}), rules);
      CHECK(radius.reasons.empty());
      CHECK(radius.required == kBase);
    }
  }
  SECTION("the message names the path, the pattern, the rule and what it asks") {
    BlastRadius radius = assess(change_set({added("infra/main.tf")}), rules);
    CHECK(describe_reasons(radius) ==
          "sensitive path: \"infra/main.tf\" (added) matches \"infra/**\" ([[protect.sensitive]] "
          "at line 12: 2 approvals by senior or above)");
  }
  SECTION("the first pattern that matches is named") {
    BlastRadius radius = assess(change_set({added("infra/main.tf")}),
                                no_mass_change(BlastRules{{sensitive({"*.tf", "infra"}, 2)}, {}}));
    REQUIRE(radius.reasons.size() == 1);
    CHECK(radius.reasons.front().paths.front().second == "*.tf");
    CHECK_THAT(radius.reasons.front().message, Catch::Contains("([[protect.sensitive]]: "));
  }
  SECTION("a rename with both ends in sensitive paths counts twice") {
    BlastRadius radius = assess(change_set({renamed("infra/a.tf", "infra/b.tf")}), rules);
    REQUIRE(radius.reasons.size() == 1);
    CHECK(radius.reasons.front().matching_paths == 2);
  }
  SECTION("a modification counts its path once") {
    BlastRadius radius = assess(change_set({modified("infra/a.tf")}), rules);
    CHECK(radius.reasons.front().matching_paths == 1);
  }
  SECTION("many matching paths: five listed, the rest counted") {
    std::vector<FileChange> changes;
    for (int i = 0; i < 8; ++i)
      changes.push_back(added("infra/f" + std::to_string(i)));
    changes.push_back(added("src/unrelated.c"));
    BlastRadius radius = assess(change_set(changes), rules);
    REQUIRE(radius.reasons.size() == 1);
    CHECK(radius.reasons.front().matching_paths == 8);
    CHECK(radius.reasons.front().paths.size() == trailgate::kMaxListedPaths);
    CHECK_THAT(radius.reasons.front().message,
               Catch::Contains("\"infra/f4\" (added) matches \"infra/**\" and 3 more paths ("));
    CHECK_THAT(radius.reasons.front().message, Catch::StartsWith("sensitive paths: "));
  }
  SECTION("a very long path is cut in the message") {
    std::string long_path = "infra/" + std::string(500, 'x');
    BlastRadius radius = assess(change_set({added(long_path)}), rules);
    CHECK(radius.reasons.front().message.size() < 400);
    CHECK_THAT(radius.reasons.front().message, Catch::Contains("xxx...\" (added)"));
  }
  SECTION("applies to commits that need review, AI-assisted or under review_all") {
    ChangeSet set = change_set({added("infra/main.tf")});
    CHECK(assess(set, rules, kAi).reasons.size() == 1);
    CHECK(assess(set, rules, kHumanReviewAll).reasons.size() == 1);
    CHECK(assess(set, rules, kHuman).reasons.empty());
    CHECK(assess(set, rules, kHuman).required == kBase);
  }
}

TEST_CASE("blast_radius: the strictest requirement wins", "[blast_radius]") {
  struct Row {
    const char* what;
    std::vector<SensitiveRule> rules;
    Requirement base;
    Requirement required;
    std::size_t reasons;
  };
  std::vector<Row> rows;
  rows.push_back({"one rule raises approvals", {sensitive({"infra"}, 3)}, kBase, {3, "senior"}, 1});
  rows.push_back({"one rule raises the level only",
                  {sensitive({"infra"}, 1, "principal")},
                  kBase,
                  {1, "principal"},
                  1});
  rows.push_back({"a rule asking less than the base changes nothing, but is listed",
                  {sensitive({"infra"}, 1, "mid")},
                  {2, "senior"},
                  {2, "senior"},
                  1});
  rows.push_back({"approvals and level conflict: both maxima",
                  {sensitive({"infra"}, 3, "senior"), sensitive({"*.tf"}, 2, "principal")},
                  kBase,
                  {3, "principal"},
                  2});
  rows.push_back(
      {"the level defaults to the base's", {sensitive({"infra"}, 2)}, {1, "mid"}, {2, "mid"}, 1});
  rows.push_back({"a rule that does not match counts for nothing",
                  {sensitive({"infra"}, 2), sensitive({"docs"}, 5, "principal")},
                  kBase,
                  {2, "senior"},
                  1});
  for (const Row& row : rows) {
    INFO(row.what);
    BlastRules rules = no_mass_change(BlastRules{row.rules, {}});
    BlastRadius radius = assess(change_set({added("infra/main.tf")}), rules, kAi, row.base);
    CHECK(radius.required == row.required);
    CHECK(radius.reasons.size() == row.reasons);
  }
  SECTION("sensitive rules and mass change together") {
    BlastRules rules = issue_rules();
    rules.mass_change.approvals = 4;
    std::vector<FileChange> changes = {added("infra/x")};
    for (int i = 0; i < 51; ++i)
      changes.push_back(deleted("src/f" + std::to_string(i)));
    BlastRadius radius = assess(change_set(changes, 1000), rules);
    CHECK(kinds(radius) == std::vector<BlastReasonKind>{BlastReasonKind::sensitive_path,
                                                        BlastReasonKind::deleted_files});
    CHECK(radius.required == Requirement{4, "senior"});
  }
}

TEST_CASE("blast_radius: the deletion limits", "[blast_radius]") {
  auto deletions = [](std::size_t n) {
    std::vector<FileChange> changes;
    for (std::size_t i = 0; i < n; ++i)
      changes.push_back(deleted("d/f" + std::to_string(i)));
    changes.push_back(added("new.txt"));
    return changes;
  };
  const BlastRules defaults;
  struct Row {
    std::size_t deleted;
    std::size_t parent_files;
    std::vector<BlastReasonKind> reasons;
  };
  const std::vector<Row> rows = {
      {0, 1000, {}},
      {1, 1000, {}},
      {50, 1000, {}},                                // the limit itself is allowed
      {51, 1000, {BlastReasonKind::deleted_files}},  // one more is not
      {25, 100, {}},                                 // exactly 25% is allowed
      {26, 100, {BlastReasonKind::deleted_share}},   // more is not
      {6, 10, {BlastReasonKind::deleted_share}},     // the issue's 60% of the tree
      {1, 3, {BlastReasonKind::deleted_share}},      // in a tiny tree one file is a third
      {1, 4, {}},
      {60, 100, {BlastReasonKind::deleted_files, BlastReasonKind::deleted_share}},
  };
  for (const Row& row : rows) {
    INFO(row.deleted << " of " << row.parent_files);
    ChangeSet set = change_set(deletions(row.deleted), row.parent_files);
    BlastRadius radius = assess(set, defaults);
    CHECK(kinds(radius) == row.reasons);
    CHECK(radius.required == (row.reasons.empty() ? kBase : Requirement{2, "senior"}));
    for (const auto& reason : radius.reasons) {
      CHECK(reason.deleted == row.deleted);
      CHECK(reason.parent_files == row.parent_files);
      CHECK(reason.source_line == 0);
    }
  }
  SECTION("messages give the numbers and the limit") {
    BlastRadius radius = assess(change_set(deletions(60), 100), defaults);
    REQUIRE(radius.reasons.size() == 2);
    CHECK(radius.reasons[0].message ==
          "deletes 60 files, more than deleted_files = 50 (the default [protect.mass_change] "
          "limits: 2 approvals by senior or above)");
    CHECK(radius.reasons[1].message ==
          "deletes 60 of the 100 files its first parent has (60%), more than deleted_share = 25% "
          "(the default [protect.mass_change] limits: 2 approvals by senior or above)");
    BlastRules configured;
    configured.mass_change.source_line = 20;
    configured.mass_change.deleted_share = 1.0 / 3;
    configured.mass_change.min_level = "principal";
    BlastRadius third = assess(change_set(deletions(1), 2), configured);
    REQUIRE(third.reasons.size() == 1);
    CHECK(third.reasons[0].message ==
          "deletes 1 of the 2 files its first parent has (50%), more than deleted_share = 33.3% "
          "([protect.mass_change] at line 20: 2 approvals by principal or above)");
    CHECK(third.required == Requirement{2, "principal"});
  }
  SECTION("configured limits") {
    BlastRules strict;
    strict.mass_change.deleted_files = 0;  // any deletion
    strict.mass_change.deleted_share = 1.0;
    CHECK(kinds(assess(change_set(deletions(1), 1000), strict)) ==
          std::vector<BlastReasonKind>{BlastReasonKind::deleted_files});
    CHECK(assess(change_set(deletions(0), 1000), strict).reasons.empty());
    BlastRules share_zero;
    share_zero.mass_change.deleted_share = 0.0;
    CHECK(kinds(assess(change_set(deletions(1), 1000), share_zero)) ==
          std::vector<BlastReasonKind>{BlastReasonKind::deleted_share});
  }
  SECTION("who the limits apply to") {
    ChangeSet set = change_set(deletions(60), 100);
    CHECK(assess(set, defaults, kAi).reasons.size() == 2);
    CHECK(assess(set, defaults, kHuman).reasons.empty());
    CHECK(assess(set, defaults, kHumanReviewAll).reasons.empty());
    BlastRules all;
    all.mass_change.applies_to = MassChangeScope::all;
    BlastRadius human = assess(set, all, kHuman);
    CHECK(human.reasons.size() == 2);
    CHECK(human.required == Requirement{2, "senior"});
    BlastRules off;
    off.mass_change.enabled = false;
    CHECK(assess(set, off, kAi).reasons.empty());
  }
  SECTION("renames are not deletions") {
    std::vector<FileChange> changes;
    for (int i = 0; i < 80; ++i)
      changes.push_back(renamed("old/f" + std::to_string(i), "new/f" + std::to_string(i)));
    CHECK(assess(change_set(changes, 100), defaults).reasons.empty());
  }
}

TEST_CASE("blast_radius: a directory deleted and recreated", "[blast_radius]") {
  const BlastRules defaults;
  using Dirs = std::vector<git::ReplacedDirectory>;
  struct Row {
    const char* what;
    std::vector<FileChange> changes;
    Dirs replaced;
    std::vector<std::string> recreated;  // directories reported
  };
  const std::vector<Row> rows = {
      {"every file rewritten in place",
       {modified("env/a.tf", 10), modified("env/b.tf", 0), modified("env/c.tf", 49)},
       {{"env", 3}},
       {"env"}},
      {"every file edited, similar enough",
       {modified("env/a.tf", 90), modified("env/b.tf", 50), modified("env/c.tf", 70)},
       {{"env", 3}},
       {}},
      {"one file kept similar",
       {modified("env/a.tf", 10), modified("env/b.tf", 80)},
       {{"env", 2}},
       {}},
      {"all deleted, new files under new names",
       {deleted("env/a.tf"), deleted("env/b.tf"), added("env/main.tf")},
       {{"env", 2}},
       {"env"}},
      {"all deleted, nothing back: a deletion, not a recreation",
       {deleted("env/a.tf"), deleted("env/b.tf"), added("other/x")},
       {{"env", 2}},
       {}},
      {"a one-file directory is below recreated_dir_files",
       {modified("env/a.tf", 0)},
       {{"env", 1}},
       {}},
      {"a rename inside the directory keeps its file",
       {renamed("env/a.tf", "env/b.tf", 100), modified("env/c.tf", 0)},
       {{"env", 2}},
       {}},
      {"moved away and a new directory put in its place",
       {renamed("env/a.tf", "env-old/a.tf"), renamed("env/b.tf", "env-old/b.tf"),
        added("env/new.tf")},
       {{"env", 2}},
       {"env"}},
      {"moved away with nothing in its place",
       {renamed("env/a.tf", "env-old/a.tf"), renamed("env/b.tf", "env-old/b.tf")},
       {{"env", 2}},
       {}},
      {"deleted and rewritten mixed",
       {deleted("env/a.tf"), modified("env/b.tf", 5)},
       {{"env", 2}},
       {"env"}},
      {"an unmeasured modification (a submodule) is given the benefit of the doubt",
       {modified("vendor/lib", -1), modified("vendor/other", -1)},
       {{"vendor", 2}},
       {}},
      {"a type change is a replacement",
       {modified("env/a", 0), deleted("env/b"), added("env/c")},
       {{"env", 2}},
       {"env"}},
      {"nested: only the outermost is reported",
       {modified("env/a.tf", 0), modified("env/prod/b.tf", 0), modified("env/prod/c.tf", 0)},
       {{"env", 3}, {"env/prod", 2}},
       {"env"}},
      {"nested: an inner one alone when the outer keeps a file",
       {modified("env/a.tf", 90), modified("env/prod/b.tf", 0), modified("env/prod/c.tf", 0)},
       {{"env", 3}, {"env/prod", 2}},
       {"env/prod"}},
      {"the whole tree", {modified("a", 0), modified("b", 0)}, {{"", 2}}, {""}},
      {"siblings are reported each",
       {modified("x/a", 0), modified("x/b", 0), modified("y/a", 0), modified("y/b", 0)},
       {{"x", 2}, {"y", 2}},
       {"x", "y"}},
  };
  for (const Row& row : rows) {
    INFO(row.what);
    BlastRadius radius = assess(change_set(row.changes, 100, row.replaced), defaults);
    std::vector<std::string> recreated;
    for (const auto& reason : radius.reasons)
      if (reason.kind == BlastReasonKind::recreated_directory)
        recreated.push_back(reason.directory);
    CHECK(recreated == row.recreated);
    if (!row.recreated.empty())
      CHECK(radius.required == Requirement{2, "senior"});
  }
  SECTION("the message names the directory and the counts") {
    BlastRadius radius =
        assess(change_set({deleted("env/a.tf"), deleted("env/b.tf"), deleted("env/c.tf"),
                           added("env/main.tf"), added("env/vars.tf")},
                          10, {{"env", 3}}),
               defaults);
    REQUIRE(radius.reasons.size() == 2);  // 3 of 10 deleted is also more than 25%
    const auto& reason = radius.reasons[1];
    CHECK(reason.kind == BlastReasonKind::recreated_directory);
    CHECK(reason.files_before == 3);
    CHECK(reason.files_after == 2);
    CHECK(reason.message ==
          "deletes and recreates directory \"env/\": none of its 3 files is left as it was (each "
          "one deleted, moved out or rewritten, under 50% similar) and it has 2 files again (the "
          "default [protect.mass_change] limits: 2 approvals by senior or above)");
    BlastRadius root =
        assess(change_set({modified("a", 0), modified("b", 0)}, 2, {{"", 2}}), defaults);
    CHECK_THAT(root.reasons.front().message, Catch::StartsWith("deletes and recreates the whole "
                                                               "tree: none of its 2 files"));
  }
  SECTION("recreated_dir_files sets the size, 0 switches it off") {
    ChangeSet one = change_set({modified("env/a.tf", 0)}, 100, {{"env", 1}});
    BlastRules small;
    small.mass_change.recreated_dir_files = 1;
    CHECK(assess(one, small).reasons.size() == 1);
    ChangeSet three = change_set({modified("env/a", 0), modified("env/b", 0), modified("env/c", 0)},
                                 100, {{"env", 3}});
    BlastRules big;
    big.mass_change.recreated_dir_files = 4;
    CHECK(assess(three, big).reasons.empty());
    BlastRules off;
    off.mass_change.recreated_dir_files = 0;
    CHECK(assess(three, off).reasons.empty());
    CHECK(assess(three, defaults).reasons.size() == 1);
  }
}

// --- the issue's scenarios on real repositories -------------------------------------------------

namespace {

std::string lines(const std::string& tag, int count = 12) {
  std::string text;
  for (int i = 0; i < count; ++i)
    text += tag + " line " + std::to_string(i) + " with enough text to measure\n";
  return text;
}

// A repository with infra/, an env/ directory of four files, src/ and a README: ten files.
class Project {
 public:
  Project() {
    testing::run_ok({"git", "init", "-q", "."}, dir_.path());
    write("README.md", lines("readme"));
    write("infra/main.tf", lines("infra main"));
    write("infra/vars.tf", lines("infra vars"));
    for (const char* f : {"env/app.yaml", "env/db.yaml", "env/cache.yaml", "env/queue.yaml"})
      write(f, lines(f));
    for (const char* f : {"src/a.c", "src/b.c", "src/c.c"})
      write(f, lines(f));
    commit();
  }
  void write(const std::string& file, const std::string& text) {
    testing::write_file(dir_.path() / file, text);
  }
  void remove(const std::string& file) { fs::remove_all(dir_.path() / file); }
  void git(std::vector<std::string> args) {
    args.insert(args.begin(), "git");
    testing::run_ok(args, dir_.path());
  }
  std::string commit() {
    git({"add", "-A"});
    git({"commit", "-q", "-m", "change"});
    return testing::run_ok({"git", "rev-parse", "HEAD"}, dir_.path()).substr(0, 40);
  }
  BlastRadius judge(const BlastRules& rules, const CommitClass& commit = kAi) {
    git::Repository repo = git::Repository::discover(dir_.path().string());
    git::FileCounter counter;
    ChangeSet set = git::first_parent_changes(repo, this->commit(), counter);
    return assess_blast_radius(set, rules, commit, kBase, Policy{});
  }

 private:
  testing::TempDir dir_;
};

}  // namespace

TEST_CASE("blast_radius: the issue's scenarios on real commits", "[blast_radius][git]") {
  Project p;
  const BlastRules rules = issue_rules();  // infra/**, **/*.tf, workflows; default mass change

  SECTION("an AI commit touching infra/ needs two reviews") {
    p.write("infra/main.tf", lines("infra main") + "resource \"x\" {}\n");
    BlastRadius radius = p.judge(rules);
    CHECK(kinds(radius) == std::vector<BlastReasonKind>{BlastReasonKind::sensitive_path});
    CHECK(radius.required == Requirement{2, "senior"});
  }
  SECTION("the same commit without AI markers raises nothing") {
    p.write("infra/main.tf", lines("infra main") + "resource \"x\" {}\n");
    BlastRadius radius = p.judge(rules, kHuman);
    CHECK(radius.reasons.empty());
    CHECK(radius.required == kBase);
  }
  SECTION("a rename into a protected path counts") {
    p.git({"mv", "src/c.c", "infra/c.c"});
    BlastRadius radius = p.judge(rules);
    REQUIRE(radius.reasons.size() == 1);
    CHECK(radius.reasons.front().paths.front().first == "\"infra/c.c\" (renamed from \"src/c.c\")");
  }
  SECTION("deleting 60% of the tree") {
    for (const char* f :
         {"env/app.yaml", "env/db.yaml", "env/cache.yaml", "src/a.c", "src/b.c", "src/c.c"})
      p.remove(f);
    BlastRadius radius = p.judge(rules);
    CHECK(kinds(radius) == std::vector<BlastReasonKind>{BlastReasonKind::deleted_share});
    CHECK(radius.reasons.front().deleted == 6);
    CHECK(radius.reasons.front().parent_files == 10);
    CHECK(radius.required == Requirement{2, "senior"});
  }
  SECTION("env/ deleted and recreated with rewritten content, same names") {
    p.remove("env");
    for (const char* f : {"env/app.yaml", "env/db.yaml", "env/cache.yaml", "env/queue.yaml"})
      p.write(f, lines(std::string("regenerated ") + f));
    BlastRadius radius = p.judge(rules);
    REQUIRE(kinds(radius) == std::vector<BlastReasonKind>{BlastReasonKind::recreated_directory});
    CHECK(radius.reasons.front().directory == "env");
    CHECK(radius.reasons.front().files_before == 4);
    CHECK(radius.reasons.front().files_after == 4);
    CHECK(radius.required == Requirement{2, "senior"});
  }
  SECTION("env/ deleted and recreated under other names") {
    p.remove("env");
    p.write("env/all.yaml", lines("everything in one file"));
    BlastRadius radius = p.judge(rules);
    // Four of ten deleted is also more than a quarter of the tree.
    CHECK(kinds(radius) == std::vector<BlastReasonKind>{BlastReasonKind::deleted_share,
                                                        BlastReasonKind::recreated_directory});
  }
  SECTION("a normal AI commit raises nothing") {
    p.write("src/a.c", lines("src/a.c") + "int added_function(void);\n");
    p.write("src/d.c", lines("new file"));
    p.write("README.md", lines("readme") + "More documentation.\n");
    BlastRadius radius = p.judge(rules);
    CHECK(radius.reasons.empty());
    CHECK(radius.required == kBase);
  }
  SECTION("editing every file of a directory lightly is not a recreation") {
    for (const char* f : {"env/app.yaml", "env/db.yaml", "env/cache.yaml", "env/queue.yaml"})
      p.write(f, lines(f) + "# reviewed\n");
    BlastRadius radius = p.judge(rules);
    CHECK(radius.reasons.empty());
  }
}
