// Calendar arithmetic on the proleptic Gregorian calendar in UTC, for any int64 day count:
// dates of commits are whatever their author wrote (year -200000 or 300000 included), so this
// uses neither gmtime (thread-unsafe, range-limited) nor a time zone database. The algorithms
// are Howard Hinnant's days_from_civil / civil_from_days.
#pragma once

#include <cstdint>

namespace trailgate::util {

inline constexpr std::int64_t kSecondsPerDay = 86400;

// a / b rounded towards negative infinity. REQUIRES: b != 0 (and not INT64_MIN / -1).
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// A day of the calendar.
struct CivilDate {
  std::int64_t year;
  unsigned month;  // 1-12
  unsigned day;    // 1-31
};

// Days since 1970-01-01 of the date `year`-`month`-`day`. REQUIRES: 1 <= month <= 12 and
// 1 <= day <= 31 (a day past the month's end counts on into the next month); |year| below
// 2^60 / 366.
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);

// The date `days` days after 1970-01-01 (before it when negative).
CivilDate civil_from_days(std::int64_t days);

// The date of `seconds` since the epoch, in UTC.
inline CivilDate civil_from_seconds(std::int64_t seconds) {
  return civil_from_days(floor_div(seconds, kSecondsPerDay));
}

// True for a Gregorian leap year (divisible by 4, and by 400 when by 100).
constexpr bool is_leap_year(std::int64_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

// The number of days of `month` (1-12) in `year`. REQUIRES: 1 <= month <= 12.
unsigned days_in_month(std::int64_t year, unsigned month);

// The ISO 8601 weekday of day `days` since the epoch: Monday 1 ... Sunday 7.
unsigned iso_weekday(std::int64_t days);

// An ISO 8601 week: weeks start on Monday, and a week belongs to the year of its Thursday.
struct IsoWeek {
  std::int64_t year;
  unsigned week;  // 1-53
};

// The ISO week of day `days` since the epoch.
IsoWeek iso_week(std::int64_t days);

// The number of ISO weeks in `year`: 53 when it ends on a Thursday, or on a Friday in a leap
// year; else 52.
unsigned iso_weeks_in_year(std::int64_t year);

}  // namespace trailgate::util
