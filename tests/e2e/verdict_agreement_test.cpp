// End-to-end: one engine, four entry points. A history that holds every verdict is built with
// real pushes into a bare repository (part of it before main was protected, the rest through
// the hook), and then every commit of it is judged by `audit --format jsonl`, by
// `check --format json` over the commit alone, by `explain`, and by the hook itself, pushing the
// commit alone onto a copy of the server whose main is reset to the commit's parent. For every
// commit, the verdict and the required and verified approvals must be the same everywhere.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/temp_repo.h"

namespace {

namespace fs = std::filesystem;
namespace testing = trailgate::testing;
using nlohmann::json;
using testing::ProcessResult;
using testing::run;
using testing::SshKey;
using testing::TempDir;
using testing::TempRepo;
using testing::trailgate_binary;
using Env = std::map<std::string, std::string>;

const char* const kDev = "Dev One <dev@example.com>";
const char* const kSenior = "Senior One <senior@example.com>";
const char* const kSenior2 = "Senior Two <senior2@example.com>";
const char* const kJunior = "Junior One <junior@example.com>";
const char* const kAi = "Co-authored-by: Claude <noreply@anthropic.com>\nAI-Assisted: yes\n";
const char* const kHuman = "AI-Assisted: no\n";
const char* const kBreakGlass = "trailgate.break-glass=INC-9: the database is down";

// Before the policy: main is not protected, so anything lands there, unjudged.
const char* const kBeforePolicy = R"(
[[protect]]
refs = ["refs/heads/unused"]
)";

struct Keys {
  TempDir dir;
  SshKey senior = testing::make_ssh_key(dir.path(), "senior", "ed25519");
  SshKey senior2 = testing::make_ssh_key(dir.path(), "senior2", "ed25519");
  SshKey junior = testing::make_ssh_key(dir.path(), "junior", "ed25519");
};

// main: one senior's signed review for AI-assisted work, two for infra/, a declaration on every
// commit, break-glass for "ops"; the default mass-change limits apply. landed holds the same
// history under a laxer rule (the same, but it allows force pushes), so it never exempts a commit
// from main's rule, and it keeps the whole history protected when a copy of the server resets main.
std::string final_policy(const Keys& k, const std::string& baseline) {
  return fmt::format(R"(
[baseline]
commit = "{}"
date = 2020-01-01

[[person]]
name = "Senior One"
emails = ["senior@example.com"]
level = "senior"
keys = ["{}"]

[[person]]
name = "Senior Two"
emails = ["senior2@example.com"]
level = "senior"
keys = ["{}"]

[[person]]
name = "Junior One"
emails = ["junior@example.com"]
level = "junior"
keys = ["{}"]

[[protect]]
refs = ["refs/heads/main"]
approvals = 1
min_level = "senior"
require_declaration = true
break_glass = ["ops"]

[[protect.sensitive]]
paths = ["infra/**"]
approvals = 2

[[protect]]
refs = ["refs/heads/landed"]
approvals = 1
min_level = "senior"
require_declaration = true
break_glass = ["ops"]
allow_force_push = true
)",
                     baseline, k.senior.public_key, k.senior2.public_key, k.junior.public_key);
}

// What an entry point says about one commit.
struct Judgement {
  std::string verdict;
  int required = -1;
  int verified = -1;
  bool operator==(const Judgement&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Judgement& j) {
  return os << j.verdict << " " << j.verified << "/" << j.required;
}

Judgement from_json(const json& commit) {
  return {commit.at("verdict").get<std::string>(), commit.at("approvals_required").get<int>(),
          commit.at("approvals_verified").get<int>()};
}

// explain's text: "verdict: X", and "(V verified of R needed" when a review is required.
Judgement from_explain(const std::string& text) {
  Judgement j;
  std::size_t at = text.find("\nverdict: ");
  REQUIRE(at != std::string::npos);
  at += 10;
  j.verdict = text.substr(at, text.find('\n', at) - at);
  std::size_t counts = text.find(" verified of ");
  if (counts == std::string::npos) {
    j.required = j.verified = 0;
  } else {
    std::size_t open = text.rfind('(', counts);
    j.verified = std::stoi(text.substr(open + 1, counts - open - 1));
    j.required = std::stoi(text.substr(counts + 13));
  }
  return j;
}

struct History {
  Keys keys;
  TempRepo repo{kBeforePolicy};
  std::map<std::string, std::string> expected;  // commit id -> the verdict it was built for
  std::vector<std::string> order;               // oldest first

  std::string clone_git(const std::vector<std::string>& args, const Env& env = {}) {
    return repo.git(args, "", env);
  }
  // Commits the work tree as it is, with `message`, by `author`, dated `date` when given.
  std::string commit_all(const std::string& message, const std::string& author,
                         const std::string& date = "") {
    Env env;
    if (!date.empty())
      env = {{"GIT_AUTHOR_DATE", date}, {"GIT_COMMITTER_DATE", date}};
    clone_git({"add", "-A"});
    clone_git({"commit", "-q", "--allow-empty", "--author", author, "-m", message}, env);
    return head();
  }
  std::string head() {
    std::string id = clone_git({"rev-parse", "HEAD"});
    return id.substr(0, id.find('\n'));
  }
  void file(const std::string& path, const std::string& text) {
    testing::write_file(repo.clone() / path, text);
  }
  // `trailgate approve` of HEAD by `who` with `key` (a signed review trailer; HEAD is rewritten).
  void approve(const SshKey& key, const std::string& who) {
    ProcessResult r =
        run({trailgate_binary(), "approve", "--key", key.path, "--as", who}, repo.clone());
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
  }
  void expect(const std::string& verdict) {
    expected[head()] = verdict;
    order.push_back(head());
  }
  ProcessResult push(const std::vector<std::string>& args, const Env& env = {}) {
    std::vector<std::string> argv = {"git", "push", "-q", "origin"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, repo.clone(), "", env);
  }
  void push_ok(const std::vector<std::string>& args, const Env& env = {}) {
    ProcessResult r = push(args, env);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }

  History() {
    repo.server_git({"config", "receive.advertisePushOptions", "true"});
    // --- before the policy: history that lands on main unjudged ---
    file("base.txt", "base\n");
    commit_all("Baseline history\n\n" + std::string(kHuman), kDev);
    const std::string baseline = head();
    expect("grandfathered");
    file("old.txt", "old\n");
    commit_all("Backdated AI work\n\n" + std::string(kAi), kDev, "2019-06-01T12:00:00Z");
    expect("grandfathered");
    for (int i = 0; i < 12; ++i)
      file(fmt::format("bulk/{}.txt", i), fmt::format("file {}\n", i));
    commit_all("Bulk files\n\n" + std::string(kHuman), kDev);
    expect("not-ai");
    file("u.txt", "u\n");
    commit_all("Unreviewed AI work\n\n" + std::string(kAi), kDev);
    expect("unreviewed");
    file("v.txt", "v\n");
    commit_all("A hand-typed review\n\n" + std::string(kAi) + "Reviewed-by: " + kSenior + "\n",
               kDev);
    expect("unverified");
    file("s.txt", "s\n");
    commit_all("Reviewed by its author\n\n" + std::string(kAi), kSenior);
    approve(keys.senior, kSenior);
    expect("self-reviewed");
    file("l.txt", "l\n");
    commit_all("Reviewed by a junior\n\n" + std::string(kAi), kDev);
    approve(keys.junior, kJunior);
    expect("below-level");
    file("x.txt", "x\n");
    commit_all("No declaration", kDev);
    expect("undeclared");
    for (int i = 0; i < 9; ++i)
      fs::remove(repo.clone() / fmt::format("bulk/{}.txt", i));
    commit_all("Mass deletion with one review\n\n" + std::string(kAi), kDev);
    approve(keys.senior, kSenior);
    expect("unverified");  // the deletion asks for two reviews; it has one
    file("late.txt", "late\n");
    commit_all("Reviewed later by note\n\n" + std::string(kAi), kDev);
    const std::string late = head();
    expect("reviewed-late");
    push_ok({"main"});

    // --- the policy protects main: the rest goes through the hook ---
    repo.set_policy(final_policy(keys, baseline));
    file("k.txt", "k\n");
    commit_all("Reviewed AI work\n\n" + std::string(kAi), kDev);
    approve(keys.senior, kSenior);
    expect("ok");
    push_ok({"main"});
    file("n.txt", "n\n");
    commit_all("Human work\n\n" + std::string(kHuman), kDev);
    expect("not-ai");
    push_ok({"main"});
    file("infra/main.tf", "resource\n");
    commit_all("AI work on infrastructure\n\n" + std::string(kAi), kDev);
    approve(keys.senior, kSenior);
    approve(keys.senior2, kSenior2);
    expect("ok");  // infra/ asks for two reviews; it has two
    push_ok({"main"});
    // landed takes the history so far; a commit let in by break-glass would be judged again there.
    push_ok({"main:refs/heads/landed"});
    file("g.txt", "g\n");
    commit_all("Hotfix in an incident\n\n" + std::string(kAi), kDev);
    expect("break-glass");
    push_ok({"-o", kBreakGlass, "main"}, {{"REMOTE_USER", "ops"}});
    ProcessResult noted = run(
        {trailgate_binary(), "approve", "--note", "--key", keys.senior.path, "--as", kSenior, late},
        repo.clone());
    INFO(noted.err);
    REQUIRE(noted.exit_code == 0);
    push_ok({"refs/notes/trailgate:refs/notes/trailgate"});
  }

  // The hook's judgement of `id` pushed alone: a copy of the server with main at its parent.
  Judgement hook(const std::string& id, const fs::path& scratch) {
    const fs::path copy = scratch / id;
    fs::copy(repo.server(), copy, fs::copy_options::recursive);
    run({"git", "update-ref", "refs/heads/main", id + "^"}, copy);
    Env env;
    std::vector<std::string> argv = {"git", "push", "-q"};
    if (expected.at(id) == "break-glass") {
      env = {{"REMOTE_USER", "ops"}};
      argv.insert(argv.end(), {"-o", kBreakGlass});
    }
    argv.insert(argv.end(), {copy.string(), id + ":refs/heads/main"});
    ProcessResult r = run(argv, repo.clone(), "", env);
    INFO(r.err);
    std::string log = testing::read_file(copy / "trailgate" / "decisions.jsonl");
    std::string last = log.substr(log.rfind('\n', log.size() - 2) + 1);
    json line = json::parse(last);
    INFO(last);
    REQUIRE(line.at("commits").size() == 1);
    const json& commit = line.at("commits").at(0);
    REQUIRE(commit.at("id") == id);
    // The push is accepted exactly when the verdict is not a violation.
    const bool violation = commit.at("violation").get<bool>();
    CHECK((r.exit_code == 0) == !violation);
    return from_json(commit);
  }
};

}  // namespace

TEST_CASE("verdicts agree: audit, check, explain and the hook judge each commit alike",
          "[e2e][agreement]") {
  History h;
  const std::string server = h.repo.server().string();

  // The audit of the whole protected history.
  ProcessResult audit =
      run({trailgate_binary(), "--repo", server, "audit", "--format", "jsonl", "--no-cache"},
          h.repo.clone());
  INFO(audit.err);
  REQUIRE(audit.exit_code == 0);
  std::map<std::string, Judgement> audited;
  std::istringstream lines(audit.out);
  for (std::string line; std::getline(lines, line);) {
    json record = json::parse(line);
    if (record.value("type", "") == "header")  // the report's provenance, not a commit
      continue;
    if (record.at("ref") == "refs/heads/main")
      audited[record.at("id").get<std::string>()] = from_json(record);
  }

  TempDir scratch;
  std::set<std::string> verdicts;
  std::size_t compared = 0;
  for (const std::string& id : h.order) {
    INFO("commit " << id << ", built to be " << h.expected.at(id));
    REQUIRE(audited.count(id));
    const Judgement& by_audit = audited.at(id);
    CHECK(by_audit.verdict == h.expected.at(id));

    ProcessResult check = run({trailgate_binary(), "--repo", server, "check", "--format", "json",
                               "--ref", "refs/heads/main", id + "^.." + id},
                              h.repo.clone());
    INFO(check.out << check.err);
    json doc = json::parse(check.out);
    REQUIRE(doc.at("commits").size() == 1);
    CHECK(from_json(doc.at("commits").at(0)) == by_audit);

    ProcessResult explain =
        run({trailgate_binary(), "--repo", server, "explain", "--ref", "refs/heads/main", id},
            h.repo.clone());
    INFO(explain.out << explain.err);
    CHECK(from_explain(explain.out) == by_audit);

    CHECK(h.hook(id, scratch.path()) == by_audit);
    verdicts.insert(by_audit.verdict);
    ++compared;
  }
  // Every verdict a commit can get under this policy, each compared four ways.
  CHECK(verdicts == std::set<std::string>{"ok", "not-ai", "unreviewed", "unverified",
                                          "self-reviewed", "below-level", "grandfathered",
                                          "undeclared", "reviewed-late", "break-glass"});
  WARN(
      fmt::format("verdict agreement: {} commits compared by audit, check, explain and the "
                  "hook; {} distinct verdicts",
                  compared, verdicts.size()));
}
