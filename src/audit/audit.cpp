#include "audit/audit.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace trailgate::audit {

namespace {

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Howard Hinnant's days_from_civil / civil_from_days: exact for the proleptic Gregorian
// calendar, no time zone database and no thread-unsafe gmtime.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

void count(Tally& t, const AuditRecord& r) {
  ++t.commits;
  if (r.ai_assisted()) {
    ++t.ai_assisted;
    if (r.evaluation.verdict == Verdict::ok)
      ++t.ai_verified;
  }
  if (r.violation())
    ++t.violations;
}

}  // namespace

double share(std::int64_t part, std::int64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

std::string week_key(std::int64_t time) {
  std::int64_t days = floor_div(time, 86400);
  // ISO weekday, Monday = 1; 1970-01-01 was a Thursday.
  std::int64_t weekday = days + 3 - floor_div(days + 3, 7) * 7 + 1;
  // The week belongs to the year of its Thursday.
  std::int64_t thursday = days - weekday + 4;
  Civil c = civil_from_days(thursday);
  std::int64_t jan1 = days_from_civil(c.year, 1, 1);
  std::int64_t week = (thursday - jan1) / 7 + 1;
  return fmt::format("{:04}-W{:02}", c.year, week);
}

std::string month_key(std::int64_t time) {
  Civil c = civil_from_days(floor_div(time, 86400));
  return fmt::format("{:04}-{:02}", c.year, c.month);
}

void append_iso_time(std::string& out, std::int64_t time, int offset_minutes) {
  std::int64_t local = time + std::int64_t{offset_minutes} * 60;
  std::int64_t days = floor_div(local, 86400);
  std::int64_t secs = local - days * 86400;
  Civil c = civil_from_days(days);
  if (c.year < 0 || c.year > 9999) {  // rare enough for the general formatter
    out += iso_time(time, offset_minutes);
    return;
  }
  int off = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  char buf[32];
  auto two = [&](char* p, std::int64_t v) {
    p[0] = static_cast<char>('0' + v / 10 % 10);
    p[1] = static_cast<char>('0' + v % 10);
  };
  two(buf, c.year / 100);
  two(buf + 2, c.year % 100);
  buf[4] = '-';
  two(buf + 5, c.month);
  buf[7] = '-';
  two(buf + 8, c.day);
  buf[10] = 'T';
  two(buf + 11, secs / 3600);
  buf[13] = ':';
  two(buf + 14, secs / 60 % 60);
  buf[16] = ':';
  two(buf + 17, secs % 60);
  buf[19] = offset_minutes < 0 ? '-' : '+';
  if (off / 60 >= 100) {  // offsets libgit2 would not store; keep the general formatter
    out += iso_time(time, offset_minutes);
    return;
  }
  two(buf + 20, off / 60);
  buf[22] = ':';
  two(buf + 23, off % 60);
  out.append(buf, 25);
}

std::string iso_time(std::int64_t time, int offset_minutes) {
  std::int64_t local = time + std::int64_t{offset_minutes} * 60;
  std::int64_t days = floor_div(local, 86400);
  std::int64_t secs = local - days * 86400;
  Civil c = civil_from_days(days);
  int off = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}", c.year, c.month, c.day,
                     secs / 3600, secs / 60 % 60, secs % 60, offset_minutes < 0 ? '-' : '+',
                     off / 60, off % 60);
}

std::optional<std::int64_t> parse_day(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-')
    return std::nullopt;
  auto digits = [&](std::size_t from, std::size_t n) -> std::optional<unsigned> {
    unsigned v = 0;
    for (std::size_t i = from; i < from + n; ++i) {
      if (text[i] < '0' || text[i] > '9')
        return std::nullopt;
      v = v * 10 + static_cast<unsigned>(text[i] - '0');
    }
    return v;
  };
  auto y = digits(0, 4), m = digits(5, 2), d = digits(8, 2);
  if (!y || !m || !d || *m < 1 || *m > 12 || *d < 1)
    return std::nullopt;
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
  unsigned max = *m == 2 && leap ? 29 : kDays[*m - 1];
  if (*d > max)
    return std::nullopt;
  return days_from_civil(*y, *m, *d) * 86400;
}

AuditRecord make_record(CommitEvaluation evaluation, const std::string& ref) {
  AuditRecord r;
  r.evaluation = std::move(evaluation);
  r.evaluation.ref = ref;
  for (Finding& finding : r.evaluation.findings)
    finding.ref = ref;
  return r;
}

void AuditSummary::add(const AuditRecord& record) {
  const CommitEvaluation& e = record.evaluation;
  count(total, record);
  count(by_week[week_key(e.author.time)], record);
  count(by_month[month_key(e.author.time)], record);
  std::string author = lowercase(e.author.email);
  count(by_author[author], record);
  for (std::size_t i = 0; i < e.detections.size(); ++i) {
    const std::string& tool = e.detections[i].tool;
    bool seen = std::any_of(e.detections.begin(), e.detections.begin() + static_cast<long>(i),
                            [&](const detect::Detection& d) { return d.tool == tool; });
    if (!seen)
      count(by_tool[tool], record);
  }
  if (e.verdict != Verdict::grandfathered)
    for (const auto& claim : e.reviews.claims)
      if (claim.status == review::ClaimStatus::verified)
        ++by_reviewer[lowercase(claim.email)];
  ++by_verdict[std::string(to_string(e.verdict))];
  if (e.verdict == Verdict::reviewed_late)
    ++reviewed_late;
  if (e.verdict == Verdict::break_glass ||
      (e.verdict == Verdict::grandfathered && record.ai_assisted()))
    ++open_review_debt;
  if (record.ai_assisted() && record.violation()) {
    ++ai_gaps_by_author[author];
    if (record.lines_changed >= 0) {
      constexpr std::size_t kTop = 10;
      auto pos =
          std::upper_bound(largest_gaps.begin(), largest_gaps.end(), record.lines_changed,
                           [](int lines, const AuditRecord& r) { return lines > r.lines_changed; });
      if (static_cast<std::size_t>(pos - largest_gaps.begin()) < kTop) {
        largest_gaps.insert(pos, record);
        if (largest_gaps.size() > kTop)
          largest_gaps.pop_back();
      }
    }
  }
}

void AuditSummary::finish() {
  constexpr std::size_t kTop = 10;
  top_gap_authors.assign(ai_gaps_by_author.begin(), ai_gaps_by_author.end());
  std::stable_sort(top_gap_authors.begin(), top_gap_authors.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (top_gap_authors.size() > kTop)
    top_gap_authors.resize(kTop);
}

}  // namespace trailgate::audit
