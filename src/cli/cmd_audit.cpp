// `trailgate audit`: every commit of the protected history (or of the revisions given) judged
// like the hook judges it, with a summary, in text, json, jsonl, csv, md or html.
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <unordered_set>

#include "audit/audit.h"
#include "audit/cache.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "git/notes.h"
#include "host/decision_log.h"
#include "pipeline/pipeline.h"
#include "report/audit_formats.h"
#include "report/audit_html.h"
#include "version.h"

namespace trailgate::cli {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kHtmlViolations = 5000;  // rows in the HTML table; the rest are counted
constexpr std::size_t kTextViolations = 200;

// Where the report goes: stdout, or FILE written through a temporary file renamed into place,
// so a reader never sees half a report and a failed audit leaves the old one.
class Output {
 public:
  explicit Output(const std::string& path) : path_(path) {
    if (path_.empty()) {
      file_ = stdout;
      return;
    }
    tmp_ = path_ + fmt::format(".tmp.{}", ::getpid());
    file_ = std::fopen(tmp_.c_str(), "wb");
    if (!file_)
      throw std::runtime_error(fmt::format("cannot write {}: {}", tmp_, std::strerror(errno)));
  }
  ~Output() {
    if (file_ && file_ != stdout) {
      std::fclose(file_);
      std::remove(tmp_.c_str());
    }
  }
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  void write(std::string_view s) {
    buf_ += s;
    // Small enough to stay in the processor's caches between the copy and the write.
    if (buf_.size() >= (128 << 10))
      flush();
  }
  void commit() {
    flush();
    if (std::fflush(file_) != 0)
      fail();
    if (file_ == stdout)
      return;
    if (std::fclose(file_) != 0) {
      file_ = nullptr;
      fail();
    }
    file_ = nullptr;
    std::error_code ec;
    fs::rename(tmp_, path_, ec);
    if (ec) {
      std::remove(tmp_.c_str());
      throw std::runtime_error(fmt::format("cannot write {}: {}", path_, ec.message()));
    }
  }

 private:
  void flush() {
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), file_) != buf_.size())
      fail();
    buf_.clear();
  }
  [[noreturn]] void fail() {
    // `trailgate audit | head -1`: the reader chose to stop; stop too, quietly.
    if (file_ == stdout && errno == EPIPE && reader_gone(STDOUT_FILENO))
      throw ReaderGone();
    throw std::runtime_error(
        fmt::format("cannot write {}: {}", path_.empty() ? "stdout" : tmp_, std::strerror(errno)));
  }
  std::string path_, tmp_;
  std::FILE* file_ = nullptr;
  std::string buf_;
};

// The protected refs as the pipeline sees them (protected_state), grouped by the rule that
// protects them (policy order), by name within a rule.
std::vector<audit::ScanTarget> protected_targets(const git::Repository& repo,
                                                 const Policy& policy) {
  std::vector<ProtectedTip> tips = protected_state(repo, policy).tips;
  std::sort(tips.begin(), tips.end(), [](const ProtectedTip& a, const ProtectedTip& b) {
    return a.rule != b.rule ? a.rule < b.rule : a.ref < b.ref;
  });
  std::vector<audit::ScanTarget> targets;
  for (const ProtectedTip& tip : tips)
    targets.push_back(
        {tip.ref, tip.commit, tip.rule, static_cast<int>(tip.rule - policy.protect.data())});
  return targets;
}

// The full ref name a revision names, when it names a ref ("main" -> "refs/heads/main").
std::optional<std::string> ref_named(const git::Repository& repo, const std::string& revision) {
  for (const std::string& candidate : {revision, "refs/" + revision, "refs/tags/" + revision,
                                       "refs/heads/" + revision, "refs/remotes/" + revision}) {
    if (candidate.rfind("refs/", 0) != 0)
      continue;
    try {
      if (repo.resolve_ref(candidate))
        return candidate;
    } catch (const git::GitError&) {
      // Not a valid ref name ("main~2", "HEAD^"): an expression, not a ref.
    }
  }
  return std::nullopt;
}

}  // namespace

int run_audit(const GlobalOptions& options, const AuditOptions& audit_options) {
  try {
    const std::string& format = audit_options.format;
    if (format != "text" && format != "json" && format != "jsonl" && format != "csv" &&
        format != "md" && format != "html")
      throw InputError(
          fmt::format("--format must be text, json, jsonl, csv, md or html, not \"{}\"", format));
    audit::ScanOptions scan_options;
    if (!audit_options.since.empty()) {
      scan_options.since = audit::parse_day(audit_options.since);
      if (!scan_options.since)
        throw InputError(
            fmt::format("--since must be a date YYYY-MM-DD, not \"{}\"", audit_options.since));
    }
    if (!audit_options.until.empty()) {
      auto day = audit::parse_day(audit_options.until);
      if (!day)
        throw InputError(
            fmt::format("--until must be a date YYYY-MM-DD, not \"{}\"", audit_options.until));
      scan_options.until = *day + 86400;  // the whole day named is included
    }

    git::Repository repo = open_repository(options);

    // The policy; without one the audit still runs, under the defaults, and says so.
    Policy policy;
    std::optional<detect::MarkerSet> markers;
    bool have_policy = true;
    std::string policy_bytes;   // the snapshot that judges, for the cache's fingerprint
    std::string policy_sha256;  // its digest, the one the decision log names
    try {
      LoadedPolicy loaded = load_policy(options, &repo);
      policy = std::move(loaded.policy);
      policy_bytes = std::move(loaded.bytes);
      policy_sha256 = std::move(loaded.sha256);
      markers.emplace(std::move(loaded.markers));
    } catch (const NoPolicyError& e) {
      have_policy = false;
      std::cerr << "trailgate: audit: " << e.what()
                << "\ntrailgate: audit: using the default policy (empty roster: no review can "
                   "be verified) over HEAD\n";
      markers.emplace(compile_markers(policy));
    }
    const ProtectRule default_rule;

    // What to scan, and under which rule.
    std::vector<audit::ScanTarget> targets;
    auto rule_index = [&](const ProtectRule* rule) {
      return rule == &default_rule ? -1 : static_cast<int>(rule - policy.protect.data());
    };
    const ProtectRule* fallback = policy.protect.empty() ? &default_rule : &policy.protect.front();
    if (!audit_options.revisions.empty()) {
      const ProtectRule* forced = nullptr;
      if (!audit_options.ref.empty()) {
        forced = policy.rule_for(audit_options.ref);
        if (!forced)
          throw InputError(
              fmt::format("--ref {} is not protected by the policy; its rules "
                          "cannot judge anything",
                          audit_options.ref));
      }
      for (const auto& revision : audit_options.revisions) {
        const ProtectRule* rule = forced;
        if (!rule)
          if (auto name = ref_named(repo, revision))
            rule = policy.rule_for(*name);
        if (!rule)
          rule = fallback;
        targets.push_back({audit_options.ref.empty() ? revision : audit_options.ref,
                           repo.resolve_commit(revision), rule, rule_index(rule)});
      }
    } else if (have_policy) {
      targets = protected_targets(repo, policy);
      if (targets.empty())
        std::cerr << fmt::format(
            "trailgate: audit: no ref in this repository is protected by {}; nothing to scan\n",
            policy.source);
    } else {
      targets.push_back({"HEAD", repo.resolve_commit("HEAD"), &default_rule, -1});
    }

    audit::AuditSummary summary;
    std::vector<std::string> baseline = baseline_tips(repo, policy);
    const std::string baseline_tip = baseline.empty() ? "" : baseline.front();

    scan_options.now = std::time(nullptr);
    // The report's provenance: one instant for the whole report, taken here and never from
    // the cache, which holds commit records only.
    summary.generated_at = audit::utc_time(scan_options.now);
    scan_options.threads = audit_options.threads;
    scan_options.progress = isatty(STDERR_FILENO) && !audit_options.stats;
    // Review debt: late approvals in review notes, and what break-glass let through (read
    // from the decision log; docs/review-notes.md, docs/decision-log.md).
    std::map<std::string, std::string> review_notes;
    std::unordered_set<std::string> break_glass;
    std::string debt_state;  // what the records' debt verdicts depend on, for the cache
    if (have_policy) {
      review_notes = git::read_notes(repo, git::kReviewNotesRef).notes;
      debt_state += "notes=" + repo.resolve_ref(git::kReviewNotesRef).value_or("");
      break_glass = logged_break_glass(repo, policy, "audit");
      // In a stable order: the cache's fingerprint depends on it.
      std::vector<std::string> ids(break_glass.begin(), break_glass.end());
      std::sort(ids.begin(), ids.end());
      for (const auto& id : ids)
        debt_state += " " + id;
      scan_options.review_notes = &review_notes;
      scan_options.break_glass = &break_glass;
    }
    if (!audit_options.no_cache && have_policy) {
      // Everything but time that a record depends on; time is checked per entry.
      std::string fingerprint = audit::cache_fingerprint(
          fmt::format("{} {} baseline={} {}", kVersion, kGitRevision, baseline_tip, debt_state),
          policy_bytes);
      scan_options.cache_fingerprint = fingerprint;
      scan_options.cache_dir = repo.git_dir() + "trailgate/audit-cache";
    }
    scan_options.render_json = [](const audit::AuditRecord& r, std::string& out,
                                  std::size_t& ref_at) {
      report::render_record_json_without_ref(r, out, ref_at);
    };
    std::string csv_provenance;  // set below, before the scan renders anything
    if (format == "csv")
      scan_options.render = [&csv_provenance](const audit::AuditRecord& r, std::string& out) {
        report::render_record_csv(r, csv_provenance, out);
      };
    // jsonl and csv show no summary: they need no line counts, and jsonl not even whole
    // records, only the JSON lines (and the totals for --stats and --fail-on-violations).
    const bool summarise = format != "jsonl" && format != "csv";
    scan_options.sink_needs_records = format != "jsonl";
    scan_options.lines_changed = summarise;  // for the summary's largest gaps

    summary.repository = repo.git_dir();
    if (summary.repository.size() > 1 && summary.repository.back() == '/')
      summary.repository.pop_back();
    // The same string `trailgate --version` prints (cli.cpp).
    summary.trailgate_version = fmt::format("trailgate {} (git {})", kVersion, kGitRevision);
    summary.policy_sha256 = policy_sha256;
    std::vector<audit::PersonGroup> roster;
    for (const Person& person : policy.people)
      roster.push_back({person.name, person.emails});
    summary.set_roster(roster);
    summary.verification =
        policy.review.verification == Verification::signature ? "signature" : "roster";
    summary.policy_source = have_policy ? policy.source : "";
    std::vector<std::string> ref_json;
    for (const auto& t : targets) {
      summary.scanned.push_back(t.ref);
      summary.scanned_tips.push_back(t.tip);
      ref_json.emplace_back();
      report::append_json_string(ref_json.back(), t.ref);
    }
    summary.since = audit_options.since;
    summary.until = audit_options.until;

    Output out(audit_options.output);
    if (format == "json")
      out.write(fmt::format("{{\"schema\":\"{}\",\"commits\":[", report::kAuditSchema));
    else if (format == "csv")
      out.write(report::csv_header());
    else if (format == "jsonl")
      out.write(report::render_header_jsonl(summary));
    csv_provenance = report::csv_provenance_cells(summary);
    bool first = true;
    std::vector<audit::AuditRecord> violations;
    std::int64_t left_out = 0;
    const std::size_t keep = format == "html" ? kHtmlViolations : kTextViolations;
    std::string csv;
    // Decided once: the sink runs for every commit of the history.
    const bool jsonl = format == "jsonl", json = format == "json", csv_format = format == "csv",
               md = format == "md";
    audit::ScanStats stats =
        audit::scan(repo.git_dir(), policy, *markers, targets, baseline_tip, scan_options,
                    [&](const audit::RecordView& view) {
                      if (jsonl || json) {
                        if (json)
                          out.write(first ? "\n" : ",\n");
                        out.write(view.json_head);
                        out.write(ref_json[view.target]);
                        out.write(view.json_tail);
                        if (jsonl)
                          out.write("\n");
                      } else if (csv_format) {
                        if (view.rendered) {
                          out.write(*view.rendered);
                        } else {
                          csv.clear();
                          report::render_record_csv(view.record(), csv_provenance, csv);
                          out.write(csv);
                        }
                      } else if (view.violation && !md) {
                        if (violations.size() < keep)
                          violations.push_back(view.record());
                        else
                          ++left_out;
                      }
                      if (summarise) {
                        summary.add(view.record());
                      } else {
                        // The totals alone, for --stats and
                        // --fail-on-violations.
                        ++summary.total.commits;
                        summary.total.ai_assisted += view.ai_assisted;
                        summary.total.violations += view.violation;
                      }
                      first = false;
                    });
    summary.finish();

    if (format == "json")
      out.write(fmt::format("\n],\"summary\":{}}}\n", report::render_summary_json(summary)));
    else if (format == "text")
      out.write(report::render_audit_text(summary, violations, left_out));
    else if (format == "md")
      out.write(report::render_audit_md(summary));
    else if (format == "html")
      out.write(report::render_audit_html(summary, violations));
    out.commit();

    if (audit_options.stats)
      std::cerr << fmt::format(
          "trailgate: audit: {} commits walked, {} reported, {} from the cache, {} judged{}\n",
          stats.walked, summary.total.commits, stats.cache_hits, stats.evaluated,
          stats.cache_written ? ", cache updated" : "");
    if (audit_options.fail_on_violations && summary.total.violations > 0)
      return kViolations;
    return kPassed;
  } catch (...) {
    return report_exception("audit failed");
  }
}

}  // namespace trailgate::cli
