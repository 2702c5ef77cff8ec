// End-to-end: break-glass with real pushes. `git push -o trailgate.break-glass=...` over
// file:// into a bare repository whose pre-receive hook is trailgate. The pusher's identity is
// what the host would set: REMOTE_USER or GL_USERNAME exported to `git push`, which the local
// receive-pack and so the hook inherit. The server advertises push options, as it must.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "host/decision_log.h"
#include "support/fixtures.h"
#include "support/temp_repo.h"

namespace {

namespace fs = std::filesystem;
namespace testing = trailgate::testing;
using nlohmann::json;
using testing::ai_message;
using testing::ProcessResult;
using testing::TempRepo;

using Env = std::map<std::string, std::string>;
using Strings = std::vector<std::string>;

const std::string kPolicy = testing::roster_policy(
    {testing::RosterPerson{"Alice Admin", {"alice@example.com"}, "senior", {"alice"}, {}},
     testing::kJuniorOne},
    {testing::protect({"refs/heads/main"}, std::nullopt, "",
                      "break_glass = [\"alice\", \"ops\"]\n"),
     testing::protect({"refs/heads/release/*"}, std::nullopt, "", "break_glass = [\"ops\"]\n")});

const std::string kJunior = testing::ident(testing::kJuniorOne);
const char* const kReason = "trailgate.break-glass=db down, INC-7: hotfix cannot wait";

// A server that advertises push options, as break-glass needs.
struct Server {
  TempRepo repo{kPolicy};
  Server() { repo.server_git({"config", "receive.advertisePushOptions", "true"}); }

  // git push origin [-o OPTION]... REFSPEC, as a pusher the host identifies through `env`.
  ProcessResult push(const std::string& refspec, const Env& env, const Strings& options = {}) {
    Strings argv = {"git", "push", "origin"};
    for (const std::string& option : options) {
      argv.push_back("-o");
      argv.push_back(option);
    }
    argv.push_back(refspec);
    return testing::run(argv, repo.clone(), "", env);
  }

  std::string tip(const std::string& ref) {
    return testing::run({"git", "rev-parse", "--verify", "-q", ref}, repo.server()).out;
  }

  fs::path log_file() const { return repo.server() / "trailgate" / "decisions.jsonl"; }

  // Every line of the decision log, parsed.
  std::vector<json> log() const {
    std::vector<json> lines;
    std::string text = testing::read_file(log_file());
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t end = text.find('\n', start);
      REQUIRE(end != std::string::npos);
      lines.push_back(json::parse(text.substr(start, end - start)));
      start = end + 1;
    }
    return lines;
  }

  json last_line() const {
    std::vector<json> lines = log();
    REQUIRE_FALSE(lines.empty());
    return lines.back();
  }
};

}  // namespace

TEST_CASE("break-glass: a listed pusher with a reason is accepted and logged", "[e2e]") {
  Server s;
  std::string first = s.repo.commit(ai_message("Hotfix part 1"), kJunior);
  std::string second = s.repo.commit(ai_message("Hotfix part 2"), kJunior);
  Env env;
  std::string variable;
  SECTION("identified by smart HTTP's REMOTE_USER") {
    variable = "REMOTE_USER";
    env = {{"REMOTE_USER", "alice"}};
  }
  SECTION("identified by GitLab's GL_USERNAME (case-insensitively)") {
    variable = "GL_USERNAME";
    env = {{"GL_USERNAME", "Alice"}, {"GL_ID", "user-7"}};
  }
  ProcessResult r = s.push("HEAD:refs/heads/main", env, {kReason});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(s.tip("refs/heads/main") == second + "\n");
  CHECK_THAT(r.err, Catch::Contains("BREAK-GLASS: push PASSED trailgate WITHOUT THE REVIEW"));
  CHECK_THAT(r.err, Catch::Contains("(" + variable + "; roster: Alice Admin)"));
  CHECK_THAT(r.err, Catch::Contains("reason:  \"db down, INC-7: hotfix cannot wait\""));
  CHECK_THAT(r.err, Catch::Contains("waived:  2 commits entering refs/heads/main"));
  CHECK_THAT(r.err, Catch::Contains("logged:  " + s.log_file().string()));
  CHECK_THAT(r.err, Catch::Contains("review debt"));
  // The waived findings are listed, so the pusher knows what is owed.
  CHECK_THAT(r.err, Catch::Contains("Hotfix part 1"));
  CHECK_THAT(r.err, Catch::Contains("ai-review-required"));
  // ... and how to pay it: a late review by note, not "amend and push again".
  CHECK_THAT(r.err, Catch::Contains("fix:     review debt: the commit stays as it is; a senior "
                                    "approves it by note: trailgate approve --note " +
                                    second.substr(0, 12)));
  CHECK_THAT(r.err, !Catch::Contains("push again"));
  CHECK_THAT(r.err, !Catch::Contains("GL-HOOK-ERR"));  // an acceptance is no error

  json line = s.last_line();
  CHECK(line["verdict"] == "accepted-break-glass");
  CHECK(line["exit_code"] == 0);
  CHECK(line["pusher"]["variable"] == variable);
  CHECK(line["pusher"]["person"] == "Alice Admin");
  CHECK(line["break_glass"]["honoured"] == true);
  CHECK(line["break_glass"]["reason"] == "db down, INC-7: hotfix cannot wait");
  CHECK(line["break_glass"]["refs"] == json{"refs/heads/main"});
  CHECK(line["break_glass"]["commits"] == json{second, first});

  // What the audit will list as review debt.
  trailgate::host::BreakGlassLog debt =
      trailgate::host::read_break_glass_log(s.log_file().string());
  CHECK(debt.skipped == 0);
  CHECK(debt.commits() == Strings{second, first});

  // And the audit lists both commits as open review debt, not as plain violations.
  ProcessResult audit = trailgate::testing::run(
      {trailgate::testing::trailgate_binary(), "--repo", s.repo.server().string(), "--policy",
       (s.repo.server() / "trailgate.toml").string(), "audit", "--format", "json", "--no-cache"},
      s.repo.server());
  INFO(audit.err);
  REQUIRE(audit.exit_code == 0);
  json report = json::parse(audit.out);
  CHECK(report["summary"]["open_review_debt"] == 2);
  CHECK(report["summary"]["by_verdict"]["break-glass"] == 2);
  for (const auto& commit : report["commits"])
    if (commit["id"] == first || commit["id"] == second)
      CHECK(commit["verdict"] == "break-glass");
}

TEST_CASE("break-glass: a listed pusher without a reason is rejected", "[e2e]") {
  Server s;
  std::string before = s.tip("refs/heads/main");
  s.repo.commit(ai_message("Hotfix"), kJunior);
  std::string option;
  SECTION("no '='") {
    option = "trailgate.break-glass";
  }
  SECTION("nothing after '='") {
    option = "trailgate.break-glass=";
  }
  SECTION("only spaces") {
    option = "trailgate.break-glass=   ";
  }
  ProcessResult r = s.push("HEAD:refs/heads/main", {{"REMOTE_USER", "alice"}}, {option});
  CHECK(r.exit_code != 0);
  CHECK(s.tip("refs/heads/main") == before);
  CHECK_THAT(r.err, Catch::Contains("break-glass REFUSED"));
  CHECK_THAT(r.err, Catch::Contains("no reason was given"));
  CHECK_THAT(r.err, !Catch::Contains("BREAK-GLASS: push ACCEPTED"));
  json line = s.last_line();
  CHECK(line["verdict"] == "rejected");
  CHECK(line["break_glass"]["honoured"] == false);
  CHECK(line["break_glass"]["commits"].empty());
}

TEST_CASE("break-glass: a pusher who is not listed is rejected", "[e2e]") {
  Server s;
  std::string before = s.tip("refs/heads/main");
  s.repo.commit(ai_message("Hotfix"), kJunior);

  SECTION("someone else") {
    ProcessResult r = s.push("HEAD:refs/heads/main", {{"REMOTE_USER", "bob"}}, {kReason});
    CHECK(r.exit_code != 0);
    CHECK(s.tip("refs/heads/main") == before);
    CHECK_THAT(r.err, Catch::Contains("bob (REMOTE_USER) is not on the break_glass list for "
                                      "refs/heads/main"));
    CHECK(s.last_line()["pusher"]["name"] == "bob");
  }
  SECTION("listed for main, but not for the release branch pushed") {
    ProcessResult r = s.push("HEAD:refs/heads/release/1", {{"REMOTE_USER", "alice"}}, {kReason});
    CHECK(r.exit_code != 0);
    CHECK(s.tip("refs/heads/release/1").empty());
    CHECK_THAT(r.err, Catch::Contains("is not on the break_glass list for refs/heads/release/1"));
  }
  SECTION("a pusher the host does not identify") {
    ProcessResult r = s.push("HEAD:refs/heads/main", {}, {kReason});
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.err, Catch::Contains("the host did not identify the pusher"));
    CHECK(s.last_line()["pusher"]["name"].is_null());
  }
  CHECK(s.last_line()["verdict"] == "rejected");
  CHECK(s.last_line()["break_glass"]["honoured"] == false);
}

TEST_CASE("break-glass: an identity claimed through a push option is ignored", "[e2e]") {
  Server s;
  std::string before = s.tip("refs/heads/main");
  s.repo.commit(ai_message("Hotfix"), kJunior);
  const Strings claims = {"trailgate.pusher=alice", "GL_USERNAME=alice", "REMOTE_USER=alice",
                          kReason};

  SECTION("with no host identity, the claimed one does not count") {
    ProcessResult r = s.push("HEAD:refs/heads/main", {}, claims);
    CHECK(r.exit_code != 0);
    CHECK(s.tip("refs/heads/main") == before);
    CHECK_THAT(r.err, Catch::Contains("pusher: not identified by the host"));
    CHECK_THAT(r.err, Catch::Contains("the host did not identify the pusher"));
    CHECK_THAT(r.err,
               Catch::Contains("push option \"trailgate.pusher=alice\" is ignored: trailgate "
                               "reads only trailgate.break-glass"));
    json line = s.last_line();
    CHECK(line["pusher"]["name"].is_null());
    CHECK(line["verdict"] == "rejected");
  }
  SECTION("the host's identity stands, whatever the options say") {
    ProcessResult r = s.push("HEAD:refs/heads/main", {{"REMOTE_USER", "bob"}}, claims);
    CHECK(r.exit_code != 0);
    CHECK(s.tip("refs/heads/main") == before);
    CHECK_THAT(r.err, Catch::Contains("pusher: bob (REMOTE_USER; not on the roster)"));
    CHECK_THAT(r.err, Catch::Contains("bob (REMOTE_USER) is not on the break_glass list"));
    json line = s.last_line();
    CHECK(line["pusher"]["name"] == "bob");
    CHECK(line["break_glass"]["pusher"] == "bob");
  }
}

TEST_CASE("break-glass: a claim that is not honoured rejects even a push that would pass",
          "[e2e]") {
  Server s;
  std::string before = s.tip("refs/heads/main");
  s.repo.commit("Human change\n", kJunior);
  SECTION("an unlisted pusher") {
    ProcessResult r = s.push("HEAD:refs/heads/main", {{"REMOTE_USER", "bob"}}, {kReason});
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.err, Catch::Contains("break-glass REFUSED"));
    CHECK_THAT(r.err, Catch::Contains("The whole push was rejected; nothing was updated."));
    CHECK_THAT(r.err, !Catch::Contains("Fix the commits above"));  // nothing to fix but the claim
  }
  SECTION("the option given twice") {
    ProcessResult r =
        s.push("HEAD:refs/heads/main", {{"REMOTE_USER", "alice"}}, {kReason, kReason});
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.err, Catch::Contains("trailgate.break-glass was given 2 times"));
  }
  SECTION("a push to no protected ref") {
    ProcessResult r = s.push("HEAD:refs/heads/feature", {{"REMOTE_USER", "alice"}}, {kReason});
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.err, Catch::Contains("updates no protected ref"));
    CHECK(s.tip("refs/heads/feature").empty());
  }
  CHECK(s.tip("refs/heads/main") == before);
}

TEST_CASE("break-glass: a listed claim on a push that passes anyway waives nothing", "[e2e]") {
  Server s;
  std::string id = s.repo.commit("Human change\n", kJunior);
  ProcessResult r = s.push("HEAD:refs/heads/main", {{"REMOTE_USER", "alice"}}, {kReason});
  CHECK(r.exit_code == 0);
  CHECK(s.tip("refs/heads/main") == id + "\n");
  CHECK_THAT(r.err, Catch::Contains("break-glass was not needed"));
  json line = s.last_line();
  CHECK(line["verdict"] == "accepted");
  CHECK(line["break_glass"]["honoured"] == true);
  CHECK(line["break_glass"]["commits"].empty());
  CHECK(trailgate::host::read_break_glass_log(s.log_file().string()).entries.empty());
}

TEST_CASE("break-glass: deleting or rewriting a protected ref is never waived", "[e2e]") {
  Server s;
  SECTION("a history rewrite") {
    s.repo.commit("Human change\n", kJunior);
    REQUIRE(s.push("HEAD:refs/heads/main", {}).exit_code == 0);
    std::string before = s.tip("refs/heads/main");
    s.repo.git({"reset", "-q", "--hard", "HEAD~1"});
    s.repo.commit(ai_message("Rewritten"), kJunior);
    ProcessResult r = s.push("+HEAD:refs/heads/main", {{"REMOTE_USER", "alice"}}, {kReason});
    CHECK(r.exit_code != 0);
    CHECK(s.tip("refs/heads/main") == before);
    CHECK_THAT(r.err, Catch::Contains("never protected-ref-rewrite on refs/heads/main"));
    CHECK_THAT(r.err, Catch::Contains("allow_force_push"));
  }
  SECTION("a deletion") {
    ProcessResult r = s.push(":refs/heads/main", {{"REMOTE_USER", "alice"}}, {kReason});
    CHECK(r.exit_code != 0);
    CHECK_FALSE(s.tip("refs/heads/main").empty());
    CHECK_THAT(r.err, Catch::Contains("never protected-ref-delete on refs/heads/main"));
  }
  CHECK(s.last_line()["verdict"] == "rejected");
}

TEST_CASE("break-glass: the update hook never sees push options", "[e2e]") {
  Server s;
  fs::remove(s.repo.server() / "hooks" / "pre-receive");
  testing::run_ok({testing::trailgate_binary(), "install", "--repo", s.repo.server().string(),
                   "--hook", "update"},
                  s.repo.server());
  s.repo.commit(ai_message("Hotfix"), kJunior);
  ProcessResult r = s.push("HEAD:refs/heads/main", {{"REMOTE_USER", "alice"}}, {kReason});
  // git gives push options to pre-receive only: the claim is invisible, the push is judged as
  // usual. docs/hook.md says so.
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.err, Catch::Contains("ai-review-required"));
  json line = s.last_line();
  CHECK(line["hook"] == "update");
  CHECK(line["break_glass"].is_null());
}

TEST_CASE("break-glass: a server that does not advertise push options refuses them", "[e2e]") {
  Server s;
  s.repo.server_git({"config", "receive.advertisePushOptions", "false"});
  s.repo.commit(ai_message("Hotfix"), kJunior);
  ProcessResult r = s.push("HEAD:refs/heads/main", {{"REMOTE_USER", "alice"}}, {kReason});
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.err, Catch::Contains("the receiving end does not support push options"));
}

TEST_CASE("break-glass: an acceptance needs its record in the decision log", "[e2e]") {
  Server s;
  // The log's directory is a file: the log cannot be written, even by root.
  testing::write_file(s.repo.server() / "blocked", "not a directory\n");
  s.repo.set_policy(std::string(kPolicy) +
                    "\n[log]\ndecisions = \"blocked/decisions.jsonl\"\non_failure = \"warn\"\n");
  std::string before = s.tip("refs/heads/main");
  s.repo.commit(ai_message("Hotfix"), kJunior);
  ProcessResult r = s.push("HEAD:refs/heads/main", {{"REMOTE_USER", "alice"}}, {kReason});
  CHECK(r.exit_code != 0);
  CHECK(s.tip("refs/heads/main") == before);
  CHECK_THAT(r.err, Catch::Contains("break-glass is honoured only with a record of it"));
  CHECK_THAT(r.err, Catch::Contains("blocked/decisions.jsonl: Not a directory"));
  CHECK_THAT(r.err, !Catch::Contains("BREAK-GLASS: push ACCEPTED"));
}
