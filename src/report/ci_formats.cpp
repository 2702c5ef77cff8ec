#include "report/ci_formats.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <vector>

#include "model/finding.h"
#include "report/commit_json.h"
#include "util/utf8.h"

namespace trailgate::report {

namespace {

using json = nlohmann::ordered_json;

constexpr std::array<RuleHelp, 11> kRules{{
    {rules::kAiReview, "AiReviewRequired",
     "An AI-assisted commit entering a protected ref needs the verified reviews its rule asks for: "
     "enough distinct people on the roster, at the required level or above, none of them "
     "responsible for the commit.",
     "Ask a reviewer at the required level to run `trailgate approve` on the commit (or the "
     "range), "
     "which adds Reviewed-by and Review-Signature trailers, then push the rewritten commits. "
     "`trailgate explain COMMIT` shows why each review present does not count."},
    {rules::kReviewAll, "ReviewRequired",
     "The protected ref's rule asks for review of every commit, AI-assisted or not.",
     "Ask a reviewer at the required level to run `trailgate approve` on the commit, then push "
     "again."},
    {rules::kDeclaration, "DeclarationRequired",
     "The protected ref's rule asks every commit to declare whether AI took part, with an "
     "`AI-Assisted: yes` or `AI-Assisted: no` trailer.",
     "Amend the commit message to end with `AI-Assisted: yes` or `AI-Assisted: no` in its trailer "
     "block (`git commit --amend --trailer 'AI-Assisted: no'`)."},
    {rules::kBlastRadius, "BlastRadiusReview",
     "The commit touches high-blast-radius paths or deletes much of the tree, so it needs more "
     "or more senior reviews than its rule's default.",
     "Ask reviewers at the raised level to run `trailgate approve`; the problem names the path or "
     "change that raised the requirement."},
    {rules::kMalformedCommit, "MalformedCommit",
     "The commit object is malformed (a NUL byte, an identity git and libgit2 read differently, "
     "what git fsck rejects, or a tree nested too deep); it is refused on protected refs.",
     "Recreate the commit with a standard git client (`git commit --amend`, or `git rebase`) so "
     "that `git fsck` accepts it."},
    {rules::kTooManyReviews, "TooManyReviews",
     "The commit carries more review trailers than trailgate reads.",
     "Remove duplicate or stale review trailers and approve again."},
    {rules::kDeleteRef, "ProtectedRefDelete", "A protected ref may not be deleted.",
     "Do not delete the ref; if it must go, change the policy to allow deletion (allow_delete) "
     "through review."},
    {rules::kRewriteRef, "ProtectedRefRewrite",
     "A protected ref may only move forward: its history may not be rewritten (no force push).",
     "Rebase your commits onto the ref's current tip and push a fast-forward."},
    {rules::kNonCommitRef, "ProtectedRefNotCommit",
     "A protected ref must point at a commit, not at a tree or a blob.",
     "Push a commit (or an annotated tag of a commit) to the ref."},
    {rules::kReplaceRef, "ReplaceRef",
     "refs/replace/ refs change what git shows for other objects and are refused.",
     "Do not push refs/replace/ refs."},
    {rules::kReviewNote, "ReviewNote",
     "A push to the review notes ref must only add approvals that verify, for commits already "
     "on a protected ref.",
     "Add the approvals with `trailgate approve --note` and push refs/notes/trailgate alone."},
}};

const RuleHelp kUnknownRule{"", "TrailgateRule", "A requirement of trailgate's policy.",
                            "Run `trailgate explain COMMIT` for what the commit lacks."};

// One thing to report: a failing commit under one rule, or a ref-level finding.
struct Issue {
  std::string rule;
  std::string commit;   // full id; "" for a ref-level finding
  std::string subject;  // valid UTF-8 (from the commit object)
  std::string ref;
  std::string verdict;  // the commit's; "" for a ref-level finding
  std::string problem;  // every problem of this commit under this rule, joined
  std::string fix;
  std::string path;  // the location: a repository path
  std::string fingerprint;
};

// The commit objects of the report: the one shape of a judged commit (commit_json.h), parsed.
std::vector<json> commit_objects(const Report& report) {
  std::vector<json> objects;
  objects.reserve(report.evaluations.size());
  std::string text;
  for (const auto& evaluation : report.evaluations) {
    text.clear();
    append_commit_json(text, evaluation);
    objects.push_back(json::parse(text));
  }
  return objects;
}

std::string str(const json& value) {
  return value.is_string() ? value.get<std::string>() : std::string();
}

std::string short_id(const std::string& id) {
  return id.substr(0, 12);
}

// The failing commits' findings, one issue per commit and rule (in the order the rules first
// appear), then the refs' findings.
std::vector<Issue> collect_issues(const Report& report, const std::vector<json>& objects,
                                  const CiContext& context) {
  std::vector<Issue> issues;
  for (const json& object : objects) {
    if (!object.value("violation", false))
      continue;
    const std::string id = str(object["id"]);
    const auto changed = context.changed_file.find(id);
    const std::string path =
        changed != context.changed_file.end() ? changed->second : context.policy_location;
    const std::size_t first = issues.size();
    for (const json& finding : object["findings"]) {
      const std::string rule = str(finding["rule"]);
      Issue* same = nullptr;
      for (std::size_t i = first; i < issues.size(); ++i)
        if (issues[i].rule == rule)
          same = &issues[i];
      if (same) {
        // append(" ").append(...), not " " + std::string: GCC 12 at -O3 warns falsely
        // (-Wrestrict) about that operator+.
        same->problem.append(" ").append(str(finding["problem"]));
        if (same->fix != str(finding["fix"]))
          same->fix.append(" ").append(str(finding["fix"]));
        continue;
      }
      issues.push_back(Issue{rule, id, str(object["subject"]), str(object["ref"]),
                             str(object["verdict"]), str(finding["problem"]), str(finding["fix"]),
                             path, id + ":" + rule});
    }
  }
  for (const auto& ref : report.refs)
    for (const auto& finding : ref.ref_findings)
      issues.push_back(
          Issue{finding.rule, "", "", valid_utf8(finding.ref), "", valid_utf8(finding.problem),
                valid_utf8(finding.fix), context.policy_location,
                valid_utf8(finding.ref) + ":" + finding.rule + ":" + ref.update.new_id});
  return issues;
}

// The sentence every format shows for an issue: which commit (or ref), what, and the fix. One
// line of valid UTF-8 whatever the commit holds: control characters are escaped as \xNN
// (sanitize), so a subject cannot start a line of its own or color a log.
std::string issue_message(const Issue& issue) {
  if (issue.commit.empty())
    return sanitize(
        fmt::format("{} [{}]: {} Fix: {}", issue.ref, issue.rule, issue.problem, issue.fix));
  return sanitize(fmt::format("Commit {} \"{}\" entering {} [{}]: {} Fix: {}", issue.commit,
                              issue.subject, issue.ref, issue.rule, issue.problem, issue.fix));
}

std::string policy_sentence(const PolicyOrigin& origin) {
  if (origin.commit.empty())
    return fmt::format("policy {}", valid_utf8(origin.source));
  return fmt::format("policy {} read from commit {} ({})", valid_utf8(origin.path), origin.commit,
                     valid_utf8(origin.revision));
}

std::string changed_sentence(const PolicyOrigin& origin) {
  return fmt::format(
      "the change under check modifies the policy file {}; it was judged by the policy of "
      "commit {}, not by its own",
      valid_utf8(origin.path), origin.commit);
}

json policy_json(const PolicyOrigin& origin) {
  json policy = {{"source", valid_utf8(origin.source)}};
  if (!origin.commit.empty()) {
    policy["revision"] = valid_utf8(origin.revision);
    policy["commit"] = origin.commit;
    policy["path"] = valid_utf8(origin.path);
    policy["blob"] = origin.blob;
    policy["changed"] = origin.changed;
  }
  return policy;
}

// A repository path as a relative URI reference: every byte outside RFC 3986's unreserved set
// and '/' percent-encoded, so any path a tree can hold is a valid uri-reference.
std::string path_uri(std::string_view path) {
  std::string out;
  for (unsigned char c : path) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~' || c == '/')
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string dump(const json& value) {
  return value.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace

const RuleHelp& rule_help(std::string_view rule) {
  for (const auto& help : kRules)
    if (help.id == rule)
      return help;
  return kUnknownRule;
}

std::string render_sarif(const Report& report, const CiContext& context) {
  const std::vector<json> objects = commit_objects(report);
  const std::vector<Issue> issues = collect_issues(report, objects, context);
  json rules = json::array();
  std::vector<std::string> rule_ids;
  auto add_rule = [&](std::string_view id, const RuleHelp& help) {
    rule_ids.emplace_back(id);
    rules.push_back(
        {{"id", std::string(id)},
         {"name", std::string(help.name)},
         {"shortDescription", {{"text", std::string(help.description)}}},
         {"fullDescription", {{"text", std::string(help.description)}}},
         {"help", {{"text", std::string(help.help)}, {"markdown", std::string(help.help)}}},
         {"defaultConfiguration", {{"level", "error"}}}});
  };
  for (const auto& help : kRules)
    add_rule(help.id, help);
  auto rule_index = [&](const std::string& id) {
    for (std::size_t i = 0; i < rule_ids.size(); ++i)
      if (rule_ids[i] == id)
        return i;
    add_rule(valid_utf8(id), kUnknownRule);
    return rule_ids.size() - 1;
  };

  json results = json::array();
  for (const Issue& issue : issues) {
    const std::size_t index = rule_index(issue.rule);
    json properties = {{"ref", issue.ref}};
    if (!issue.commit.empty()) {
      properties["commit"] = issue.commit;
      properties["subject"] = issue.subject;
      properties["verdict"] = issue.verdict;
    }
    properties["fix"] = issue.fix;
    results.push_back(
        {{"ruleId", rule_ids[index]},
         {"ruleIndex", index},
         {"level", "error"},
         {"message", {{"text", issue_message(issue)}}},
         {"locations",
          json::array(
              {{{"physicalLocation",
                 {{"artifactLocation", {{"uri", path_uri(issue.path)}, {"uriBaseId", "%SRCROOT%"}}},
                  {"region", {{"startLine", 1}}}}}}})},
         {"partialFingerprints", {{"trailgate/v1", issue.fingerprint}}},
         {"properties", properties}});
  }

  json run_properties = {{"verdict", report.passed() ? "passed" : "rejected"},
                         {"commits_checked", report.commits_checked},
                         {"commits_failed", report.commits_failed},
                         {"policy", policy_json(context.policy)}};
  json notifications = json::array();
  if (context.policy.changed)
    notifications.push_back(
        {{"level", "warning"}, {"message", {{"text", changed_sentence(context.policy)}}}});
  json invocation = {{"executionSuccessful", true},
                     {"toolConfigurationNotifications", notifications}};
  json sarif = {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", json::array({{{"tool",
                              {{"driver",
                                {{"name", "trailgate"},
                                 {"version", valid_utf8(context.tool_version)},
                                 {"informationUri", "https://github.com/trailgate/trailgate"},
                                 {"rules", rules}}}}},
                             {"automationDetails", {{"id", "trailgate/check/"}}},
                             {"invocations", json::array({invocation})},
                             {"results", results},
                             {"properties", run_properties}}})}};
  return dump(sarif);
}

std::string github_escape_data(std::string_view text) {
  std::string out;
  for (char c : valid_utf8(text)) {
    if (c == '%')
      out += "%25";
    else if (c == '\r')
      out += "%0D";
    else if (c == '\n')
      out += "%0A";
    else
      out += c;
  }
  return out;
}

std::string github_escape_property(std::string_view text) {
  std::string out;
  for (char c : github_escape_data(text)) {
    if (c == ':')
      out += "%3A";
    else if (c == ',')
      out += "%2C";
    else
      out += c;
  }
  return out;
}

std::string render_github(const Report& report, const CiContext& context) {
  const std::vector<json> objects = commit_objects(report);
  std::string out;
  for (const Issue& issue : collect_issues(report, objects, context)) {
    const std::string title =
        issue.commit.empty()
            ? fmt::format("trailgate {}: {}", issue.rule, issue.ref)
            : fmt::format("trailgate {}: commit {}", issue.rule, short_id(issue.commit));
    out +=
        fmt::format("::error title={},file={},line=1::{}\n", github_escape_property(title),
                    github_escape_property(issue.path), github_escape_data(issue_message(issue)));
  }
  out += fmt::format("::notice title=trailgate policy::{}\n",
                     github_escape_data("trailgate judged by " + policy_sentence(context.policy)));
  if (context.policy.changed)
    out += fmt::format("::warning title=trailgate policy changed,file={},line=1::{}\n",
                       github_escape_property(context.policy_location),
                       github_escape_data(changed_sentence(context.policy)));
  const std::string verdict = fmt::format(
      "trailgate: {} of {} commit{} checked fail{}", report.commits_failed, report.commits_checked,
      report.commits_checked == 1 ? "" : "s", report.commits_failed == 1 ? "s" : "");
  if (report.passed())
    out += fmt::format("::notice title=trailgate passed::{}\n", github_escape_data(verdict));
  else
    out += fmt::format("::error title=trailgate rejected::{}\n", github_escape_data(verdict));
  return out;
}

namespace {

// Untrusted text as one Markdown table cell: valid UTF-8, one line, HTML's specials as entities,
// and Markdown's specials backslash-escaped.
std::string markdown_cell(std::string_view text) {
  std::string out;
  for (char c : valid_utf8(text)) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '|':
        out += "\\|";
        break;
      case '\n':
      case '\r':
      case '\t':
        out += ' ';
        break;
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '#':
      case '!':
      case '~':
        out += '\\';
        out += c;
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
          out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        else
          out += c;
    }
  }
  return out;
}

}  // namespace

std::string render_github_summary(const Report& report, const CiContext& context) {
  const std::vector<json> objects = commit_objects(report);
  const std::vector<Issue> issues = collect_issues(report, objects, context);
  std::string out = fmt::format("## trailgate: {}\n\n", report.passed() ? "passed" : "rejected");
  out += fmt::format("{} of {} commit{} checked fail{}; {}.\n\n", report.commits_failed,
                     report.commits_checked, report.commits_checked == 1 ? "" : "s",
                     report.commits_failed == 1 ? "s" : "",
                     markdown_cell("judged by " + policy_sentence(context.policy)));
  if (context.policy.changed)
    out += fmt::format("> **Warning:** {}.\n\n", markdown_cell(changed_sentence(context.policy)));
  if (issues.empty())
    return out;
  out += "| commit | subject | rule | problem | fix |\n|---|---|---|---|---|\n";
  for (const Issue& issue : issues)
    out += fmt::format("| {} | {} | `{}` | {} | {} |\n",
                       issue.commit.empty() ? markdown_cell(issue.ref) : short_id(issue.commit),
                       markdown_cell(issue.subject), markdown_cell(issue.rule),
                       markdown_cell(issue.problem), markdown_cell(issue.fix));
  return out + "\n";
}

std::string xml_escape(std::string_view text) {
  const std::string valid = valid_utf8(text);
  std::string out;
  out.reserve(valid.size());
  for (std::size_t i = 0; i < valid.size();) {
    const util::Utf8Char ch = util::utf8_char_at(valid, i);
    const char32_t c = ch.code;
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\t':
        out += "&#9;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        // XML 1.0's Char: no other C0 control, no U+FFFE or U+FFFF (valid UTF-8 has no
        // surrogates and nothing above U+10FFFF).
        if (c < 0x20 || c == 0xFFFE || c == 0xFFFF)
          out += util::kReplacementCharacter;
        else
          out.append(valid, i, ch.length);
    }
    i += ch.length;
  }
  return out;
}

std::string render_junit(const Report& report, const CiContext& context) {
  const std::vector<json> objects = commit_objects(report);
  std::string cases;
  std::size_t tests = 0, failures = 0;
  for (const json& object : objects) {
    const std::string id = str(object["id"]);
    ++tests;
    cases += fmt::format("  <testcase classname=\"{}\" name=\"{}\"",
                         xml_escape("trailgate." + str(object["ref"])),
                         xml_escape(short_id(id) + " " + str(object["subject"])));
    if (!object.value("violation", false)) {
      cases += fmt::format("><system-out>{}</system-out></testcase>\n",
                           xml_escape("commit " + id + ": " + str(object["verdict"])));
      continue;
    }
    ++failures;
    cases += ">\n";
    // One <failure> per rule; JUnit readers show the first, so it carries every problem.
    std::string body;
    std::string rules_failed;
    std::vector<std::string> seen;
    for (const json& finding : object["findings"]) {
      const std::string rule = str(finding["rule"]);
      if (std::find(seen.begin(), seen.end(), rule) == seen.end()) {
        seen.push_back(rule);
        rules_failed += (rules_failed.empty() ? "" : ",") + rule;
      }
      body += fmt::format("rule: {}\nproblem: {}\nfix: {}\n\n", rule, str(finding["problem"]),
                          str(finding["fix"]));
    }
    cases += fmt::format(
        "    <failure type=\"{}\" message=\"{}\">{}</failure>\n  </testcase>\n",
        xml_escape(rules_failed),
        xml_escape(fmt::format("commit {} ({}): {}", id, str(object["verdict"]), rules_failed)),
        xml_escape(fmt::format("commit {} \"{}\" entering {}\n\n{}", id, str(object["subject"]),
                               str(object["ref"]), body)));
  }
  for (const auto& ref : report.refs) {
    if (ref.ref_findings.empty())
      continue;
    ++tests;
    ++failures;
    std::string rules_failed, body;
    for (const auto& finding : ref.ref_findings) {
      rules_failed += (rules_failed.empty() ? "" : ",") + finding.rule;
      body += fmt::format("rule: {}\nproblem: {}\nfix: {}\n\n", finding.rule, finding.problem,
                          finding.fix);
    }
    cases += fmt::format(
        "  <testcase classname=\"{}\" name=\"{}\">\n    <failure type=\"{}\" "
        "message=\"{}\">{}</failure>\n  </testcase>\n",
        xml_escape("trailgate." + ref.judged_as), xml_escape("ref update " + ref.update.ref),
        xml_escape(rules_failed), xml_escape(ref.update.ref + ": " + rules_failed),
        xml_escape(body));
  }
  std::string properties = fmt::format("    <property name=\"policy\" value=\"{}\"/>\n",
                                       xml_escape(policy_sentence(context.policy)));
  if (context.policy.changed)
    properties += fmt::format("    <property name=\"policy-changed\" value=\"{}\"/>\n",
                              xml_escape(changed_sentence(context.policy)));
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites name=\"trailgate\" tests=\"{0}\" failures=\"{1}\" errors=\"0\">\n"
      "<testsuite name=\"trailgate check\" tests=\"{0}\" failures=\"{1}\" errors=\"0\" "
      "skipped=\"0\">\n  <properties>\n{2}  </properties>\n{3}</testsuite>\n</testsuites>\n",
      tests, failures, properties, cases);
}

std::string render_gitlab(const Report& report, const CiContext& context) {
  const std::vector<json> objects = commit_objects(report);
  json issues = json::array();
  for (const Issue& issue : collect_issues(report, objects, context))
    issues.push_back({{"type", "issue"},
                      {"check_name", issue.rule},
                      {"description", issue_message(issue)},
                      {"content", {{"body", std::string(rule_help(issue.rule).help)}}},
                      {"categories", json::array({"Security"})},
                      {"fingerprint", issue.fingerprint},
                      {"severity", issue.commit.empty() ? "blocker" : "critical"},
                      {"location", {{"path", issue.path}, {"lines", {{"begin", 1}}}}}});
  return dump(issues);
}

}  // namespace trailgate::report
