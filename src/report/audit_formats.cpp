#include "report/audit_formats.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "detect/markers.h"
#include "report/commit_json.h"
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

// A group of people (AuditSummary::group_of) as JSON: {key: group, "name": the roster name or
// null, "emails": all the roster person's emails, or the group's email alone}.
nlohmann::ordered_json person_json(const AuditSummary& s, const char* key, const std::string& g) {
  nlohmann::ordered_json row = {{key, valid_utf8(g)}};
  auto emails = nlohmann::ordered_json::array();
  auto it = s.people.find(g);
  if (it == s.people.end()) {
    row["name"] = nullptr;
    emails.push_back(valid_utf8(g));
  } else {
    row["name"] = valid_utf8(it->second.name);
    for (const auto& e : it->second.emails)
      emails.push_back(valid_utf8(e));
  }
  row["emails"] = std::move(emails);
  return row;
}

nlohmann::ordered_json tallies_json(const std::map<std::string, Tally>& m, const char* key,
                                    const AuditSummary* people = nullptr) {
  auto arr = nlohmann::ordered_json::array();
  for (const auto& [k, t] : m) {
    nlohmann::ordered_json row =
        people ? person_json(*people, key, k) : nlohmann::ordered_json{{key, valid_utf8(k)}};
    row.update(tally_json(t));
    arr.push_back(std::move(row));
  }
  return arr;
}

// The report's provenance fields, in the order docs/audit.md lists them.
void provenance_json(nlohmann::ordered_json& j, const AuditSummary& s) {
  auto text_or_null = [](const std::string& v) {
    return v.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(valid_utf8(v));
  };
  j["repository"] = valid_utf8(s.repository);
  auto scanned = nlohmann::ordered_json::array();
  for (const auto& x : s.scanned)
    scanned.push_back(valid_utf8(x));
  j["scanned"] = std::move(scanned);
  auto tips = nlohmann::ordered_json::array();
  for (const auto& x : s.scanned_tips)
    tips.push_back(valid_utf8(x));
  j["scanned_tips"] = std::move(tips);
  j["since"] = text_or_null(s.since);
  j["until"] = text_or_null(s.until);
  j["generated_at"] = valid_utf8(s.generated_at);
  j["trailgate_version"] = valid_utf8(s.trailgate_version);
  j["catalogue_version"] = detect::catalogue_version();
  j["policy"] = valid_utf8(s.policy_source);
  j["policy_sha256"] = text_or_null(s.policy_sha256);
  j["verification"] = s.verification;
}

std::string percent(std::int64_t part, std::int64_t whole) {
  return fmt::format("{:.1f}%", 100.0 * audit::share(part, whole));
}

// `s` for a text report: escaped, valid UTF-8, at most `max` code points (cut ones end in
// "...").
std::string clip(std::string_view s, std::size_t max) {
  std::string clean = sanitize(valid_utf8(s));
  std::size_t points = 0, at = 0, cut = std::string::npos;
  for (; at < clean.size(); at += std::max<std::size_t>(1, util::utf8_sequence_length(clean, at))) {
    if (points == (max > 3 ? max - 3 : 0))
      cut = at;
    if (++points > max)
      break;
  }
  return points <= max ? clean : clean.substr(0, cut) + "...";
}

// The code points of valid UTF-8 `s`: its width in a text table.
std::size_t width(std::string_view s) {
  std::size_t n = 0;
  for (char c : s)
    n += !util::is_utf8_continuation(static_cast<unsigned char>(c));
  return n;
}

// `s` padded with spaces to `w` code points (left-aligned).
std::string pad(const std::string& s, std::size_t w) {
  std::size_t have = width(s);
  return have >= w ? s : s + std::string(w - have, ' ');
}

// The widest first column of a text table may take: longer keys are clipped.
constexpr std::size_t kMaxKeyWidth = 160;

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

// A tally table: the first column as wide as its widest key (up to kMaxKeyWidth), so the
// numbers stay in their columns whatever the keys. `label` names a key (person_label for
// people); null = the key itself.
void text_table(std::string& out, const char* title, const char* key,
                const std::map<std::string, Tally>& m, bool by_size, std::size_t max, bool last,
                const AuditSummary* people = nullptr) {
  out += fmt::format("\n{}{}\n", title,
                     m.size() > max ? fmt::format(" ({} of {} shown)", max, m.size()) : "");
  std::vector<std::pair<std::string, Tally>> shown = rows(m, by_size, max, last);
  std::vector<std::string> labels;
  std::size_t w = width(key);
  for (const auto& row : shown) {
    labels.push_back(clip(people ? person_label(*people, row.first) : row.first, kMaxKeyWidth));
    w = std::max(w, width(labels.back()));
  }
  out += fmt::format("  {} {:>8} {:>8} {:>7} {:>8} {:>7} {:>10}\n", pad(key, w), "commits", "AI",
                     "AI%", "verified", "ver%", "violations");
  for (std::size_t i = 0; i < shown.size(); ++i) {
    const Tally& t = shown[i].second;
    out += fmt::format("  {} {:>8} {:>8} {:>7} {:>8} {:>7} {:>10}\n", pad(labels[i], w), t.commits,
                       t.ai_assisted, percent(t.ai_assisted, t.commits), t.ai_verified,
                       percent(t.ai_verified, t.ai_assisted), t.violations);
  }
}

// A two-column list of people and a count, under `title`; nothing at all when it is empty.
void text_people(std::string& out, const char* title, const AuditSummary& s,
                 const std::vector<std::pair<std::string, std::int64_t>>& list) {
  if (list.empty())
    return;
  out += fmt::format("\n{}\n", title);
  std::vector<std::string> labels;
  std::size_t w = 0;
  for (const auto& row : list) {
    labels.push_back(clip(person_label(s, row.first), kMaxKeyWidth));
    w = std::max(w, width(labels.back()));
  }
  for (std::size_t i = 0; i < list.size(); ++i)
    out += fmt::format("  {} {:>8}\n", pad(labels[i], w), list[i].second);
}

// Untrusted text as one Markdown table cell: escaped, so it cannot end the cell or add markup.
std::string md_cell(std::string_view s) {
  std::string c = sanitize(valid_utf8(s));
  std::string o;
  for (char ch : c) {
    if (ch == '|' || ch == '\\' || ch == '`' || ch == '*' || ch == '_' || ch == '<')
      o += '\\';
    o += ch;
  }
  return o;
}

// Untrusted text inside `...`: a backquote or '|' cannot close the span or the cell.
std::string md_code(std::string_view s) {
  std::string o;
  for (char ch : sanitize(valid_utf8(s)))
    if (ch == '`')
      o += '\'';
    else if (ch == '|')
      o += "\\|";
    else
      o += ch;
  return o;
}

void md_table(std::string& out, const char* title, const char* key,
              const std::map<std::string, Tally>& m, bool by_size, std::size_t max, bool last,
              const AuditSummary* people = nullptr) {
  auto cell = [&](const std::string& k) { return md_cell(people ? person_label(*people, k) : k); };
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

std::string person_label(const AuditSummary& s, const std::string& group) {
  auto it = s.people.find(group);
  if (it == s.people.end())
    return group;
  std::string emails;
  for (const auto& e : it->second.emails)
    emails += (emails.empty() ? "" : ", ") + e;
  return it->second.name + " <" + emails + ">";
}

std::string render_header_jsonl(const AuditSummary& s) {
  nlohmann::ordered_json j;
  j["type"] = "header";
  j["schema"] = kAuditSchema;
  provenance_json(j, s);
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string csv_header() {
  std::string h = commit_csv_header();
  h.resize(h.size() - 2);  // its CRLF
  return h +
         ",audit_repository,audit_scanned,audit_since,audit_until,audit_generated_at,"
         "audit_trailgate_version,audit_policy_sha256\r\n";
}

std::string csv_provenance_cells(const AuditSummary& s) {
  std::string scanned;
  for (const auto& x : s.scanned)
    scanned += (scanned.empty() ? "" : " ") + x;
  std::string out;
  for (const std::string* cell : std::initializer_list<const std::string*>{
           &s.repository, &scanned, &s.since, &s.until, &s.generated_at, &s.trailgate_version,
           &s.policy_sha256}) {
    out += ',';
    append_csv_cell(out, *cell);
  }
  return out;
}

void render_record_csv(const AuditRecord& r, std::string_view provenance, std::string& out) {
  append_commit_csv(out, r.evaluation, -1);
  out.resize(out.size() - 2);  // its CRLF
  out += provenance;
  out += "\r\n";
}

std::string render_summary_json(const AuditSummary& s) {
  nlohmann::ordered_json j;
  j["schema"] = kAuditSchema;
  provenance_json(j, s);
  j["total"] = tally_json(s.total);
  auto verdicts = nlohmann::ordered_json::object();
  for (const auto& [v, n] : s.by_verdict)
    verdicts[v] = n;
  j["by_verdict"] = std::move(verdicts);
  j["reviewed_late"] = s.reviewed_late;
  j["open_review_debt"] = s.open_review_debt;
  j["by_week"] = tallies_json(s.by_week, "week");
  j["by_month"] = tallies_json(s.by_month, "month");
  j["by_author"] = tallies_json(s.by_author, "author", &s);
  j["by_tool"] = tallies_json(s.by_tool, "tool");
  j["by_model"] = tallies_json(s.by_model, "model");
  auto reviewers = nlohmann::ordered_json::array();
  for (const auto& [who, n] : s.by_reviewer) {
    nlohmann::ordered_json row = person_json(s, "reviewer", who);
    row["verified_reviews"] = n;
    reviewers.push_back(std::move(row));
  }
  j["by_reviewer"] = std::move(reviewers);
  auto gaps = nlohmann::ordered_json::array();
  for (const auto& [who, n] : s.top_gap_authors) {
    nlohmann::ordered_json row = person_json(s, "author", who);
    row["ai_violations"] = n;
    gaps.push_back(std::move(row));
  }
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
  out += fmt::format("repository: {}\n", clip(s.repository, 300));
  out += fmt::format("scanned: {}{}{}\n", scanned.empty() ? "(nothing)" : scanned,
                     s.since.empty() ? "" : ", since " + clip(s.since, 20),
                     s.until.empty() ? "" : ", until " + clip(s.until, 20));
  for (std::size_t i = 0; i < s.scanned.size() && i < s.scanned_tips.size(); ++i)
    out += fmt::format("  {} at {}\n", clip(s.scanned[i], 100), clip(s.scanned_tips[i], 64));
  out += fmt::format("policy sha256: {}\n",
                     s.policy_sha256.empty() ? "(no policy)" : clip(s.policy_sha256, 64));
  out += fmt::format("generated: {} by {}\n\n", clip(s.generated_at, 40),
                     clip(s.trailgate_version, 100));
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
  text_table(out, "by author (a roster person with all their emails, else the email)", "author",
             s.by_author, true, 25, false, &s);
  text_table(out, "by tool", "tool", s.by_tool, true, 50, false);
  text_table(out, "by model (AI-assisted commits; \"unknown\": no marker names one)", "model",
             s.by_model, true, 50, false);
  text_people(out, "verified reviews by reviewer", s, {s.by_reviewer.begin(), s.by_reviewer.end()});
  text_people(out, "top gaps: authors with the most unreviewed AI-assisted commits", s,
              s.top_gap_authors);
  if (!s.largest_gaps.empty())
    out += "\ntop gaps: largest unreviewed AI-assisted commits (lines changed)\n";
  // The author column as wide as the widest email listed, so the subjects line up.
  auto email_width = [](const std::vector<AuditRecord>& records) {
    std::size_t w = 0;
    for (const auto& r : records)
      w = std::max(w, width(clip(r.evaluation.author.email, kMaxKeyWidth)));
    return w;
  };
  const std::size_t gap_w = email_width(s.largest_gaps);
  for (const auto& r : s.largest_gaps)
    out += fmt::format("  {:>8}  {} {:<14} {}  {}\n", r.lines_changed, short_id(r.evaluation.id),
                       to_string(r.evaluation.verdict),
                       pad(clip(r.evaluation.author.email, kMaxKeyWidth), gap_w),
                       clip(r.evaluation.subject, 60));
  if (!violations.empty()) {
    out += "\nviolations\n";
    const std::size_t violation_w = email_width(violations);
    for (const auto& record : violations) {
      const CommitEvaluation& r = record.evaluation;
      out += fmt::format("  {:<14} {} {}  {}\n", to_string(r.verdict), short_id(r.id),
                         pad(clip(r.author.email, kMaxKeyWidth), violation_w), clip(r.subject, 60));
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
                     s.policy_source.empty() ? "none" : md_code(s.policy_source), s.verification,
                     detect::catalogue_version(), s.scanned.size(),
                     s.since.empty() ? "" : " Since " + md_cell(s.since) + ".",
                     s.until.empty() ? "" : " Until " + md_cell(s.until) + ".");
  out += "| report | |\n|---|---|\n";
  out += fmt::format("| repository | `{}` |\n", md_code(s.repository));
  for (std::size_t i = 0; i < s.scanned.size(); ++i)
    out += fmt::format("| scanned | `{}` at `{}` |\n", md_code(s.scanned[i]),
                       i < s.scanned_tips.size() ? md_code(s.scanned_tips[i]) : "");
  out += fmt::format("| since | {} |\n| until | {} |\n", s.since.empty() ? "-" : md_cell(s.since),
                     s.until.empty() ? "-" : md_cell(s.until));
  out += fmt::format("| generated | {} |\n", md_cell(s.generated_at));
  out += fmt::format("| trailgate | {} |\n", md_cell(s.trailgate_version));
  out += fmt::format("| marker catalogue | {} |\n", detect::catalogue_version());
  out += fmt::format("| policy sha256 | `{}` |\n\n",
                     s.policy_sha256.empty() ? "none" : md_code(s.policy_sha256));
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
  md_table(out, "By author", "author", s.by_author, true, 1000, false, &s);
  md_table(out, "By tool", "tool", s.by_tool, true, 1000, false);
  md_table(out, "By model", "model", s.by_model, true, 1000, false);
  out += "\n## Verified reviews by reviewer\n\n| reviewer | verified reviews |\n|---|---:|\n";
  for (const auto& [who, n] : s.by_reviewer)
    out += fmt::format("| {} | {} |\n", md_cell(person_label(s, who)), n);
  out += "\n## Top gaps: authors\n\n| author | unreviewed AI-assisted |\n|---|---:|\n";
  for (const auto& [who, n] : s.top_gap_authors)
    out += fmt::format("| {} | {} |\n", md_cell(person_label(s, who)), n);
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
