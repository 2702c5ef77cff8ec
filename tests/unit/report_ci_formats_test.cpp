// Tests of the CI formats (report/ci_formats.h) on plain data, hostile subjects included: SARIF
// validates against the SARIF 2.1.0 schema, JUnit is well-formed XML whose counts are the
// verdicts', GitLab Code Quality has the fields GitLab requires, and GitHub's workflow commands
// parse back to the messages the other formats carry.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "model/report.h"
#include "report/ci_formats.h"
#include "support/ci_validate.h"
#include "util/utf8.h"

namespace report = trailgate::report;
using json = nlohmann::json;
using trailgate::CommitEvaluation;
using trailgate::Finding;
using trailgate::RefResult;
using trailgate::Report;
using trailgate::Verdict;
using trailgate::testing::github_unescape;
using trailgate::testing::parse_workflow_command;
using trailgate::testing::sarif_schema_errors;
using trailgate::testing::text_lines;
using trailgate::testing::xml_errors;

namespace {

// Quotes, markup, newlines, CR, control bytes, an escape sequence, bytes that are not UTF-8, a
// non-character XML cannot hold, GitHub's escape characters and a forged workflow command.
const std::string kHostile =
    "Quote \" 'apos' <b>&amp; | *x*\nline two\r\n::error::forged\x01\x1b[31m \xff\xfe "
    "\xef\xbf\xbe %25 a:b,c";

CommitEvaluation evaluation(char fill, const std::string& subject, Verdict verdict,
                            std::vector<std::pair<std::string, std::string>> rules) {
  CommitEvaluation e;
  e.id = std::string(40, fill);
  e.ref = "refs/heads/main";
  e.subject = subject;
  e.author = {"Junior One", "junior@example.com", 1'770'000'000, 0};
  e.committer = e.author;
  e.verdict = verdict;
  for (const auto& [rule, problem] : rules)
    e.findings.push_back(Finding{rule, e.ref, e.id, subject, problem, "Fix it: " + problem});
  return e;
}

// Three commits judged (one passes, two fail: one under two rules, the hostile one), and a
// ref-level finding.
Report sample() {
  Report r;
  r.evaluations.push_back(evaluation('a', "Plain change", Verdict::not_ai, {}));
  r.evaluations.push_back(evaluation('b', kHostile, Verdict::unreviewed,
                                     {{"ai-review-required", "needs 1 review " + kHostile},
                                      {"ai-review-required", "second problem"},
                                      {"declaration-required", "no AI-Assisted trailer"}}));
  r.evaluations.push_back(
      evaluation('c', "Add retry", Verdict::below_level, {{"ai-review-required", "needs senior"}}));
  RefResult ref;
  ref.update = {std::string(40, '1'), std::string(40, '2'), "refs/heads/main"};
  ref.judged_as = "refs/heads/main";
  ref.ref_findings.push_back(
      Finding{"protected-ref-rewrite", "refs/heads/main", "", "", "rewrites history", "rebase"});
  ref.commits_checked = 3;
  ref.commits_failed = 2;
  r.refs.push_back(ref);
  r.commits_checked = 3;
  r.commits_failed = 2;
  r.findings = 5;
  return r;
}

report::CiContext context() {
  report::CiContext c;
  c.tool_version = "1.2.3";
  c.policy.source = std::string(40, 'e') + ":.trailgate.toml";
  c.policy.revision = "origin/main";
  c.policy.commit = std::string(40, 'e');
  c.policy.path = ".trailgate.toml";
  c.policy.blob = std::string(40, 'f');
  c.policy.changed = true;
  c.policy_location = ".trailgate.toml";
  c.changed_file[std::string(40, 'b')] = "src/a file,with:odd\xff.txt";
  return c;
}

bool has_control_bytes(const std::string& text, bool allow_newline) {
  for (unsigned char c : text)
    if ((c < 0x20 && !(allow_newline && c == '\n')) || c == 0x7f)
      return true;
  return false;
}

}  // namespace

TEST_CASE("ci formats: SARIF validates and names commit, rule, fix and location", "[report]") {
  const std::string sarif = report::render_sarif(sample(), context());
  INFO(sarif);
  CHECK(sarif_schema_errors(sarif).empty());
  CHECK(trailgate::util::is_valid_utf8(sarif));
  const json doc = json::parse(sarif);
  const json& run = doc["runs"][0];
  const json& rules = run["tool"]["driver"]["rules"];
  const json& results = run["results"];
  // b under two rules, c under one, and the ref's finding.
  REQUIRE(results.size() == 4);
  std::set<std::string> fingerprints;
  for (const json& result : results) {
    const std::string rule = result["ruleId"];
    const json& descriptor = rules[result["ruleIndex"].get<std::size_t>()];
    CHECK(descriptor["id"] == rule);
    CHECK_FALSE(descriptor["shortDescription"]["text"].get<std::string>().empty());
    CHECK_FALSE(descriptor["help"]["text"].get<std::string>().empty());
    const std::string text = result["message"]["text"];
    CHECK_FALSE(has_control_bytes(text, false));
    CHECK_THAT(text, Catch::Contains("Fix: "));
    fingerprints.insert(result["partialFingerprints"]["trailgate/v1"].get<std::string>());
  }
  CHECK(fingerprints.size() == 4);
  CHECK(results[0]["ruleId"] == "ai-review-required");
  CHECK(results[0]["partialFingerprints"]["trailgate/v1"] ==
        std::string(40, 'b') + ":ai-review-required");
  CHECK_THAT(results[0]["message"]["text"].get<std::string>(),
             Catch::Contains(std::string(40, 'b')) && Catch::Contains("second problem") &&
                 Catch::Contains("Fix it: needs 1 review"));
  CHECK(results[0]["properties"]["commit"] == std::string(40, 'b'));
  // A changed file of the commit, percent-encoded; else the policy file.
  CHECK(results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] ==
        "src/a%20file%2Cwith%3Aodd%FF.txt");
  CHECK(results[2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] ==
        ".trailgate.toml");
  CHECK(results[3]["ruleId"] == "protected-ref-rewrite");
  CHECK(run["properties"]["policy"]["commit"] == std::string(40, 'e'));
  CHECK(run["properties"]["policy"]["changed"] == true);
  CHECK(run["properties"]["verdict"] == "rejected");
}

TEST_CASE("ci formats: a passing report is valid SARIF with no results", "[report]") {
  Report passing;
  passing.evaluations.push_back(evaluation('a', kHostile, Verdict::ok, {}));
  passing.commits_checked = 1;
  report::CiContext c;
  c.policy.source = "/etc/trailgate/policy.toml";
  const std::string sarif = report::render_sarif(passing, c);
  CHECK(sarif_schema_errors(sarif).empty());
  CHECK(json::parse(sarif)["runs"][0]["results"].empty());
}

TEST_CASE("ci formats: GitHub workflow commands parse back to SARIF's messages", "[report]") {
  const Report r = sample();
  const std::string github = report::render_github(r, context());
  const json results = json::parse(report::render_sarif(r, context()))["runs"][0]["results"];
  INFO(github);
  const std::vector<std::string> lines = text_lines(github);
  // One line per issue, the policy notice, the policy-changed warning, the verdict.
  REQUIRE(lines.size() == results.size() + 3);
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto command = parse_workflow_command(lines[i]);
    CHECK(command.command == "error");
    CHECK(command.message == results[i]["message"]["text"].get<std::string>());
    CHECK_THAT(command.property("title"), Catch::Contains(results[i]["ruleId"].get<std::string>()));
  }
  CHECK(parse_workflow_command(lines[0]).property("file") == "src/a file,with:odd\xEF\xBF\xBD.txt");
  CHECK_THAT(parse_workflow_command(lines[0]).property("title"),
             Catch::Contains("commit bbbbbbbbbbbb"));
  CHECK(parse_workflow_command(lines[results.size() + 1]).command == "warning");
  CHECK(parse_workflow_command(lines.back()).command == "error");
  CHECK_THAT(parse_workflow_command(lines.back()).message, Catch::Contains("2 of 3 commits"));
}

TEST_CASE("ci formats: GitHub's escaping", "[report]") {
  CHECK(report::github_escape_data("100% a\r\nb:c,d") == "100%25 a%0D%0Ab:c,d");
  CHECK(report::github_escape_property("100% a\r\nb:c,d") == "100%25 a%0D%0Ab%3Ac%2Cd");
  CHECK(report::github_escape_data("\xff") == "\xEF\xBF\xBD");
  CHECK(github_unescape(report::github_escape_property(kHostile)) ==
        trailgate::util::utf8_replace_invalid_bytes(kHostile));
}

TEST_CASE("ci formats: the step summary is one table row per issue", "[report]") {
  const std::string summary = report::render_github_summary(sample(), context());
  INFO(summary);
  std::size_t rows = 0;
  for (const auto& line : text_lines(summary))
    if (line.rfind("| ", 0) == 0)
      ++rows;
  CHECK(rows == 1 + 4);  // the header and the issues
  CHECK_THAT(summary, Catch::Contains("&lt;b&gt;&amp;amp; \\| \\*x\\*"));
  CHECK_THAT(summary, !Catch::Contains("<b>"));
  CHECK_THAT(summary, Catch::Contains("Warning:"));
}

TEST_CASE("ci formats: JUnit is well-formed and counts the verdicts", "[report]") {
  const std::string xml = report::render_junit(sample(), context());
  INFO(xml);
  CHECK(xml_errors(xml).empty());
  CHECK(trailgate::util::is_valid_utf8(xml));
  CHECK_FALSE(has_control_bytes(xml, true));
  // Three commits and the ref's findings; the two failing commits and the ref fail.
  CHECK_THAT(xml, Catch::Contains("<testsuites name=\"trailgate\" tests=\"4\" failures=\"3\""));
  auto count = [&](const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t at = xml.find(needle); at != std::string::npos; at = xml.find(needle, at + 1))
      ++n;
    return n;
  };
  CHECK(count("<testcase ") == 4);
  CHECK(count("<failure ") == 3);
  CHECK_THAT(xml, Catch::Contains("type=\"ai-review-required,declaration-required\""));
  CHECK_THAT(xml, Catch::Contains("rule: declaration-required&#10;problem: no AI-Assisted"));
  CHECK_THAT(xml, Catch::Contains("fix: Fix it: needs senior"));

  Report passing;
  passing.evaluations.push_back(evaluation('a', "ok", Verdict::ok, {}));
  passing.commits_checked = 1;
  const std::string clean = report::render_junit(passing, context());
  CHECK(xml_errors(clean).empty());
  CHECK_THAT(clean, Catch::Contains("tests=\"1\" failures=\"0\""));
}

TEST_CASE("ci formats: XML escaping keeps only XML 1.0 characters", "[report]") {
  CHECK(report::xml_escape("a<b>&\"'") == "a&lt;b&gt;&amp;&quot;&apos;");
  CHECK(report::xml_escape("\t\n\r") == "&#9;&#10;&#13;");
  CHECK(report::xml_escape(std::string("\x00\x01\x1f", 3)) ==
        "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(report::xml_escape("\xef\xbf\xbe\xef\xbf\xbf") == "\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(report::xml_escape("\xff") == "\xEF\xBF\xBD");
  CHECK(report::xml_escape("\xc3\xa9\xf0\x9f\x98\x80") == "\xc3\xa9\xf0\x9f\x98\x80");
}

TEST_CASE("ci formats: GitLab Code Quality has the fields GitLab requires", "[report]") {
  const std::string text = report::render_gitlab(sample(), context());
  INFO(text);
  CHECK(trailgate::util::is_valid_utf8(text));
  const json issues = json::parse(text);
  REQUIRE(issues.is_array());
  REQUIRE(issues.size() == 4);
  std::set<std::string> fingerprints;
  for (const json& issue : issues) {
    CHECK(issue["description"].is_string());
    CHECK(issue["check_name"].is_string());
    CHECK(issue["fingerprint"].is_string());
    fingerprints.insert(issue["fingerprint"].get<std::string>());
    CHECK(std::set<std::string>{"info", "minor", "major", "critical", "blocker"}.count(
              issue["severity"].get<std::string>()) == 1);
    CHECK(issue["location"]["path"].is_string());
    CHECK(issue["location"]["lines"]["begin"].is_number_integer());
  }
  CHECK(fingerprints.size() == 4);
  CHECK(issues[0]["check_name"] == "ai-review-required");
  CHECK(issues[3]["severity"] == "blocker");

  CHECK(json::parse(report::render_gitlab(Report{}, context())) == json::array());
}
