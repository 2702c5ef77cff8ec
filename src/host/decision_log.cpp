#include "host/decision_log.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <system_error>

#include "detect/markers.h"
#include "model/work_counters.h"
#include "report/commit_json.h"
#include "util/calendar.h"
#include "util/file_write.h"
#include "util/hex_id.h"
#include "version.h"

namespace trailgate::host {

namespace fs = std::filesystem;
// Insertion order, so that a line reads in the order docs/decision-log.md gives.
using json = nlohmann::ordered_json;

namespace {

json string_or_null(const std::string& text) {
  return text.empty() ? json(nullptr) : json(text);
}

// A ref-level finding; a commit's findings are in its commit object.
json ref_finding_json(const Finding& finding) {
  return {{"rule", finding.rule},
          {"ref", finding.ref},
          {"problem", finding.problem},
          {"fix", finding.fix}};
}

json ref_updates_json(const DecisionRecord& record) {
  json updates = json::array();
  if (record.report != nullptr) {
    for (const RefResult& ref : record.report->refs) {
      updates.push_back({{"ref", ref.update.ref},
                         {"old", ref.update.old_id},
                         {"new", ref.update.new_id},
                         {"protected", ref.rule != nullptr},
                         {"commits_checked", ref.commits_checked},
                         {"commits_failed", ref.commits_failed}});
    }
    return updates;
  }
  // The run failed before judging: what was asked, without verdicts.
  for (const RefUpdate& update : record.updates) {
    updates.push_back({{"ref", update.ref},
                       {"old", update.old_id},
                       {"new", update.new_id},
                       {"protected", nullptr},
                       {"commits_checked", nullptr},
                       {"commits_failed", nullptr}});
  }
  return updates;
}

json break_glass_json(const BreakGlassDecision* decision) {
  if (decision == nullptr || !decision->claimed())
    return nullptr;
  return {{"pusher", string_or_null(decision->pusher)},
          {"reason", decision->reason},
          {"honoured", decision->honoured()},
          {"refused_because", decision->refusals},
          {"refs", decision->refs},
          {"commits", decision->commits}};
}

std::string errno_text(int error) {
  return std::error_code(error, std::generic_category()).message();
}

bool is_string_array(const json& value) {
  return value.is_array() &&
         std::all_of(value.begin(), value.end(), [](const json& v) { return v.is_string(); });
}

// Thrown by entry_of for a line whose fields have the wrong shape.
struct MalformedLine {};

// The break-glass entry a log line records, or nullopt when the line is valid but records
// something else. Throws json::exception or MalformedLine when the line is malformed.
std::optional<BreakGlassEntry> entry_of(const json& line) {
  if (line.at("verdict").get<std::string>() != "accepted-break-glass")
    return std::nullopt;
  const json& glass = line.at("break_glass");
  BreakGlassEntry entry;
  entry.time = line.at("time").get<std::string>();
  entry.repository = line.at("repository").get<std::string>();
  entry.pusher = glass.at("pusher").get<std::string>();
  entry.reason = glass.at("reason").get<std::string>();
  if (!is_string_array(glass.at("refs")) || !is_string_array(glass.at("commits")))
    throw MalformedLine{};
  entry.refs = glass.at("refs").get<std::vector<std::string>>();
  entry.commits = glass.at("commits").get<std::vector<std::string>>();
  if (!std::all_of(entry.commits.begin(), entry.commits.end(), util::is_object_id))
    throw MalformedLine{};
  return entry;
}

}  // namespace

std::string iso8601_utc(std::int64_t ms) {
  constexpr std::int64_t kMsPerDay = util::kSecondsPerDay * 1000;
  const std::int64_t days = util::floor_div(ms, kMsPerDay);
  const std::int64_t in_day = ms - days * kMsPerDay;
  const util::CivilDate date = util::civil_from_days(days);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", date.year, date.month, date.day,
                     in_day / 3'600'000, in_day / 60'000 % 60, in_day / 1000 % 60, in_day % 1000);
}

namespace {

// What the run cost so far, counted in its expensive steps (model/work_counters.h).
json work_json() {
  json out = json::object();
  for (std::size_t i = 0; i < static_cast<std::size_t>(work::Counter::kCount); ++i) {
    auto counter = static_cast<work::Counter>(i);
    out[std::string(work::to_string(counter))] = work::value(counter);
  }
  return out;
}

}  // namespace

std::string build_log_line(const DecisionRecord& record) {
  json findings = json::array();
  json failed = json::array();
  std::string commits;  // the listed commits' objects, comma-separated
  std::size_t findings_total = 0;
  std::size_t commits_checked = 0;
  if (record.report != nullptr) {
    const Report& report = *record.report;
    for (const RefResult& ref : report.refs) {
      for (const Finding& finding : ref.ref_findings)
        findings.push_back(ref_finding_json(finding));
    }
    for (const CommitEvaluation& evaluation : report.evaluations) {
      if (!commits.empty())
        commits += ',';
      report::append_commit_json(commits, evaluation);
    }
    std::set<std::string> seen;
    for (const RefResult& ref : report.refs) {
      for (const std::string& id : ref.failed_commits) {
        if (seen.insert(id).second)
          failed.push_back(id);
      }
    }
    findings_total = report.findings;
    commits_checked = report.commits_checked;
  }
  const Pusher& pusher = record.pusher;
  json head = {
      {"schema", kDecisionSchema},
      {"time", iso8601_utc(record.time_ms)},
      {"hook", record.hook},
      {"repository", record.repository},
      {"host_repository", string_or_null(record.host_repository)},
      {"pusher",
       {{"name", string_or_null(pusher.name)},
        {"variable", string_or_null(pusher.variable)},
        {"person", string_or_null(pusher.person)},
        {"email", string_or_null(pusher.email)}}},
      {"protocol", record.protocol.name},
      {"protocol_source", string_or_null(record.protocol.source)},
      {"policy", string_or_null(record.policy)},
      {"policy_sha256", string_or_null(record.policy_sha256)},
      {"catalogue_version", detect::catalogue_version()},
      {"ref_updates", ref_updates_json(record)},
      {"commits_checked", commits_checked},
      {"commits_with_findings", failed},
      {"findings", findings},
  };
  json tail = {
      {"findings_total", findings_total},
      {"verdict", to_string(record.verdict)},
      {"break_glass", break_glass_json(record.break_glass)},
      {"error", string_or_null(record.error)},
      {"trailgate", {{"version", kVersion}, {"revision", kGitRevision}}},
      {"duration_ms", record.duration_ms},
      {"exit_code", record.exit_code},
      {"work", work_json()},
  };
  // head's keys, "commits" (hand-written commit objects, report/commit_json.h), tail's keys.
  std::string line = head.dump(-1, ' ', false, json::error_handler_t::replace);
  line.pop_back();  // '}'
  line += ",\"commits\":[";
  line += commits;
  line += "],";
  line += std::string_view(tail.dump(-1, ' ', false, json::error_handler_t::replace)).substr(1);
  return line;
}

std::string log_path(const LogSettings& settings, const std::string& git_dir) {
  fs::path path(settings.decisions.empty() ? LogSettings{}.decisions : settings.decisions);
  return path.is_absolute() ? path.string() : (fs::path(git_dir) / path).string();
}

std::string append_log_line(const std::string& path, const std::string& line, int lock_timeout_ms) {
  return util::append_line_locked(path, line, lock_timeout_ms);
}

std::vector<std::string> BreakGlassLog::commits() const {
  std::vector<std::string> all;
  std::set<std::string> seen;
  for (const BreakGlassEntry& entry : entries) {
    for (const std::string& id : entry.commits) {
      if (seen.insert(id).second)
        all.push_back(id);
    }
  }
  return all;
}

namespace {

// read_break_glass_log, and with `only_candidates` break_glass_commits: lines whose bytes cannot
// hold a break-glass acceptance are counted but not parsed (nor counted as skipped when bad).
BreakGlassLog read_log(const std::string& path, bool only_candidates) {
  BreakGlassLog log;
  std::error_code ec;
  if (!fs::exists(path, ec) && !ec)
    return log;
  if (fs::is_directory(path, ec))
    throw DecisionLogError(
        fmt::format("cannot read the decision log {}: {}", path, errno_text(EISDIR)));
  // A device or FIFO (a log sent to /dev/full or a pipe) holds no history to read, and reading
  // one could block or never end.
  if (fs::exists(path, ec) && !fs::is_regular_file(path, ec))
    return log;
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw DecisionLogError(
        fmt::format("cannot read the decision log {}: {}", path, errno_text(errno)));
  std::string text;
  while (std::getline(in, text)) {
    if (text.empty())
      continue;
    ++log.lines;
    // Without the verdict's own text, a line can spell it only with \u escapes (trailgate's
    // writer never escapes letters, but a line is judged by what it parses to).
    if (only_candidates && text.find("accepted-break-glass") == std::string::npos &&
        text.find("\\u") == std::string::npos)
      continue;
    json line = json::parse(text, nullptr, false);
    if (line.is_discarded() || !line.is_object() || !line.contains("schema") ||
        (line["schema"] != kDecisionSchema && line["schema"] != kDecisionSchemaV1)) {
      ++log.skipped;
      continue;
    }
    try {
      if (std::optional<BreakGlassEntry> entry = entry_of(line))
        log.entries.push_back(std::move(*entry));
    } catch (const json::exception&) {
      ++log.skipped;
    } catch (const MalformedLine&) {
      ++log.skipped;
    }
  }
  if (in.bad())
    throw DecisionLogError(
        fmt::format("cannot read the decision log {}: {}", path, errno_text(errno)));
  return log;
}

}  // namespace

BreakGlassLog read_break_glass_log(const std::string& path) {
  return read_log(path, false);
}

std::vector<std::string> break_glass_commits(const std::string& path) {
  return read_log(path, true).commits();
}

}  // namespace trailgate::host
