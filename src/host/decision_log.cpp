#include "host/decision_log.h"
#include "model/unique_fd.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <system_error>
#include <thread>

#include "model/work_counters.h"
#include "version.h"

namespace trailgate::host {

namespace fs = std::filesystem;
// Insertion order, so that a line reads in the order docs/decision-log.md gives.
using json = nlohmann::ordered_json;

namespace {

json string_or_null(const std::string& text) {
  return text.empty() ? json(nullptr) : json(text);
}

json finding_json(const Finding& finding) {
  return {{"rule", finding.rule},
          {"ref", finding.ref},
          {"commit", string_or_null(finding.commit_id)},
          {"message", finding.problem}};
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

bool is_commit_id(const std::string& id) {
  return (id.size() == 40 || id.size() == 64) &&
         id.find_first_not_of("0123456789abcdef") == std::string::npos;
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
  if (!std::all_of(entry.commits.begin(), entry.commits.end(), is_commit_id))
    throw MalformedLine{};
  return entry;
}

}  // namespace

std::string iso8601_utc(std::int64_t ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> at{milliseconds{ms}};
  const sys_days day = floor<days>(at);
  const year_month_day date{day};
  const hh_mm_ss<milliseconds> time{at - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     time.hours().count(), time.minutes().count(), time.seconds().count(),
                     time.subseconds().count());
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
  json commits = json::array();
  json failed = json::array();
  std::size_t findings_total = 0;
  std::size_t commits_checked = 0;
  if (record.report != nullptr) {
    const Report& report = *record.report;
    for (const RefResult& ref : report.refs) {
      for (const Finding& finding : ref.ref_findings)
        findings.push_back(finding_json(finding));
    }
    for (const CommitEvaluation& evaluation : report.evaluations) {
      for (const Finding& finding : evaluation.findings)
        findings.push_back(finding_json(finding));
      commits.push_back({{"id", evaluation.id},
                         {"verdict", to_string(evaluation.verdict)},
                         {"violation", is_violation(evaluation.verdict)},
                         {"approvals_required", evaluation.approvals_required},
                         {"approvals_verified", evaluation.reviews.verified}});
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
  json line = {
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
      {"ref_updates", ref_updates_json(record)},
      {"commits_checked", commits_checked},
      {"commits_with_findings", failed},
      {"commits", commits},
      {"findings", findings},
      {"findings_total", findings_total},
      {"verdict", to_string(record.verdict)},
      {"break_glass", break_glass_json(record.break_glass)},
      {"error", string_or_null(record.error)},
      {"trailgate", {{"version", kVersion}, {"revision", kGitRevision}}},
      {"duration_ms", record.duration_ms},
      {"exit_code", record.exit_code},
      {"work", work_json()},
  };
  return line.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string log_path(const LogSettings& settings, const std::string& git_dir) {
  fs::path path(settings.decisions.empty() ? LogSettings{}.decisions : settings.decisions);
  return path.is_absolute() ? path.string() : (fs::path(git_dir) / path).string();
}

std::string append_log_line(const std::string& path, const std::string& line, int lock_timeout_ms) {
  const fs::path file(path);
  if (file.has_parent_path() && ::mkdir(file.parent_path().c_str(), 0777) != 0 && errno != EEXIST) {
    return fmt::format("cannot create the directory {}: {}", file.parent_path().string(),
                       errno_text(errno));
  }
  // Read access too, to look at the last byte; a write-only log is still written.
  constexpr int kFlags = O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  bool readable = true;
  int raw = ::open(path.c_str(), O_RDWR | kFlags, 0666);
  if (raw < 0 && errno == EACCES) {
    readable = false;
    raw = ::open(path.c_str(), O_WRONLY | kFlags, 0666);
  }
  if (raw < 0)
    return fmt::format("cannot open {}: {}", path, errno_text(errno));
  UniqueFd fd(raw);
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0)
    return fmt::format("cannot stat {}: {}", path, errno_text(errno));
  if (!S_ISREG(info.st_mode))
    return fmt::format("{} is not a regular file", path);

  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(lock_timeout_ms);
  while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR)
      return fmt::format("cannot lock {}: {}", path, errno_text(errno));
    if (std::chrono::steady_clock::now() >= deadline)
      return fmt::format("{} stayed locked by another process for {} ms", path, lock_timeout_ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }

  std::string data;
  data.reserve(line.size() + 2);
  if (readable && ::fstat(fd.get(), &info) == 0 && info.st_size > 0) {
    // A writer that died mid-line (a full disk) left no newline; start a fresh line, so that
    // only the broken line is lost, not this one too.
    char last = '\n';
    if (::pread(fd.get(), &last, 1, info.st_size - 1) == 1 && last != '\n')
      data += '\n';
  }
  data += line;
  data += '\n';
  ssize_t written = -1;
  do {
    written = ::write(fd.get(), data.data(), data.size());
  } while (written < 0 && errno == EINTR);
  const int write_error = errno;
  ::flock(fd.get(), LOCK_UN);
  if (written < 0)
    return fmt::format("cannot write to {}: {}", path, errno_text(write_error));
  if (static_cast<std::size_t>(written) != data.size()) {
    return fmt::format("only {} of {} bytes could be written to {} (is the disk full?)", written,
                       data.size(), path);
  }
  if (::fdatasync(fd.get()) != 0)
    return fmt::format("cannot flush {} to disk: {}", path, errno_text(errno));
  return "";
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

BreakGlassLog read_break_glass_log(const std::string& path) {
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
    json line = json::parse(text, nullptr, false);
    if (line.is_discarded() || !line.is_object() || !line.contains("schema") ||
        line["schema"] != kDecisionSchema) {
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

}  // namespace trailgate::host
