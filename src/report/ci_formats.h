// `trailgate check` in the formats that forges read: SARIF 2.1.0 (code scanning), GitHub
// workflow commands and a step-summary table, JUnit XML, and GitLab Code Quality JSON
// (docs/ci.md).
//
// Every writer reads a judged commit through its one object, trailgate.commit/3
// (report/commit_json.h): the findings, verdict and identity a writer shows are the fields of
// that object, never a second description of the commit. Writers only format; the verdict and
// the exit code are the Report's.
//
// Commit data is attacker-controlled: subjects with quotes, newlines, control bytes and bytes that
// are not UTF-8 still give valid output in every format (invalid UTF-8 becomes U+FFFD; XML drops
// nothing but replaces characters XML 1.0 cannot hold; GitHub's escaping keeps a message on one
// line).
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include "model/report.h"
#include "report/render.h"

namespace trailgate::report {

// What the CI writers need besides the Report.
struct CiContext {
  std::string tool_version;  // trailgate's version, for the SARIF driver
  PolicyOrigin policy;       // where the policy came from
  // The repository path that locates a finding no changed file can carry (a ref's finding, a
  // commit that changes no file): the policy file's path in the repository.
  std::string policy_location = ".trailgate.toml";
  // One changed file of each failing commit (a repository path, '/'-separated), by full commit
  // id. A commit that is not here is located at policy_location.
  std::unordered_map<std::string, std::string> changed_file{};
};

// The stable id, short description and help of every rule id of model/finding.h, as SARIF's
// reportingDescriptor needs them. An id trailgate does not know gets a generic entry.
struct RuleHelp {
  std::string_view id;
  std::string_view name;         // PascalCase, SARIF's `name`
  std::string_view description;  // one sentence: what the rule asks for
  std::string_view help;         // how to satisfy it
};
const RuleHelp& rule_help(std::string_view rule);

// SARIF 2.1.0, one run: every rule trailgate has in tool.driver.rules; one result per failing
// commit and rule (and per ref-level finding), at level "error", with ruleId and ruleIndex, the
// commit, the problem and the fix in message.text (one line: control characters escaped as
// \xNN, as sanitize does), a location that is a repository path
// (CiContext), partialFingerprints {"trailgate/v1": "<commit id>:<rule>"} (a ref's finding:
// "<ref>:<rule>:<new id>"), and the commit's id, ref and verdict in properties. The run's
// properties name the policy (PolicyOrigin). Always valid against the SARIF 2.1.0 schema.
std::string render_sarif(const Report& report, const CiContext& context);

// GitHub Actions workflow commands: one `::error title=...,file=...,line=1::message` line per
// failing commit and rule (and ref-level finding), the message SARIF's message.text, then a
// `::notice` naming the policy (and, when the range changes it, a `::warning` saying so), then a
// `::notice` or `::error` with the verdict. Messages are escaped with github_escape_data,
// properties with github_escape_property, so each command is one line that GitHub parses back to
// the text.
std::string render_github(const Report& report, const CiContext& context);

// A Markdown summary for $GITHUB_STEP_SUMMARY: the verdict, the policy, and a table of every
// failing commit and rule (commit, subject, rule, problem, fix). Untrusted text is escaped for
// Markdown and HTML, and kept to one table row.
std::string render_github_summary(const Report& report, const CiContext& context);

// JUnit XML: one <testsuite name="trailgate"> with one <testcase> per commit judged (classname:
// the ref; name: the short id and subject), a <failure type="RULE"> per failing rule carrying
// the rule, the problem and the fix, and one <testcase> per ref with ref-level findings. The
// counts (tests, failures) are those of the testcases. Valid UTF-8 XML 1.0 for any input.
std::string render_junit(const Report& report, const CiContext& context);

// GitLab Code Quality (the `codequality` report artifact): a JSON array with one issue per failing
// commit and rule (and ref-level finding): type "issue", check_name (the rule id), description
// (commit, problem, fix), fingerprint (as SARIF's), severity "critical" (a ref's finding:
// "blocker"), categories ["Security"], location.path and location.lines.begin (1).
std::string render_gitlab(const Report& report, const CiContext& context);

// GitHub's escaping of a workflow command's message: '%' -> %25, CR -> %0D, LF -> %0A. The
// text is first made valid UTF-8 (invalid bytes become U+FFFD).
std::string github_escape_data(std::string_view text);

// GitHub's escaping of a workflow command's property value: github_escape_data, then
// ':' -> %3A and ',' -> %2C.
std::string github_escape_property(std::string_view text);

// `text` as XML 1.0 character data or attribute value: valid UTF-8 (invalid bytes become
// U+FFFD), '&', '<', '>', '"' and '\'' as entities, TAB, LF and CR as character references (so
// attributes keep them), and every other character XML 1.0 cannot hold (the other C0 controls,
// U+FFFE, U+FFFF) as U+FFFD.
std::string xml_escape(std::string_view text);

}  // namespace trailgate::report
