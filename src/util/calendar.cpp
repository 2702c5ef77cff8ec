#include "util/calendar.h"

namespace trailgate::util {

std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

CivilDate civil_from_days(std::int64_t days) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t year = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  return {year + (month <= 2), month, day};
}

unsigned days_in_month(std::int64_t year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

unsigned iso_weekday(std::int64_t days) {
  // 1970-01-01 was a Thursday (4).
  return static_cast<unsigned>(days + 3 - floor_div(days + 3, 7) * 7 + 1);
}

IsoWeek iso_week(std::int64_t days) {
  const std::int64_t thursday = days - iso_weekday(days) + 4;
  const std::int64_t year = civil_from_days(thursday).year;
  const std::int64_t jan1 = days_from_civil(year, 1, 1);
  return {year, static_cast<unsigned>((thursday - jan1) / 7 + 1)};
}

unsigned iso_weeks_in_year(std::int64_t year) {
  const unsigned dec31 = iso_weekday(days_from_civil(year, 12, 31));
  return dec31 == 4 || (is_leap_year(year) && dec31 == 5) ? 53 : 52;
}

}  // namespace trailgate::util
