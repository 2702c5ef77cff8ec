#include "report/audit_formats.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "detect/markers.h"
#include "report/render.h"
#include "util/utf8.h"

namespace trailgate::report {

namespace {

using audit::AuditRecord;
using audit::AuditSummary;
using audit::Tally;

nlohmann::ordered_json tally_json(const Tally& t) {
  return {{"commits", t.commits},
          {"ai_assisted", t.ai_assisted},
          {"ai_verified", t.ai_verified},
          {"agent_authored", t.agent_authored},
          {"assisted", t.assisted()},
          {"violations", t.violations},
          {"ai_share", audit::share(t.ai_assisted, t.commits)},
          {"verified_share", audit::share(t.ai_verified, t.ai_assisted)},
          {"violation_share", audit::share(t.violations, t.commits)}};
}

nlohmann::ordered_json tallies_json(const std::map<std::string, Tally>& m, const char* key) {
  auto arr = nlohmann::ordered_json::array();
  for (const auto& [k, t] : m) {
    nlohmann::ordered_json row = {{key, valid_utf8(k)}};
    row.update(tally_json(t));
    arr.push_back(std::move(row));
  }
  return arr;
}

std::string percent(std::int64_t part, std::int64_t whole) {
  return fmt::format("{:.1f}%", 100.0 * audit::share(part, whole));
}

std::string clip(std::string_view s, std::size_t max) {
  std::string clean = sanitize(s);
  return clean.size() <= max ? clean : clean.substr(0, max) + "...";
}

// Rows of a tally table, most commits first when `by_size`, else in key order, at most `max`.
std::vector<std::pair<std::string, Tally>> rows(const std::map<std::string, Tally>& m, bool by_size,
                                                std::size_t max, bool last) {
  std::vector<std::pair<std::string, Tally>> out(m.begin(), m.end());
  if (by_size)
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return a.second.commits > b.second.commits;
    });
  if (out.size() > max) {
    if (last)
      out.erase(out.begin(), out.end() - static_cast<long>(max));
    else
      out.resize(max);
  }
  return out;
}

void text_table(std::string& out, const char* title, const char* key,
                const std::map<std::string, Tally>& m, bool by_size, std::size_t max, bool last) {
  out += fmt::format("\n{}{}\n", title,
                     m.size() > max ? fmt::format(" ({} of {} shown)", max, m.size()) : "");
  out += fmt::format("  {:<32} {:>8} {:>8} {:>7} {:>8} {:>7} {:>10}\n", key, "commits", "AI", "AI%",
                     "verified", "ver%", "violations");
  for (const auto& [k, t] : rows(m, by_size, max, last))
    out += fmt::format("  {:<32} {:>8} {:>8} {:>7} {:>8} {:>7} {:>10}\n", clip(k, 32), t.commits,
                       t.ai_assisted, percent(t.ai_assisted, t.commits), t.ai_verified,
                       percent(t.ai_verified, t.ai_assisted), t.violations);
}

void md_table(std::string& out, const char* title, const char* key,
              const std::map<std::string, Tally>& m, bool by_size, std::size_t max, bool last) {
  auto cell = [](std::string_view s) {
    std::string c = sanitize(valid_utf8(s));
    std::string o;
    for (char ch : c) {
      if (ch == '|' || ch == '\\' || ch == '`' || ch == '*' || ch == '_' || ch == '<')
        o += '\\';
      o += ch;
    }
    return o;
  };
  out += fmt::format("\n## {}\n\n", title);
  if (m.size() > max)
    out += fmt::format("{} of {} shown.\n\n", max, m.size());
  out += fmt::format(
      "| {} | commits | AI-assisted | AI share | verified | verified share | "
      "violations |\n|---|---:|---:|---:|---:|---:|---:|\n",
      key);
  for (const auto& [k, t] : rows(m, by_size, max, last))
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", cell(k), t.commits, t.ai_assisted,
                       percent(t.ai_assisted, t.commits), t.ai_verified,
                       percent(t.ai_verified, t.ai_assisted), t.violations);
}

}  // namespace

void render_record_json(const AuditRecord& r, std::string& out) {
  append_commit_json(out, r.evaluation);
}

void render_record_json_without_ref(const AuditRecord& r, std::string& out, std::size_t& ref_at) {
  append_commit_json_without_ref(out, r.evaluation, -1, ref_at);
}

std::string csv_header() {
  return commit_csv_header();
}

void render_record_csv(const AuditRecord& r, std::string& out) {
  append_commit_csv(out, r.evaluation, -1);
}

std::string render_summary_json(const AuditSummary& s) {
  nlohmann::ordered_json j;
  j["schema"] = kAuditSchema;
  j["policy"] = valid_utf8(s.policy_source);
  j["verification"] = s.verification;
  j["catalogue_version"] = detect::catalogue_version();
  auto scanned = nlohmann::ordered_json::array();
  for (const auto& x : s.scanned)
    scanned.push_back(valid_utf8(x));
  j["scanned"] = std::move(scanned);
  j["since"] = s.since.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(s.since);
  j["until"] = s.until.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(s.until);
  j["total"] = tally_json(s.total);
  auto verdicts = nlohmann::ordered_json::object();
  for (const auto& [v, n] : s.by_verdict)
    verdicts[v] = n;
  j["by_verdict"] = std::move(verdicts);
  j["reviewed_late"] = s.reviewed_late;
  j["open_review_debt"] = s.open_review_debt;
  j["by_week"] = tallies_json(s.by_week, "week");
  j["by_month"] = tallies_json(s.by_month, "month");
  j["by_author"] = tallies_json(s.by_author, "author");
  j["by_tool"] = tallies_json(s.by_tool, "tool");
  j["by_model"] = tallies_json(s.by_model, "model");
  auto reviewers = nlohmann::ordered_json::array();
  for (const auto& [who, n] : s.by_reviewer)
    reviewers.push_back({{"reviewer", valid_utf8(who)}, {"verified_reviews", n}});
  j["by_reviewer"] = std::move(reviewers);
  auto gaps = nlohmann::ordered_json::array();
  for (const auto& [who, n] : s.top_gap_authors)
    gaps.push_back({{"author", valid_utf8(who)}, {"ai_violations", n}});
  j["top_gap_authors"] = std::move(gaps);
  auto largest = nlohmann::ordered_json::array();
  for (const auto& r : s.largest_gaps)
    largest.push_back({{"id", r.evaluation.id},
                       {"subject", valid_utf8(r.evaluation.subject)},
                       {"author", valid_utf8(r.evaluation.author.email)},
                       {"lines_changed", r.lines_changed},
                       {"verdict", to_string(r.evaluation.verdict)}});
  j["largest_gaps"] = std::move(largest);
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string render_audit_text(const AuditSummary& s, const std::vector<AuditRecord>& violations,
                              std::int64_t violations_left_out) {
  std::string out;
  const Tally& t = s.total;
  out += fmt::format("trailgate audit: {} (verification: {}, marker catalogue {})\n",
                     s.policy_source.empty() ? "no policy" : clip(s.policy_source, 200),
                     s.verification, detect::catalogue_version());
  std::string scanned;
  for (const auto& x : s.scanned)
    scanned += (scanned.empty() ? "" : ", ") + clip(x, 100);
  out += fmt::format("scanned: {}{}{}\n\n", scanned.empty() ? "(nothing)" : scanned,
                     s.since.empty() ? "" : ", since " + s.since,
                     s.until.empty() ? "" : ", until " + s.until);
  out += fmt::format("  commits            {:>8}\n", t.commits);
  out += fmt::format("  AI-assisted        {:>8}  {} of commits\n", t.ai_assisted,
                     percent(t.ai_assisted, t.commits));
  out += fmt::format(
      "    agent-authored   {:>8}  {} of AI-assisted: an AI agent wrote it on its own\n",
      t.agent_authored, percent(t.agent_authored, t.ai_assisted));
  out +=
      fmt::format("    assisted         {:>8}  {} of AI-assisted: a human's commit with AI help\n",
                  t.assisted(), percent(t.assisted(), t.ai_assisted));
  out += fmt::format("  verified-reviewed  {:>8}  {} of AI-assisted\n", t.ai_verified,
                     percent(t.ai_verified, t.ai_assisted));
  out += fmt::format("  violations         {:>8}  {} of commits\n", t.violations,
                     percent(t.violations, t.commits));
  out += fmt::format("  reviewed late      {:>8}  approved afterwards by review note\n",
                     s.reviewed_late);
  out += fmt::format(
      "  open review debt   {:>8}  break-glass, or AI-assisted from before the policy\n",
      s.open_review_debt);
  out += "\nverdicts\n";
  for (const auto& [v, n] : s.by_verdict)
    out += fmt::format("  {:<16} {:>8}\n", v, n);
  text_table(out, "by month", "month", s.by_month, false, 24, true);
  text_table(out, "by week", "week", s.by_week, false, 12, true);
  text_table(out, "by author", "author", s.by_author, true, 25, false);
  text_table(out, "by tool", "tool", s.by_tool, true, 50, false);
  text_table(out, "by model (AI-assisted commits; \"unknown\": no marker names one)", "model",
             s.by_model, true, 50, false);
  out += "\nverified reviews by reviewer\n";
  for (const auto& [who, n] : s.by_reviewer)
    out += fmt::format("  {:<40} {:>8}\n", clip(who, 40), n);
  out += "\ntop gaps: authors with the most unreviewed AI-assisted commits\n";
  for (const auto& [who, n] : s.top_gap_authors)
    out += fmt::format("  {:<40} {:>8}\n", clip(who, 40), n);
  out += "\ntop gaps: largest unreviewed AI-assisted commits (lines changed)\n";
  for (const auto& r : s.largest_gaps)
    out += fmt::format("  {:>8}  {} {:<14} {}  {}\n", r.lines_changed, short_id(r.evaluation.id),
                       to_string(r.evaluation.verdict), clip(r.evaluation.author.email, 32),
                       clip(r.evaluation.subject, 60));
  if (!violations.empty()) {
    out += "\nviolations\n";
    for (const auto& record : violations) {
      const CommitEvaluation& r = record.evaluation;
      out += fmt::format("  {:<14} {} {}  {}\n", to_string(r.verdict), short_id(r.id),
                         clip(r.author.email, 32), clip(r.subject, 60));
      if (!r.responsible.empty()) {
        std::string who;
        for (const auto& h : r.responsible)
          who += (who.empty() ? "" : "; ") + render_responsible(h);
        out += fmt::format("      {}; responsible: {}\n", render_author_level(r), clip(who, 300));
      }
      for (const auto& c : r.reviews.claims)
        if (c.status != review::ClaimStatus::verified)
          out += fmt::format("      {} does not count ({}): {}\n", clip(c.trailer, 80),
                             review::to_string(c.status), clip(c.reason, 160));
    }
    if (violations_left_out > 0)
      out += fmt::format("  ... and {} more (use --format csv or jsonl for all)\n",
                         violations_left_out);
  }
  return out;
}

std::string render_audit_md(const AuditSummary& s) {
  std::string out;
  const Tally& t = s.total;
  out += "# trailgate audit\n\n";
  out += fmt::format("Policy: `{}` (verification: {}). Marker catalogue: {}. Scanned: {}.{}{}\n\n",
                     s.policy_source.empty() ? "none" : sanitize(valid_utf8(s.policy_source)),
                     s.verification, detect::catalogue_version(), s.scanned.size(),
                     s.since.empty() ? "" : " Since " + s.since + ".",
                     s.until.empty() ? "" : " Until " + s.until + ".");
  out += "| | count | share |\n|---|---:|---:|\n";
  out += fmt::format("| commits | {} | |\n", t.commits);
  out += fmt::format("| AI-assisted | {} | {} of commits |\n", t.ai_assisted,
                     percent(t.ai_assisted, t.commits));
  out += fmt::format("| agent-authored | {} | {} of AI-assisted |\n", t.agent_authored,
                     percent(t.agent_authored, t.ai_assisted));
  out += fmt::format("| assisted | {} | {} of AI-assisted |\n", t.assisted(),
                     percent(t.assisted(), t.ai_assisted));
  out += fmt::format("| verified-reviewed | {} | {} of AI-assisted |\n", t.ai_verified,
                     percent(t.ai_verified, t.ai_assisted));
  out += fmt::format("| violations | {} | {} of commits |\n", t.violations,
                     percent(t.violations, t.commits));
  out += "\n## Verdicts\n\n| verdict | commits |\n|---|---:|\n";
  for (const auto& [v, n] : s.by_verdict)
    out += fmt::format("| {} | {} |\n", v, n);
  md_table(out, "By month", "month", s.by_month, false, 1000, true);
  md_table(out, "By week", "week", s.by_week, false, 1000, true);
  md_table(out, "By author", "author", s.by_author, true, 1000, false);
  md_table(out, "By tool", "tool", s.by_tool, true, 1000, false);
  md_table(out, "By model", "model", s.by_model, true, 1000, false);
  out += "\n## Verified reviews by reviewer\n\n| reviewer | verified reviews |\n|---|---:|\n";
  for (const auto& [who, n] : s.by_reviewer)
    out += fmt::format("| {} | {} |\n", sanitize(valid_utf8(who)), n);
  out += "\n## Top gaps: authors\n\n| author | unreviewed AI-assisted |\n|---|---:|\n";
  for (const auto& [who, n] : s.top_gap_authors)
    out += fmt::format("| {} | {} |\n", sanitize(valid_utf8(who)), n);
  out +=
      "\n## Top gaps: largest commits\n\n| commit | lines | verdict | author |\n"
      "|---|---:|---|---|\n";
  for (const auto& r : s.largest_gaps)
    out += fmt::format("| `{}` | {} | {} | {} |\n", short_id(r.evaluation.id), r.lines_changed,
                       to_string(r.evaluation.verdict),
                       sanitize(valid_utf8(r.evaluation.author.email)));
  return out;
}

}  // namespace trailgate::report
