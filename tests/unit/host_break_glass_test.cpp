// Tests of the break-glass decision on hand-built reports: when a claim is honoured, every way
// it is refused and the message for each, and the verdict on the whole push.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "host/break_glass.h"
#include "model/finding.h"
#include "pipeline/pipeline.h"
#include "policy/policy.h"

namespace {

using trailgate::Finding;
using trailgate::ProtectRule;
using trailgate::RefResult;
using trailgate::RefUpdate;
using trailgate::Report;
using trailgate::host::BreakGlassClaim;
using trailgate::host::BreakGlassDecision;
using trailgate::host::BreakGlassState;
using trailgate::host::decide_break_glass;
using trailgate::host::kMaxReasonBytes;
using trailgate::host::push_verdict;
using trailgate::host::Pusher;
using trailgate::host::PushVerdict;
namespace rules = trailgate::rules;

using Strings = std::vector<std::string>;

const std::string kOld(40, '1');
const std::string kNew(40, '2');
const std::string kA(40, 'a');
const std::string kB(40, 'b');
const std::string kC(40, 'c');

struct Rules {
  ProtectRule main;     // alice and ops may break glass
  ProtectRule release;  // only ops
  ProtectRule tags;     // nobody
  Rules() {
    main.refs = {"refs/heads/main"};
    main.break_glass = {"alice", "ops"};
    main.source_line = 10;
    release.refs = {"refs/heads/release/*"};
    release.break_glass = {"ops"};
    release.source_line = 20;
    tags.refs = {"refs/tags/*"};
    tags.source_line = 30;
  }
};

RefResult ref(const std::string& name, const ProtectRule* rule, Strings failed,
              std::size_t checked = 5) {
  RefResult r;
  r.update = RefUpdate{kOld, kNew, name};
  r.rule = rule;
  r.commits_checked = rule ? checked : 0;
  r.commits_failed = failed.size();
  r.failed_commits = std::move(failed);
  return r;
}

// A report whose counts agree with its refs: one finding per failing commit.
Report report_of(std::vector<RefResult> refs) {
  Report report;
  for (RefResult& r : refs) {
    report.commits_checked += r.commits_checked;
    report.commits_failed += r.commits_failed;
    report.findings += r.commits_failed + r.ref_findings.size();
    report.refs.push_back(std::move(r));
  }
  return report;
}

Pusher pusher(const std::string& name, const std::string& variable = "REMOTE_USER") {
  Pusher p;
  p.name = name;
  p.variable = name.empty() ? "" : variable;
  p.consulted = {"GL_USERNAME", "REMOTE_USER"};
  return p;
}

std::vector<BreakGlassClaim> claim(const std::string& reason) {
  return {{"trailgate.break-glass=" + reason, reason}};
}

std::string all_refusals(const BreakGlassDecision& d) {
  std::string out;
  for (const std::string& r : d.refusals)
    out += r + "\n";
  return out;
}

}  // namespace

TEST_CASE("host::decide_break_glass: honoured", "[host]") {
  Rules r;
  SECTION("a listed pusher with a reason waives every failing commit of the push") {
    Report report = report_of({ref("refs/heads/main", &r.main, {kA, kB})});
    BreakGlassDecision d = decide_break_glass(claim("db down, INC-7"), pusher("alice"), report);
    CHECK(d.state == BreakGlassState::honoured);
    CHECK(d.refusals.empty());
    CHECK(d.pusher == "alice");
    CHECK(d.reason == "db down, INC-7");
    CHECK(d.refs == Strings{"refs/heads/main"});
    CHECK(d.commits == Strings{kA, kB});
    CHECK(push_verdict(report, d) == PushVerdict::accepted_break_glass);
  }

  SECTION("the list compares usernames ignoring case") {
    Report report = report_of({ref("refs/heads/main", &r.main, {kA})});
    CHECK(decide_break_glass(claim("x"), pusher("ALICE"), report).honoured());
  }

  SECTION("several refs: each waived ref is listed, and a commit entering two counts once") {
    Report report = report_of({ref("refs/heads/main", &r.main, {kA, kB}),
                               ref("refs/heads/release/1", &r.release, {kB, kC}),
                               ref("refs/heads/feature", nullptr, {})});
    BreakGlassDecision d = decide_break_glass(claim("x"), pusher("ops"), report);
    REQUIRE(d.honoured());
    CHECK(d.refs == Strings{"refs/heads/main", "refs/heads/release/1"});
    CHECK(d.commits == Strings{kA, kB, kC});
  }

  SECTION("every waived id is kept, however many") {
    Strings many;
    for (int i = 0; i < 5000; ++i) {
      std::string id = std::to_string(i);
      many.push_back(std::string(40 - id.size(), '0') + id);
    }
    Report report = report_of({ref("refs/heads/main", &r.main, many)});
    CHECK(decide_break_glass(claim("x"), pusher("alice"), report).commits.size() == 5000);
  }

  SECTION("a claim on a push that passes anyway waives nothing and accepts it") {
    Report report = report_of({ref("refs/heads/main", &r.main, {})});
    BreakGlassDecision d = decide_break_glass(claim("x"), pusher("alice"), report);
    CHECK(d.honoured());
    CHECK(d.refs.empty());
    CHECK(d.commits.empty());
    CHECK(push_verdict(report, d) == PushVerdict::accepted);
  }
}

TEST_CASE("host::decide_break_glass: refused", "[host]") {
  Rules r;
  Report failing = report_of({ref("refs/heads/main", &r.main, {kA})});

  SECTION("no claim: nothing to decide, the report decides") {
    BreakGlassDecision d = decide_break_glass({}, pusher("alice"), failing);
    CHECK(d.state == BreakGlassState::none);
    CHECK_FALSE(d.claimed());
    CHECK(push_verdict(failing, d) == PushVerdict::rejected);
    Report passing = report_of({ref("refs/heads/main", &r.main, {})});
    CHECK(push_verdict(passing, d) == PushVerdict::accepted);
  }

  SECTION("an empty reason") {
    BreakGlassDecision d = decide_break_glass(claim(""), pusher("alice"), failing);
    CHECK(d.state == BreakGlassState::refused);
    CHECK(d.refs.empty());
    CHECK(d.commits.empty());
    CHECK_THAT(all_refusals(d), Catch::Contains("no reason was given"));
    CHECK_THAT(all_refusals(d), Catch::Contains("git push -o trailgate.break-glass=\"<reason>\""));
    CHECK(push_verdict(failing, d) == PushVerdict::rejected);
  }

  SECTION("a reason longer than the limit") {
    std::string reason(kMaxReasonBytes + 1, 'x');
    BreakGlassDecision d = decide_break_glass(claim(reason), pusher("alice"), failing);
    CHECK(d.state == BreakGlassState::refused);
    CHECK_THAT(all_refusals(d), Catch::Contains("1001 bytes long"));
    CHECK(decide_break_glass(claim(std::string(kMaxReasonBytes, 'x')), pusher("alice"), failing)
              .honoured());
  }

  SECTION("the option given twice, even with the same reason") {
    std::vector<BreakGlassClaim> twice = claim("x");
    twice.push_back(twice[0]);
    BreakGlassDecision d = decide_break_glass(twice, pusher("alice"), failing);
    CHECK(d.state == BreakGlassState::refused);
    CHECK_THAT(all_refusals(d), Catch::Contains("was given 2 times; give it once"));
  }

  SECTION("a pusher the host did not identify") {
    BreakGlassDecision d = decide_break_glass(claim("x"), pusher(""), failing);
    CHECK(d.state == BreakGlassState::refused);
    CHECK_THAT(all_refusals(d),
               Catch::Contains("the host did not identify the pusher (none of GL_USERNAME, "
                               "REMOTE_USER is set)"));
  }

  SECTION("a pusher not on the list") {
    BreakGlassDecision d = decide_break_glass(claim("x"), pusher("bob"), failing);
    CHECK(d.state == BreakGlassState::refused);
    CHECK(all_refusals(d) ==
          "bob (REMOTE_USER) is not on the break_glass list for refs/heads/main (the "
          "[[protect]] rule at line 10 of the policy)\n");
  }

  SECTION("a rule that lists nobody says so") {
    Report tag = report_of({ref("refs/tags/v1", &r.tags, {kA})});
    BreakGlassDecision d = decide_break_glass(claim("x"), pusher("alice"), tag);
    CHECK_THAT(all_refusals(d), Catch::Contains("line 30 of the policy, which lists nobody"));
  }

  SECTION("listed for one protected ref of the push but not another, even one that passes") {
    Report report = report_of(
        {ref("refs/heads/main", &r.main, {kA}), ref("refs/heads/release/2", &r.release, {})});
    BreakGlassDecision d = decide_break_glass(claim("x"), pusher("alice"), report);
    CHECK(d.state == BreakGlassState::refused);
    CHECK_THAT(all_refusals(d), Catch::Contains("for refs/heads/release/2"));
    CHECK_THAT(all_refusals(d), !Catch::Contains("for refs/heads/main"));
  }

  SECTION("a push that would pass anyway is rejected by an invalid claim") {
    Report passing = report_of({ref("refs/heads/main", &r.main, {})});
    BreakGlassDecision d = decide_break_glass(claim("x"), pusher("bob"), passing);
    CHECK(d.state == BreakGlassState::refused);
    CHECK(push_verdict(passing, d) == PushVerdict::rejected);
    CHECK(push_verdict(passing, decide_break_glass(claim(""), pusher("alice"), passing)) ==
          PushVerdict::rejected);
  }

  SECTION("a push to no protected ref has nothing to break glass for") {
    Report feature = report_of({ref("refs/heads/feature", nullptr, {})});
    BreakGlassDecision d = decide_break_glass(claim("x"), pusher("alice"), feature);
    CHECK(d.state == BreakGlassState::refused);
    CHECK_THAT(all_refusals(d), Catch::Contains("updates no protected ref"));
  }

  SECTION("deleting or rewriting a protected ref is never waived") {
    for (const char* rule : {rules::kDeleteRef, rules::kRewriteRef}) {
      RefResult main = ref("refs/heads/main", &r.main, {kA});
      main.ref_findings.push_back(Finding{rule, "refs/heads/main", "", "", "p", "f"});
      Report report = report_of({main});
      BreakGlassDecision d = decide_break_glass(claim("x"), pusher("alice"), report);
      CHECK(d.state == BreakGlassState::refused);
      CHECK_THAT(all_refusals(d),
                 Catch::Contains(std::string("never ") + rule + " on refs/heads/main"));
      CHECK_THAT(all_refusals(d), Catch::Contains("allow_delete and allow_force_push"));
      CHECK(push_verdict(report, d) == PushVerdict::rejected);
    }
  }

  SECTION("every reason that applies is given at once") {
    std::vector<BreakGlassClaim> twice = claim("");
    twice.push_back(twice[0]);
    RefResult main = ref("refs/heads/main", &r.main, {kA});
    main.ref_findings.push_back(Finding{rules::kRewriteRef, "refs/heads/main", "", "", "p", "f"});
    BreakGlassDecision d = decide_break_glass(twice, pusher("bob"), report_of({main}));
    CHECK(d.refusals.size() == 3);
  }
}

TEST_CASE("host::to_string(PushVerdict)", "[host]") {
  CHECK(to_string(PushVerdict::accepted) == "accepted");
  CHECK(to_string(PushVerdict::rejected) == "rejected");
  CHECK(to_string(PushVerdict::accepted_break_glass) == "accepted-break-glass");
}
