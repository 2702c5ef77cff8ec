#include "report/audit_html.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "audit_assets.h"
#include "detect/markers.h"
#include "util/calendar.h"
#include "util/utf8.h"

namespace trailgate::report {
namespace {

using audit::AuditRecord;
using audit::AuditSummary;
using audit::Tally;

// Bounds that keep the page readable (and small) for very large histories.
constexpr std::size_t kMaxBreakdownRows = 100;
constexpr std::size_t kMaxWeeklyPeriods = 53;   // more weeks than this: chart by month
constexpr std::size_t kMaxFilledPeriods = 600;  // beyond this, chart only non-empty periods

// ---- text --------------------------------------------------------------------------------------

// Commit-derived text as HTML character data or attribute value: well-formed UTF-8 (invalid
// bytes become U+FFFD), the five special characters escaped, and control characters other than
// tab and newline shown as \xNN so they cannot disturb the page or hide text.
std::string esc(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t len = util::utf8_sequence_length(s, i);
    if (len == 0) {
      // One U+FFFD per maximal ill-formed subpart, as a browser's own decoder would show it.
      out += util::kReplacementCharacter;
      i += util::utf8_maximal_subpart(s, i);
      continue;
    }
    if (len > 1) {
      out.append(s, i, len);
      i += len;
      continue;
    }
    const char c = s[i++];
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
        out += "&#39;";
        break;
      case '\t':
      case '\n':
        out += c;
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
          out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        else
          out += c;
    }
  }
  return out;
}

// 1234567 -> "1,234,567".
std::string count(std::int64_t n) {
  const std::uint64_t magnitude =
      n < 0 ? 0 - static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(n);
  const std::string digits = std::to_string(magnitude);
  std::string out = n < 0 ? "-" : "";
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return out;
}

std::optional<double> ratio(std::int64_t part, std::int64_t whole) {
  if (whole <= 0)
    return std::nullopt;
  return static_cast<double>(part) / static_cast<double>(whole);
}

// "37.5%", or an em dash when there is nothing to divide by.
std::string percent(std::optional<double> r) {
  return r ? fmt::format("{:.1f}%", *r * 100.0) : std::string("\u2014");
}

// Author date as YYYY-MM-DD (UTC).
std::string day_of(std::int64_t seconds) {
  // Dates are whatever the commit says; outside years 0-9999 they are not worth a calendar.
  if (seconds < -62'167'219'200 || seconds > 253'402'300'799)
    return "?";
  const util::CivilDate date = util::civil_from_seconds(seconds);
  return fmt::format("{:04d}-{:02d}-{:02d}", date.year, date.month, date.day);
}

// ---- periods -----------------------------------------------------------------------------------

struct Period {
  std::string label;
  Tally tally;  // all zero for a period without commits
};

bool parse_int(std::string_view s, int* out) {
  if (s.empty() || s.size() > 6)
    return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9')
      return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

// The label after `label` ("2026-W52" -> "2027-W01", "2026-12" -> "2027-01"), or nothing when
// the label is not one the summary writes.
std::optional<std::string> next_period(const std::string& label, bool weekly) {
  int year = 0, n = 0;
  if (weekly) {
    if (label.size() < 8 || label[4] != '-' || label[5] != 'W' ||
        !parse_int(std::string_view(label).substr(0, 4), &year) ||
        !parse_int(std::string_view(label).substr(6), &n) || n < 1 || n > 53)
      return std::nullopt;
    if (++n > static_cast<int>(util::iso_weeks_in_year(year))) {
      n = 1;
      ++year;
    }
    return fmt::format("{:04d}-W{:02d}", year, n);
  }
  if (label.size() != 7 || label[4] != '-' ||
      !parse_int(std::string_view(label).substr(0, 4), &year) ||
      !parse_int(std::string_view(label).substr(5), &n) || n < 1 || n > 12)
    return std::nullopt;
  if (++n > 12) {
    n = 1;
    ++year;
  }
  return fmt::format("{:04d}-{:02d}", year, n);
}

// The periods between the first and last with commits, empty ones included so that the time
// axis is even. Falls back to the non-empty periods when labels are unexpected or the span is
// absurdly long (a commit dated 1970 in a 2020s history).
std::vector<Period> fill_periods(const std::map<std::string, Tally>& by_period, bool weekly) {
  std::vector<Period> sparse;
  for (const auto& [label, tally] : by_period)
    sparse.push_back({label, tally});
  if (sparse.size() < 2)
    return sparse;
  std::vector<Period> filled;
  std::string label = sparse.front().label;
  const std::string& last = sparse.back().label;
  while (true) {
    auto it = by_period.find(label);
    filled.push_back({label, it == by_period.end() ? Tally{} : it->second});
    if (label == last)
      return filled;
    auto next = next_period(label, weekly);
    if (!next || *next > last || filled.size() >= kMaxFilledPeriods)
      return sparse;
    label = *next;
  }
}

struct Series {
  std::vector<Period> periods;
  bool weekly = true;
};

Series series_of(const AuditSummary& summary) {
  Series s;
  s.periods = fill_periods(summary.by_week, true);
  if (s.periods.size() > kMaxWeeklyPeriods || (s.periods.empty() && !summary.by_month.empty())) {
    s.periods = fill_periods(summary.by_month, false);
    s.weekly = false;
  }
  return s;
}

// ---- charts ------------------------------------------------------------------------------------

// Geometry shared by both charts (SVG user units; the SVG scales to the page width).
constexpr double kWidth = 1100, kHeight = 250;
constexpr double kLeft = 56, kRight = 16, kTop = 16, kBottom = 48;
constexpr double kPlotW = kWidth - kLeft - kRight, kPlotH = kHeight - kTop - kBottom;

double y_of(double r) {
  return kTop + kPlotH * (1.0 - r);
}

// Opening tag, y grid with percent labels, x labels (thinned so they never overlap).
void chart_frame(std::string& out, const std::string& id, const std::string& aria,
                 const std::vector<Period>& periods) {
  fmt::format_to(std::back_inserter(out),
                 "<svg id=\"{}\" class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\" "
                 "aria-label=\"{}\">\n",
                 id, kWidth, kHeight, aria);
  for (int pct = 0; pct <= 100; pct += 25) {
    const double y = y_of(pct / 100.0);
    fmt::format_to(std::back_inserter(out),
                   "<line class=\"grid\" x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\"/>"
                   "<text class=\"ylabel\" x=\"{}\" y=\"{:.1f}\">{}%</text>\n",
                   kLeft, y, kWidth - kRight, y, kLeft - 8, y + 4, pct);
  }
  fmt::format_to(std::back_inserter(out),
                 "<line class=\"axis\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>"
                 "<line class=\"axis\" x1=\"{0}\" y1=\"{2}\" x2=\"{3}\" y2=\"{2}\"/>\n",
                 kLeft, kTop, kTop + kPlotH, kWidth - kRight);
  if (periods.empty())
    return;
  const double slot = kPlotW / static_cast<double>(periods.size());
  const std::size_t every = std::max<std::size_t>(1, (periods.size() + 11) / 12);
  for (std::size_t i = 0; i < periods.size(); i += every) {
    const double x = kLeft + slot * (static_cast<double>(i) + 0.5);
    fmt::format_to(std::back_inserter(out),
                   "<line class=\"tick\" x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\"/>"
                   "<text class=\"xlabel\" x=\"{0:.1f}\" y=\"{3}\">{4}</text>\n",
                   x, kTop + kPlotH, kTop + kPlotH + 5, kTop + kPlotH + 20, esc(periods[i].label));
  }
}

void no_data(std::string& out) {
  fmt::format_to(std::back_inserter(out),
                 "<text class=\"nodata\" x=\"{}\" y=\"{}\">no data</text>\n", kLeft + kPlotW / 2,
                 kTop + kPlotH / 2);
}

// A dashed line at the overall value, so each period can be read against it.
void average_line(std::string& out, std::optional<double> r, const char* what) {
  if (!r)
    return;
  const double y = y_of(*r);
  fmt::format_to(std::back_inserter(out),
                 "<line class=\"avg\" x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\">"
                 "<title>overall {}: {}</title></line>\n",
                 kLeft, y, kWidth - kRight, y, what, percent(r));
}

// Chart 1: one bar per period, its height the share of commits that are AI-assisted.
std::string share_chart(const Series& series, const AuditSummary& summary) {
  std::string out;
  chart_frame(out, "chart-share", "AI-assisted share of commits per period", series.periods);
  const double slot =
      series.periods.empty() ? 0 : kPlotW / static_cast<double>(series.periods.size());
  const double bar = std::max(1.0, slot * 0.7);
  bool any = false;
  for (std::size_t i = 0; i < series.periods.size(); ++i) {
    const Period& p = series.periods[i];
    if (p.tally.commits == 0)
      continue;
    any = true;
    const double r = *ratio(p.tally.ai_assisted, p.tally.commits);
    const double x = kLeft + slot * static_cast<double>(i) + (slot - bar) / 2;
    // A sliver for 0% keeps the period visible and hoverable.
    const double h = std::max(1.5, kPlotH * r);
    fmt::format_to(std::back_inserter(out),
                   "<rect class=\"bar\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" "
                   "height=\"{:.1f}\"><title>{}: {} of {} commits AI-assisted ({})</title>"
                   "</rect>\n",
                   x, kTop + kPlotH - h, bar, h, esc(p.label), count(p.tally.ai_assisted),
                   count(p.tally.commits), percent(r));
  }
  if (!any)
    no_data(out);
  else
    average_line(out, ratio(summary.total.ai_assisted, summary.total.commits), "share");
  out += "</svg>\n";
  return out;
}

// Chart 2: the share of AI-assisted commits whose reviews verified, as a line with a point per
// period; periods without AI-assisted commits have no rate and break the line.
std::string rate_chart(const Series& series, const AuditSummary& summary) {
  std::string out;
  chart_frame(out, "chart-rate", "verified-review rate of AI-assisted commits per period",
              series.periods);
  const double slot =
      series.periods.empty() ? 0 : kPlotW / static_cast<double>(series.periods.size());
  std::vector<std::vector<std::pair<double, double>>> segments(1);
  std::string points;
  for (std::size_t i = 0; i < series.periods.size(); ++i) {
    const Period& p = series.periods[i];
    const auto r = ratio(p.tally.ai_verified, p.tally.ai_assisted);
    if (!r) {
      if (!segments.back().empty())
        segments.emplace_back();
      continue;
    }
    const double x = kLeft + slot * (static_cast<double>(i) + 0.5);
    const double y = y_of(*r);
    segments.back().emplace_back(x, y);
    fmt::format_to(std::back_inserter(points),
                   "<circle class=\"point\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{}\">"
                   "<title>{}: {} of {} AI-assisted commits verified ({})</title></circle>\n",
                   x, y, series.periods.size() > 120 ? 2.5 : 4.0, esc(p.label),
                   count(p.tally.ai_verified), count(p.tally.ai_assisted), percent(r));
  }
  for (const auto& segment : segments) {
    if (segment.size() < 2)
      continue;
    out += "<polyline class=\"line\" points=\"";
    for (const auto& [x, y] : segment)
      fmt::format_to(std::back_inserter(out), "{:.1f},{:.1f} ", x, y);
    out += "\"/>\n";
  }
  if (points.empty())
    no_data(out);
  else
    average_line(out, ratio(summary.total.ai_verified, summary.total.ai_assisted), "rate");
  out += points;
  out += "</svg>\n";
  return out;
}

// ---- tables ------------------------------------------------------------------------------------

void table_head(std::string& out, const char* id, std::initializer_list<const char*> columns,
                std::initializer_list<const char*> numeric = {}) {
  fmt::format_to(std::back_inserter(out), "<table id=\"{}\"><thead><tr>", id);
  for (const char* c : columns) {
    const bool num = std::find_if(numeric.begin(), numeric.end(), [&](const char* n) {
                       return std::string_view(n) == c;
                     }) != numeric.end();
    fmt::format_to(std::back_inserter(out), "<th{}>{}</th>", num ? " class=\"num\"" : "", c);
  }
  out += "</tr></thead><tbody>\n";
}

void empty_row(std::string& out, int columns, const char* text = "no data") {
  fmt::format_to(std::back_inserter(out), "<tr class=\"empty\"><td colspan=\"{}\">{}</td></tr>\n",
                 columns, text);
}

void more_rows(std::string& out, std::size_t shown, std::size_t total, const char* what) {
  if (total > shown)
    fmt::format_to(std::back_inserter(out), "<p class=\"note\">Showing the top {} of {} {}.</p>\n",
                   count(static_cast<std::int64_t>(shown)), count(static_cast<std::int64_t>(total)),
                   what);
}

// Rows of a name -> Tally map, most commits first.
std::vector<std::pair<std::string, Tally>> by_commits(const std::map<std::string, Tally>& m) {
  std::vector<std::pair<std::string, Tally>> rows(m.begin(), m.end());
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.second.commits > b.second.commits;
  });
  return rows;
}

// A group of people (AuditSummary::group_of) in a table cell: a roster person's name with all
// their emails under it, else the email.
std::string person_cell(const AuditSummary& s, const std::string& group) {
  auto it = s.people.find(group);
  if (it == s.people.end())
    return esc(group);
  std::string emails;
  for (const auto& e : it->second.emails)
    emails += (emails.empty() ? "" : ", ") + esc(e);
  return fmt::format("<span class=\"person\">{}</span><br><small class=\"emails\">{}</small>",
                     esc(it->second.name), emails);
}

void author_table(std::string& out, const AuditSummary& s) {
  const auto rows = by_commits(s.by_author);
  table_head(out, "by-author",
             {"Author", "Commits", "AI-assisted", "Verified", "Unreviewed AI", "Violations"},
             {"Commits", "AI-assisted", "Verified", "Unreviewed AI", "Violations"});
  const std::size_t shown = std::min(rows.size(), kMaxBreakdownRows);
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& [author, t] = rows[i];
    fmt::format_to(std::back_inserter(out),
                   "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
                   "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
                   "</tr>\n",
                   person_cell(s, author), count(t.commits), count(t.ai_assisted),
                   count(t.ai_verified), count(t.ai_assisted - t.ai_verified), count(t.violations));
  }
  if (rows.empty())
    empty_row(out, 6);
  out += "</tbody></table>\n";
  more_rows(out, shown, rows.size(), "authors");
}

void tool_table(std::string& out, const AuditSummary& s) {
  const auto rows = by_commits(s.by_tool);
  table_head(out, "by-tool",
             {"Tool or marker", "Commits", "Verified", "Verified rate", "Violations"},
             {"Commits", "Verified", "Verified rate", "Violations"});
  const std::size_t shown = std::min(rows.size(), kMaxBreakdownRows);
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& [tool, t] = rows[i];
    fmt::format_to(std::back_inserter(out),
                   "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
                   "<td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
                   esc(tool), count(t.commits), count(t.ai_verified),
                   percent(ratio(t.ai_verified, t.ai_assisted)), count(t.violations));
  }
  if (rows.empty())
    empty_row(out, 5, "no AI-assisted commits");
  out += "</tbody></table>\n";
  more_rows(out, shown, rows.size(), "tools");
}

void model_table(std::string& out, const AuditSummary& s) {
  const auto rows = by_commits(s.by_model);
  table_head(out, "by-model",
             {"Model", "AI-assisted", "Agent-authored", "Verified", "Verified rate", "Violations"},
             {"AI-assisted", "Agent-authored", "Verified", "Verified rate", "Violations"});
  const std::size_t shown = std::min(rows.size(), kMaxBreakdownRows);
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& [model, t] = rows[i];
    fmt::format_to(std::back_inserter(out),
                   "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
                   "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
                   "</tr>\n",
                   esc(model), count(t.ai_assisted), count(t.agent_authored), count(t.ai_verified),
                   percent(ratio(t.ai_verified, t.ai_assisted)), count(t.violations));
  }
  if (rows.empty())
    empty_row(out, 6, "no AI-assisted commits");
  out += "</tbody></table>\n";
  more_rows(out, shown, rows.size(), "models");
}

std::vector<std::pair<std::string, std::int64_t>> by_value(
    const std::map<std::string, std::int64_t>& m) {
  std::vector<std::pair<std::string, std::int64_t>> rows(m.begin(), m.end());
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return rows;
}

void reviewer_table(std::string& out, const AuditSummary& s) {
  const auto rows = by_value(s.by_reviewer);
  table_head(out, "by-reviewer", {"Reviewer", "Verified reviews"}, {"Verified reviews"});
  const std::size_t shown = std::min(rows.size(), kMaxBreakdownRows);
  for (std::size_t i = 0; i < shown; ++i)
    fmt::format_to(std::back_inserter(out), "<tr><td>{}</td><td class=\"num\">{}</td></tr>\n",
                   person_cell(s, rows[i].first), count(rows[i].second));
  if (rows.empty())
    empty_row(out, 2, "no verified reviews");
  out += "</tbody></table>\n";
  more_rows(out, shown, rows.size(), "reviewers");
}

// A verdict's name as the summary counts it is painted as a violation exactly when
// is_violation says so; a name no verdict has (none should occur) is painted as one.
bool is_violation_named(const std::string& name) {
  const std::optional<Verdict> verdict = verdict_named(name);
  return !verdict || is_violation(*verdict);
}

void verdict_table(std::string& out, const AuditSummary& s) {
  const auto rows = by_value(s.by_verdict);
  table_head(out, "by-verdict", {"Verdict", "Commits", "Share"}, {"Commits", "Share"});
  for (const auto& [verdict, n] : rows)
    fmt::format_to(std::back_inserter(out),
                   "<tr><td><span class=\"verdict {}\">{}</span></td><td class=\"num\">{}</td>"
                   "<td class=\"num\">{}</td></tr>\n",
                   is_violation_named(verdict) ? "bad" : "good", esc(verdict), count(n),
                   percent(ratio(n, s.total.commits)));
  if (rows.empty())
    empty_row(out, 3);
  out += "</tbody></table>\n";
}

void gap_tables(std::string& out, const AuditSummary& s) {
  out +=
      "<div class=\"pair\"><div>\n<h3>Authors with the most unreviewed AI-assisted commits</h3>\n";
  table_head(out, "gap-authors", {"Author", "Unreviewed AI-assisted"}, {"Unreviewed AI-assisted"});
  for (const auto& [author, n] : s.top_gap_authors)
    fmt::format_to(std::back_inserter(out), "<tr><td>{}</td><td class=\"num\">{}</td></tr>\n",
                   person_cell(s, author), count(n));
  if (s.top_gap_authors.empty())
    empty_row(out, 2, "no gaps");
  out += "</tbody></table>\n</div><div>\n<h3>Largest unreviewed AI-assisted commits</h3>\n";
  table_head(out, "gap-commits", {"Commit", "Author", "Subject", "Lines", "Verdict"}, {"Lines"});
  for (const AuditRecord& record : s.largest_gaps) {
    const CommitEvaluation& r = record.evaluation;
    fmt::format_to(std::back_inserter(out),
                   "<tr><td class=\"id\" title=\"{0}\">{1}</td><td>{2}</td><td class=\"subject\">"
                   "{3}</td><td class=\"num\">{4}</td><td><span class=\"verdict bad\">{5}</span>"
                   "</td></tr>\n",
                   esc(r.id), esc(short_id(r.id)), esc(r.author.email), esc(r.subject),
                   record.lines_changed < 0 ? std::string("?") : count(record.lines_changed),
                   esc(to_string(r.verdict)));
  }
  if (s.largest_gaps.empty())
    empty_row(out, 5, "no gaps");
  out += "</tbody></table>\n</div></div>\n";
}

std::string tools_of(const CommitEvaluation& r) {
  std::set<std::string> tools;
  for (const auto& d : r.detections)
    tools.insert(d.tool);
  std::string out;
  for (const auto& t : tools)
    out += (out.empty() ? "" : ", ") + esc(t);
  return out;
}

// The author level, whether an agent wrote the commit, and who else is responsible for it.
std::string authorship_of(const CommitEvaluation& r) {
  if (r.responsible.empty())
    return std::string();
  std::string others;
  for (std::size_t i = 1; i < r.responsible.size(); ++i) {
    const ResponsibleHuman& h = r.responsible[i];
    others +=
        fmt::format("{}{} ({})", others.empty() ? "" : ", ", esc(h.email), esc(to_string(h.role)));
  }
  return fmt::format("<div class=\"level\">level {}{}{}</div>",
                     r.author_level.empty() ? std::string("unknown") : esc(r.author_level),
                     r.agent_authored ? " &middot; agent-authored" : "",
                     others.empty() ? std::string() : " &middot; with " + others);
}

std::string reviews_of(const CommitEvaluation& r) {
  if (r.reviews.claims.empty())
    return "<span class=\"muted\">none</span>";
  std::string out = "<ul class=\"reviews\">";
  for (const auto& c : r.reviews.claims) {
    const bool ok = c.status == review::ClaimStatus::verified;
    const std::string who = c.email.empty() ? c.trailer : c.email;
    fmt::format_to(std::back_inserter(out), "<li class=\"{}\">{} {}{}</li>", ok ? "good" : "bad",
                   ok ? "\u2713" : "\u2717", esc(who),
                   ok ? std::string()
                      : fmt::format(" <span class=\"muted\">({}: {})</span>",
                                    esc(review::to_string(c.status)), esc(c.reason)));
  }
  out += "</ul>";
  return out;
}

void violations_table(std::string& out, const AuditSummary& s,
                      const std::vector<AuditRecord>& violations) {
  std::set<std::string> verdicts;
  for (const auto& r : violations)
    verdicts.insert(std::string(to_string(r.evaluation.verdict)));
  fmt::format_to(std::back_inserter(out),
                 "<div class=\"filters\"><input id=\"filter\" type=\"search\" "
                 "placeholder=\"Filter by any column\u2026\" aria-label=\"filter violations\">"
                 "<select id=\"verdict-filter\" aria-label=\"verdict\"><option value=\"\">"
                 "all verdicts</option>");
  for (const auto& v : verdicts)
    fmt::format_to(std::back_inserter(out), "<option value=\"{0}\">{0}</option>", esc(v));
  fmt::format_to(std::back_inserter(out),
                 "</select><span class=\"note\">showing <b id=\"shown\">{0}</b> of {0} listed"
                 "{1}</span></div>\n",
                 count(static_cast<std::int64_t>(violations.size())),
                 s.total.violations > static_cast<std::int64_t>(violations.size())
                     ? fmt::format(" ({} violations in total)", count(s.total.violations))
                     : std::string());
  table_head(out, "violations",
             {"Commit", "Author", "Subject and ref", "Verdict", "AI markers", "Reviews"});
  for (const AuditRecord& record : violations) {
    const CommitEvaluation& r = record.evaluation;
    fmt::format_to(std::back_inserter(out),
                   "<tr data-verdict=\"{0}\"><td class=\"id\" title=\"{1}\">{2}"
                   "<div class=\"date\">{3}</div></td><td>{4} <div class=\"email\">{5}</div>"
                   "{10}</td>"
                   "<td class=\"subject\">{6} <div class=\"ref\">{9}</div></td>"
                   "<td><span class=\"verdict bad\">{0}</span></td><td>{7}</td>"
                   "<td class=\"reviews\">{8}</td></tr>\n",
                   esc(to_string(r.verdict)), esc(r.id), esc(short_id(r.id)), day_of(r.author.time),
                   esc(r.author.name), esc(r.author.email), esc(r.subject), tools_of(r),
                   reviews_of(r), esc(r.ref), authorship_of(r));
  }
  out += "</tbody></table>\n";
  if (violations.empty())
    out += "<p class=\"nodata-note\" id=\"no-violations\">No violations.</p>\n";
}

// ---- page --------------------------------------------------------------------------------------

void header(std::string& out, const AuditSummary& s, const Series& series) {
  const bool roster = s.verification == "roster";
  const bool signature = s.verification == "signature";
  fmt::format_to(std::back_inserter(out),
                 "<header><h1>trailgate audit</h1>\n<p class=\"meta\">Policy: <b id=\"policy\">{}"
                 "</b> &middot; Verification: <span id=\"verification\" class=\"badge {}\">{}"
                 "</span> &middot; Marker catalogue: <span id=\"catalogue\">{}</span>{}</p>\n",
                 s.policy_source.empty() ? std::string("(none)") : esc(s.policy_source),
                 signature ? "strong" : "weak",
                 s.verification.empty() ? std::string("unknown") : esc(s.verification),
                 esc(detect::catalogue_version()),
                 series.periods.empty() ? std::string()
                                        : fmt::format(" &middot; Period: {} \u2013 {}",
                                                      esc(series.periods.front().label),
                                                      esc(series.periods.back().label)));
  std::string scanned;
  for (std::size_t i = 0; i < s.scanned.size(); ++i)
    scanned += fmt::format("{}<code>{}</code>{}", i ? ", " : "", esc(s.scanned[i]),
                           i < s.scanned_tips.size()
                               ? fmt::format(" at <code>{}</code>", esc(s.scanned_tips[i]))
                               : std::string());
  fmt::format_to(std::back_inserter(out),
                 "<dl class=\"provenance\" id=\"provenance\">\n"
                 "<dt>Repository</dt><dd id=\"repository\"><code>{}</code></dd>\n"
                 "<dt>Scanned</dt><dd id=\"scanned\">{}</dd>\n"
                 "<dt>Range</dt><dd id=\"range\">since <span id=\"since\">{}</span>, until "
                 "<span id=\"until\">{}</span> (author date, UTC)</dd>\n"
                 "<dt>Generated</dt><dd><time id=\"generated\" datetime=\"{}\">{}</time></dd>\n"
                 "<dt>trailgate</dt><dd id=\"trailgate-version\">{}</dd>\n"
                 "<dt>Policy SHA-256</dt><dd><code id=\"policy-sha256\">{}</code></dd>\n</dl>\n",
                 esc(s.repository), scanned.empty() ? std::string("(nothing)") : scanned,
                 s.since.empty() ? std::string("(no bound)") : esc(s.since),
                 s.until.empty() ? std::string("(no bound)") : esc(s.until), esc(s.generated_at),
                 esc(s.generated_at), esc(s.trailgate_version),
                 s.policy_sha256.empty() ? std::string("(no policy)") : esc(s.policy_sha256));
  if (roster)
    out +=
        "<p class=\"warning\" id=\"roster-warning\"><b>Weaker verification level.</b> "
        "Reviews were checked against the roster only: a Reviewed-by trailer names a "
        "senior but carries no signature, so anyone who can push could have written it. "
        "Under <i>signature</i> verification each counted review is signed by the "
        "reviewer's key.</p>\n";
  else if (!signature)
    out +=
        "<p class=\"warning\" id=\"roster-warning\">The verification level is not recorded; "
        "treat verified reviews as roster-checked only.</p>\n";
  out += "</header>\n";
}

void cards(std::string& out, const AuditSummary& s) {
  const Tally& t = s.total;
  auto card = [&](const char* id, const std::string& value, const char* key,
                  const std::string& sub) {
    fmt::format_to(std::back_inserter(out),
                   "<div class=\"card\" id=\"{}\"><div class=\"v\">{}</div><div class=\"k\">{}"
                   "</div><div class=\"s\">{}</div></div>\n",
                   id, value, key, sub);
  };
  out += "<div class=\"cards\">\n";
  card("total-commits", count(t.commits), "commits audited", "");
  card("total-ai", percent(ratio(t.ai_assisted, t.commits)), "AI-assisted",
       fmt::format("{} of {} commits", count(t.ai_assisted), count(t.commits)));
  card("total-verified", percent(ratio(t.ai_verified, t.ai_assisted)),
       "verified-review rate (AI-assisted)",
       fmt::format("{} of {} AI-assisted commits", count(t.ai_verified), count(t.ai_assisted)));
  card("total-agent", count(t.agent_authored), "agent-authored (AI-assisted)",
       fmt::format("{} of {} AI-assisted commits; {} assisted", count(t.agent_authored),
                   count(t.ai_assisted), count(t.assisted())));
  card("total-violations", count(t.violations), "violations",
       fmt::format("{} of commits", percent(ratio(t.violations, t.commits))));
  out += "</div>\n";
}

}  // namespace

std::string render_audit_html(const audit::AuditSummary& summary,
                              const std::vector<audit::AuditRecord>& violations) {
  const Series series = series_of(summary);
  const char* period = series.weekly ? "week" : "month";
  std::string out;
  out.reserve(64 * 1024 + violations.size() * 600);
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
      "form-action 'none'\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"referrer\" content=\"no-referrer\">\n"
      "<title>trailgate audit</title>\n<script>\n";
  out += kAuditErrorHook;
  out += "</script>\n<style>\n";
  out += kAuditCss;
  out += "</style>\n</head>\n<body>\n<main>\n";

  header(out, summary, series);
  cards(out, summary);

  fmt::format_to(std::back_inserter(out),
                 "<section id=\"share\"><h2>AI-assisted share of commits, by {0}</h2>\n{1}"
                 "<p class=\"legend\"><span class=\"swatch\" style=\"background:#3b6fd8\"></span>"
                 "AI-assisted commits as a share of all commits in the {0}; dashed: overall. "
                 "Hover a bar for counts.</p></section>\n",
                 period, share_chart(series, summary));
  fmt::format_to(
      std::back_inserter(out),
      "<section id=\"rate\"><h2>Verified-review rate of AI-assisted commits, by {0}"
      "</h2>\n{1}<p class=\"legend\"><span class=\"swatch\" style=\"background:#1e8a4c\">"
      "</span>AI-assisted commits whose reviews verified (verdict ok); dashed: overall. "
      "A {0} without AI-assisted commits has no point.</p></section>\n",
      period, rate_chart(series, summary));

  out += "<section id=\"authors\"><h2>By author</h2>\n";
  author_table(out, summary);
  out +=
      "</section>\n<section id=\"breakdowns\"><div class=\"pair\"><div>\n<h2>By tool or "
      "marker</h2>\n";
  tool_table(out, summary);
  out +=
      "<h2 style=\"margin-top:16px\">By model</h2>\n<p class=\"note\">AI-assisted commits by "
      "the model their markers name; <i>unknown</i>: no marker names one.</p>\n";
  model_table(out, summary);
  out += "</div><div>\n<h2>Verdicts</h2>\n";
  verdict_table(out, summary);
  out += "<h2 style=\"margin-top:16px\">By reviewer</h2>\n";
  reviewer_table(out, summary);
  out += "</div></div></section>\n<section id=\"gaps\"><h2>Top gaps</h2>\n";
  gap_tables(out, summary);
  out += "</section>\n<section id=\"violations-section\"><h2>Violations</h2>\n";
  violations_table(out, summary, violations);
  out +=
      "</section>\n<p class=\"note\">Generated by trailgate. This file is self-contained: it "
      "loads nothing from the network.</p>\n</main>\n<script>\n";
  out += kAuditFilterScript;
  out += "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace trailgate::report
