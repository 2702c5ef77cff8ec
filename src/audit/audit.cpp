#include "audit/audit.h"

#include <fmt/format.h>

#include <algorithm>

#include "util/ascii.h"
#include "util/calendar.h"

namespace trailgate::audit {

namespace {

void count(Tally& t, const AuditRecord& r) {
  ++t.commits;
  if (r.ai_assisted()) {
    ++t.ai_assisted;
    if (r.evaluation.verdict == Verdict::ok)
      ++t.ai_verified;
    if (r.evaluation.agent_authored)
      ++t.agent_authored;
  }
  if (r.violation())
    ++t.violations;
}

}  // namespace

double share(std::int64_t part, std::int64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

std::string week_key(std::int64_t time) {
  const util::IsoWeek week = util::iso_week(util::floor_div(time, util::kSecondsPerDay));
  return fmt::format("{:04}-W{:02}", week.year, week.week);
}

std::string month_key(std::int64_t time) {
  const util::CivilDate c = util::civil_from_seconds(time);
  return fmt::format("{:04}-{:02}", c.year, c.month);
}

void append_iso_time(std::string& out, std::int64_t time, int offset_minutes) {
  std::int64_t local = time + std::int64_t{offset_minutes} * 60;
  std::int64_t days = util::floor_div(local, util::kSecondsPerDay);
  std::int64_t secs = local - days * util::kSecondsPerDay;
  const util::CivilDate c = util::civil_from_days(days);
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
  std::int64_t days = util::floor_div(local, util::kSecondsPerDay);
  std::int64_t secs = local - days * util::kSecondsPerDay;
  const util::CivilDate c = util::civil_from_days(days);
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
  if (*d > util::days_in_month(*y, *m))
    return std::nullopt;
  return util::days_from_civil(*y, *m, *d) * util::kSecondsPerDay;
}

AuditRecord make_record(CommitEvaluation evaluation, const std::string& ref) {
  AuditRecord r;
  r.evaluation = std::move(evaluation);
  r.evaluation.ref = ref;
  for (Finding& finding : r.evaluation.findings)
    finding.ref = ref;
  return r;
}

std::string utc_time(std::int64_t time) {
  std::string t = iso_time(time, 0);
  return t.substr(0, t.size() - 6) + "Z";
}

void AuditSummary::set_roster(const std::vector<PersonGroup>& roster) {
  roster_.clear();
  roster_by_email_.clear();
  for (const PersonGroup& person : roster) {
    if (person.emails.empty())
      continue;
    roster_.push_back(person);
    for (const std::string& email : person.emails)
      roster_by_email_.emplace(util::ascii_lowercase(email), roster_.size() - 1);
  }
}

std::string AuditSummary::group_of(std::string_view email) const {
  std::string key = util::ascii_lowercase(email);
  auto it = roster_by_email_.find(key);
  if (it == roster_by_email_.end())
    return key;
  return util::ascii_lowercase(roster_[it->second].emails.front());
}

void AuditSummary::note_group(const std::string& key) {
  if (people.count(key))
    return;
  auto it = roster_by_email_.find(key);
  if (it != roster_by_email_.end())
    people.emplace(key, roster_[it->second]);
}

void AuditSummary::add(const AuditRecord& record) {
  const CommitEvaluation& e = record.evaluation;
  count(total, record);
  count(by_week[week_key(e.author.time)], record);
  count(by_month[month_key(e.author.time)], record);
  std::string author = group_of(e.author.email);
  note_group(author);
  count(by_author[author], record);
  for (std::size_t i = 0; i < e.detections.size(); ++i) {
    const std::string& tool = e.detections[i].tool;
    bool seen = std::any_of(e.detections.begin(), e.detections.begin() + static_cast<long>(i),
                            [&](const detect::Detection& d) { return d.tool == tool; });
    if (!seen)
      count(by_tool[tool], record);
  }
  if (record.ai_assisted()) {
    bool named = false;
    for (std::size_t i = 0; i < e.detections.size(); ++i) {
      const std::string& model = e.detections[i].model;
      if (model.empty())
        continue;
      named = true;
      bool seen = std::any_of(e.detections.begin(), e.detections.begin() + static_cast<long>(i),
                              [&](const detect::Detection& d) { return d.model == model; });
      if (!seen)
        count(by_model[model], record);
    }
    if (!named)
      count(by_model[std::string(kUnknownModel)], record);
  }
  if (e.verdict != Verdict::grandfathered)
    for (const auto& claim : e.reviews.claims)
      if (claim.status == review::ClaimStatus::verified) {
        std::string reviewer = group_of(claim.email);
        note_group(reviewer);
        ++by_reviewer[reviewer];
      }
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
