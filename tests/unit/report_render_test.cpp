// Tests of report/render.h: the hook's text (accepted, rejected, break-glass honoured and
// refused, a log problem), `check`'s summary and per-commit lines, `check --format json`, and
// the escaping that keeps untrusted text from forging output lines.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include "detect/markers.h"
#include "report/commit_json.h"
#include "report/render.h"

namespace report = trailgate::report;
using json = nlohmann::json;
using Catch::Contains;
using report::Audience;
using report::Outcome;
using report::TextOptions;
using trailgate::CommitEvaluation;
using trailgate::Finding;
using trailgate::Policy;
using trailgate::ProtectRule;
using trailgate::RefResult;
using trailgate::RefUpdate;
using trailgate::Report;
using trailgate::Verdict;
using trailgate::review::ClaimStatus;

namespace {

const std::string kOld(40, '1');
const std::string kNew(40, '2');
const std::string kA(40, 'a');
const std::string kB(40, 'b');

CommitEvaluation failing(const std::string& id, const std::string& subject) {
  CommitEvaluation e;
  e.id = id;
  e.ref = "refs/heads/main";
  e.subject = subject;
  e.author = {"Junior One", "junior@example.com", 0, 0};
  e.committer = e.author;
  e.detections = {{"claude-code.co-author", "Claude Code", "trailer \"Co-authored-by\""}};
  e.review_required = true;
  e.approvals_required = 1;
  e.required = {1, "senior"};
  e.reviews.claims = {{"Reviewed-by: Junior One <junior@example.com>", "junior@example.com",
                       "Junior One", ClaimStatus::self_review, "the author cannot review"}};
  e.responsible = {{trailgate::ResponsibleRole::author, "Junior One", "junior@example.com",
                    "Junior One", false, "junior"}};
  e.author_level = "junior";
  e.verdict = Verdict::self_reviewed;
  e.findings = {Finding{"ai-review-required", e.ref, id, subject, "needs 1 verified review",
                        "ask a senior to review it"}};
  return e;
}

// A push to main with two failing commits, one of them listed, and a history rewrite.
struct Sample {
  ProtectRule rule;
  Report report;

  Sample() {
    rule.refs = {"refs/heads/main"};
    RefResult main;
    main.update = RefUpdate{kOld, kNew, "refs/heads/main"};
    main.rule = &rule;
    main.commits_checked = 3;
    main.commits_failed = 2;
    main.failed_commits = {kA, kB};
    report.refs = {main};
    report.evaluations = {failing(kA, "Add \x1b[31mretry\x1b[0m logic")};
    report.commits_checked = 3;
    report.commits_failed = 2;
    report.findings = 2;
  }

  void pass() {
    report.refs[0].commits_failed = 0;
    report.refs[0].failed_commits.clear();
    report.evaluations.clear();
    report.commits_failed = 0;
    report.findings = 0;
  }
};

TextOptions push_options() {
  TextOptions o;
  o.audience = Audience::push;
  o.policy_source = "refs/meta/trailgate:trailgate.toml";
  o.pusher = "alice (GL_USERNAME)";
  return o;
}

}  // namespace

TEST_CASE("render_text for the hook: a rejection answers which, rule and fix", "[report][render]") {
  Sample s;
  const std::string out = report::render_text(s.report, push_options());
  CHECK_THAT(out,
             Contains("trailgate: push REJECTED by policy refs/meta/trailgate:trailgate.toml"));
  CHECK_THAT(out, Contains("trailgate: pusher: alice (GL_USERNAME)"));
  CHECK_THAT(out, Contains("trailgate: 2 problems; 2 of 3 commits checked fail."));
  CHECK_THAT(out, Contains("  commit aaaaaaaaaaaa \"Add \\x1b[31mretry\\x1b[0m logic\" "
                           "(entering refs/heads/main)"));
  CHECK_THAT(out, Contains("    rule:    ai-review-required\n"));
  CHECK_THAT(out, Contains("    problem: needs 1 verified review\n"));
  CHECK_THAT(out, Contains("    fix:     ask a senior to review it\n"));
  CHECK_THAT(out, Contains("... and 1 more failing commit not listed (run `trailgate check` "
                           "locally to see all)."));
  CHECK_THAT(out, Contains("The whole push was rejected; nothing was updated. Fix the commits "
                           "above and push again.\n"));
  CHECK(out.find('\x1b') == std::string::npos);  // no colour asked, and none forged
  SECTION("a ref-level finding names the ref; the last line asks for both fixes") {
    s.report.refs[0].ref_findings = {
        Finding{"protected-ref-rewrite", "refs/heads/main", "", "", "rewrites history", "merge"}};
    const std::string both = report::render_text(s.report, push_options());
    CHECK_THAT(both, Contains("  ref refs/heads/main\n    rule:    protected-ref-rewrite\n"));
    CHECK_THAT(both, Contains("nothing was updated. Fix the commits above, do what the fix says "
                              "for each ref, and push again.\n"));
  }
  SECTION("a rejected delete alone: no commit to fix, the ref's fix is the next step") {
    s.report.refs[0].ref_findings = {Finding{"protected-ref-delete", "refs/heads/main", "", "",
                                             "deleting protected ref refs/heads/main",
                                             "an admin must set allow_delete"}};
    s.report.evaluations.clear();
    s.report.commits_checked = 0;
    s.report.commits_failed = 0;
    s.report.findings = 1;
    const std::string del = report::render_text(s.report, push_options());
    CHECK_THAT(del, Contains("    fix:     an admin must set allow_delete\n"));
    CHECK_THAT(del, Contains("The whole push was rejected; nothing was updated. No commit needs "
                             "fixing: the fix above says what to do about the ref.\n"));
    CHECK_THAT(del, !Contains("Fix the commits"));
    CHECK_THAT(del, !Contains("push again"));
  }
  SECTION("colour wraps the verdict words only") {
    TextOptions o = push_options();
    o.color = true;
    CHECK_THAT(report::render_text(s.report, o), Contains("\033[1;31mREJECTED\033[0m"));
  }
}

TEST_CASE("render_text for the hook: acceptances", "[report][render]") {
  Sample s;
  s.pass();
  TextOptions o = push_options();
  // trailgate decides for itself only: another hook may still refuse the push.
  CHECK(report::render_text(s.report, o) ==
        "trailgate: push passed trailgate: 3 commits checked against policy "
        "refs/meta/trailgate:trailgate.toml; all pass.\n"
        "trailgate: (trailgate's verdict only: other hooks on the server may still refuse the "
        "push)\n"
        "trailgate: pusher: alice (GL_USERNAME)\n");
  CHECK_THAT(report::render_text(s.report, o), !Contains("accepted"));
  SECTION("nothing protected") {
    s.report.refs[0].rule = nullptr;
    CHECK_THAT(report::render_text(s.report, o),
               Contains("push passed trailgate: no protected ref is updated."));
  }
  SECTION("a log that could not be written, under on_failure = warn") {
    o.log_problem = "cannot write to /x: No space left on device\n";
    CHECK_THAT(report::render_text(s.report, o),
               Contains("WARNING: cannot write to /x: No space left on device\\x0a"));
  }
  SECTION("a break-glass claim that had nothing to waive") {
    o.break_glass = report::BreakGlassView{true, {}, "db down", {}, 0};
    CHECK_THAT(report::render_text(s.report, o), Contains("break-glass was not needed"));
  }
  SECTION("notes are shown, escaped") {
    o.notes = {"push option \"x\r\" ignored"};
    CHECK_THAT(report::render_text(s.report, o),
               Contains("trailgate: note: push option \"x\\x0d\" ignored\n"));
  }
}

TEST_CASE("render_text for the hook: break-glass", "[report][render]") {
  Sample s;
  TextOptions o = push_options();
  SECTION("honoured: the banner, then the waived findings") {
    o.outcome = Outcome::accepted_break_glass;
    o.break_glass = report::BreakGlassView{true, {}, "db down\nINC-7", {"refs/heads/main"}, 2};
    o.log_path = "/srv/git/p.git/trailgate/decisions.jsonl";
    const std::string out = report::render_text(s.report, o);
    CHECK_THAT(
        out, Contains("BREAK-GLASS: push PASSED trailgate WITHOUT THE REVIEW THE POLICY REQUIRES"));
    CHECK_THAT(out, Contains("trailgate:   reason:  \"db down\\x0aINC-7\""));
    CHECK_THAT(out, Contains("trailgate:   waived:  2 commits entering refs/heads/main"));
    CHECK_THAT(out, Contains("trailgate:   logged:  /srv/git/p.git/trailgate/decisions.jsonl"));
    CHECK_THAT(out, Contains("Waived by break-glass:\ntrailgate: 2 problems"));
    CHECK_THAT(out, Contains("rule:    ai-review-required"));
    CHECK(out.find("REJECTED") == std::string::npos);
    // The waived commits are on the ref now: the next step is a late review by note, never
    // the finding's own "amend and push again".
    CHECK_THAT(out, Contains("    fix:     review debt: the commit stays as it is; a senior "
                             "approves it by note: trailgate approve --note aaaaaaaaaaaa, then "
                             "git push origin refs/notes/trailgate (docs/review-notes.md)\n"));
    CHECK_THAT(out, !Contains("ask a senior to review it"));
    CHECK_THAT(out, !Contains("push again"));
  }
  SECTION("refused: the reasons, then the findings") {
    o.break_glass = report::BreakGlassView{false, {"alice may not break glass"}, "", {}, 0};
    const std::string out = report::render_text(s.report, o);
    CHECK_THAT(out, Contains("push REJECTED"));
    CHECK_THAT(out, Contains("trailgate: break-glass REFUSED:\n  - alice may not break glass\n"));
    CHECK_THAT(out, Contains("rule:    ai-review-required"));
  }
  SECTION("an outcome the hook decided overrides a passing report") {
    s.pass();
    o.outcome = Outcome::rejected;
    o.log_problem = "the decision log could not be written; the push is rejected";
    const std::string out = report::render_text(s.report, o);
    CHECK_THAT(out, Contains("push REJECTED"));
    CHECK_THAT(out, Contains("trailgate: the decision log could not be written"));
    CHECK_THAT(out, Contains("The whole push was rejected; nothing was updated.\n"));
  }
}

TEST_CASE("render_text for check: the summary after the commit lines", "[report][render]") {
  Sample s;
  TextOptions o;
  o.audience = Audience::check;
  o.policy_source = "trailgate.toml";
  o.roster_only = true;
  const std::string out = report::render_text(s.report, o);
  CHECK(out.rfind("\nnote: verification = \"roster\", the weaker level", 0) == 0);
  CHECK_THAT(out, Contains("trailgate: check REJECTED by policy trailgate.toml"));
  CHECK_THAT(out, Contains("each is among the commit lines above"));
  CHECK(out.find("nothing was updated") == std::string::npos);  // not a push
  s.pass();
  o.roster_only = false;
  CHECK(report::render_text(s.report, o) ==
        "\ntrailgate: check accepted: 3 commits checked against policy trailgate.toml; all "
        "pass.\n");
}

TEST_CASE("render_check_commit: the verdict, the commit and every review claim",
          "[report][render]") {
  const std::string out = report::render_check_commit(failing(kA, "Subject\r\nforged"), false);
  CHECK(out ==
        "self-reviewed  aaaaaaaaaaaa Subject\\x0d\\x0aforged  AI-assisted via Claude Code; 0/1 "
        "verified review\n"
        "    responsible: Junior One <junior@example.com> (author, junior)\n"
        "    author level: junior; AI-assisted (a human's commit with AI help)\n"
        "    self-review Reviewed-by: Junior One <junior@example.com>: the author cannot "
        "review\n");
  CommitEvaluation human;
  human.id = kB;
  human.subject = "Human change";
  CHECK(report::render_check_commit(human, false) ==
        "not-ai         bbbbbbbbbbbb Human change  not AI-assisted\n");
}

TEST_CASE("render_check_commit: an agent's commit, its responsible humans and author level",
          "[report][render]") {
  CommitEvaluation e = failing(kA, "Fix the flaky test");
  e.detections = {{"copilot.agent-identity", "GitHub Copilot coding agent",
                   "author email \"198982749+Copilot@users.noreply.github.com\""}};
  e.detections[0].marker_class = trailgate::detect::MarkerClass::agent;
  e.agent_authored = true;
  e.responsible = {{trailgate::ResponsibleRole::author, "Copilot",
                    "198982749+Copilot@users.noreply.github.com", "", true, "junior"},
                   {trailgate::ResponsibleRole::co_author, "Senior One", "senior@example.com",
                    "Senior One", false, "senior"},
                   {trailgate::ResponsibleRole::co_author, "S. One", "s1@example.com", "Senior One",
                    false, "senior"},
                   {trailgate::ResponsibleRole::co_author, "Outsider\x1b[2J", "out@example.com", "",
                    false, "junior"}};
  e.reviews.claims = {{"Reviewed-by: Senior One <senior@example.com>", "senior@example.com",
                       "Senior One", ClaimStatus::co_author, "Senior One co-wrote the commit"}};
  e.verdict = Verdict::unverified;
  const std::string out = report::render_check_commit(e, false);
  CHECK(out ==
        "unverified     aaaaaaaaaaaa Fix the flaky test  agent-authored via GitHub Copilot "
        "coding agent; 0/1 verified review\n"
        "    responsible: Copilot <198982749+Copilot@users.noreply.github.com> (author, bot, "
        "junior); Senior One <senior@example.com> (co-author, senior); S. One "
        "<s1@example.com> (co-author, roster: Senior One, senior); Outsider\\x1b[2J "
        "<out@example.com> (co-author, not on the roster, junior)\n"
        "    author level: junior; agent-authored (an AI agent wrote it on its own)\n"
        "    co-author Reviewed-by: Senior One <senior@example.com>: Senior One co-wrote the "
        "commit\n");
  CHECK(report::ai_involvement(e) == "agent-authored");
  e.agent_authored = false;
  CHECK(report::ai_involvement(e) == "AI-assisted");
  e.detections.clear();
  CHECK(report::ai_involvement(e) == "not AI-assisted");

  SECTION("a commit needing no review shows no authorship lines") {
    CommitEvaluation human;
    human.id = kB;
    human.subject = "Human change";
    human.responsible = e.responsible;
    human.author_level = "junior";
    CHECK(report::render_check_commit(human, false) ==
          "not-ai         bbbbbbbbbbbb Human change  not AI-assisted\n");
  }
  SECTION("a commit that was not judged has no author level") {
    CommitEvaluation old = failing(kB, "Old");
    old.responsible.clear();
    old.author_level.clear();
    CHECK(report::render_author_level(old) ==
          "author level: not determined (the commit was not judged); AI-assisted (a human's "
          "commit with AI help)");
  }
}

TEST_CASE("render_detection: the marker, its class, and what it names", "[report][render]") {
  trailgate::detect::Detection d{"kernel.assisted-by", "Assisted-by",
                                 "trailer \"Assisted-by: Claude:claude-opus-4-5 coccinelle\""};
  CHECK(report::render_detection(d) ==
        "kernel.assisted-by (Assisted-by, assisted): trailer \"Assisted-by: Claude:claude-opus-4-5 "
        "coccinelle\"");
  d.agent = "Claude";
  d.model = "claude-opus-4-5";
  d.tools = {"coccinelle"};
  CHECK(report::render_detection(d) ==
        "kernel.assisted-by (Assisted-by, assisted): trailer \"Assisted-by: Claude:claude-opus-4-5 "
        "coccinelle\"; agent Claude, model claude-opus-4-5, tool coccinelle");
  d.agent.clear();
  d.tools = {"coccinelle", "sparse\nforged"};
  d.marker_class = trailgate::detect::MarkerClass::agent;
  CHECK(report::render_detection(d) ==
        "kernel.assisted-by (Assisted-by, agent): trailer \"Assisted-by: Claude:claude-opus-4-5 "
        "coccinelle\"; model claude-opus-4-5, tools coccinelle, sparse\\x0aforged");
}

TEST_CASE("render_json: check's document, each commit the one commit object", "[report][render]") {
  Sample s;
  s.report.refs[0].ref_findings = {
      Finding{"protected-ref-rewrite", "refs/heads/main", "", "", "rewrites history", "merge"}};
  CommitEvaluation passing;
  passing.id = kB;
  passing.ref = "refs/heads/main";
  passing.subject = "bad \xff byte";
  passing.verdict = Verdict::not_ai;
  s.report.evaluations.push_back(passing);
  Policy policy;
  policy.source = "trailgate.toml";
  const std::string text = report::render_json(s.report, policy);
  CHECK(text.back() == '\n');
  const json j = json::parse(text);
  CHECK(j["schema"] == "trailgate.check/2");
  CHECK(j["verdict"] == "rejected");
  CHECK(j["policy"] == "trailgate.toml");
  CHECK(j["catalogue_version"] == std::string(trailgate::detect::catalogue_version()));
  CHECK(j["verification"] == "signature");
  CHECK(j["commits_checked"] == 3);
  CHECK(j["commits_failed"] == 2);
  REQUIRE(j["refs"].size() == 1);
  CHECK(j["refs"][0] == json({{"ref", "refs/heads/main"},
                              {"old", kOld},
                              {"new", kNew},
                              {"protected", true},
                              {"commits_checked", 3},
                              {"commits_failed", 2},
                              {"findings",
                               {{{"rule", "protected-ref-rewrite"},
                                 {"ref", "refs/heads/main"},
                                 {"problem", "rewrites history"},
                                 {"fix", "merge"}}}}}));
  REQUIRE(j["commits"].size() == 2);
  // Exactly what commit_json renders for each.
  std::string first;
  report::append_commit_json(first, s.report.evaluations[0]);
  CHECK(j["commits"][0] == json::parse(first));
  CHECK(j["commits"][0]["schema"] == "trailgate.commit/3");
  CHECK(j["commits"][0]["author_level"] == "junior");
  CHECK(j["commits"][0]["responsible"][0]["role"] == "author");
  CHECK(j["commits"][0]["reviews"][0]["reviewer"]["email"] == "junior@example.com");
  CHECK(j["commits"][1]["subject"] == "bad \xef\xbf\xbd byte");
  CHECK(j["commits"][1]["violation"] == false);

  SECTION("no commits, roster verification") {
    s.pass();
    policy.review.verification = trailgate::Verification::roster;
    const json empty = json::parse(report::render_json(s.report, policy));
    CHECK(empty["verdict"] == "passed");
    CHECK(empty["verification"] == "roster");
    CHECK(empty["commits"] == json::array());
  }
}

TEST_CASE("prefix_lines and sanitize", "[report][render]") {
  CHECK(report::prefix_lines("a\nb\n", "GL-HOOK-ERR: ") == "GL-HOOK-ERR: a\nGL-HOOK-ERR: b\n");
  CHECK(report::prefix_lines("a\nno end", "> ") == "> a\n> no end");
  CHECK(report::prefix_lines("", "> ").empty());
  CHECK(report::sanitize("ok \x01\x1f\x7f caf\xc3\xa9") == "ok \\x01\\x1f\\x7f caf\xc3\xa9");
}
