// Tests of util/calendar against the C library's timegm, gmtime_r and strftime("%G-W%V") for
// every day of about 11,000 years, and at the edges of the int64 range it promises.

#include <catch2/catch.hpp>

#include <ctime>
#include <string>

#include "util/calendar.h"

using namespace trailgate::util;

namespace {

// Days from year -4000 to year 7000 or so, every one of them.
constexpr std::int64_t kFirstDay = -2'180'000;
constexpr std::int64_t kLastDay = 1'840'000;

}  // namespace

TEST_CASE("util::civil_from_days and days_from_civil agree with gmtime_r and timegm",
          "[util][calendar]") {
  std::int64_t compared = 0;
  for (std::int64_t days = kFirstDay; days <= kLastDay; ++days) {
    const std::time_t t = static_cast<std::time_t>(days * kSecondsPerDay);
    std::tm tm{};
    REQUIRE(gmtime_r(&t, &tm) != nullptr);
    const CivilDate date = civil_from_days(days);
    if (date.year != tm.tm_year + 1900LL || date.month != static_cast<unsigned>(tm.tm_mon + 1) ||
        date.day != static_cast<unsigned>(tm.tm_mday))
      FAIL("day " << days);
    if (days_from_civil(date.year, date.month, date.day) != days)
      FAIL("round trip of day " << days);
    std::tm back{};
    back.tm_year = static_cast<int>(date.year - 1900);
    back.tm_mon = static_cast<int>(date.month) - 1;
    back.tm_mday = static_cast<int>(date.day);
    if (timegm(&back) != t)
      FAIL("timegm of day " << days);
    if (iso_weekday(days) != static_cast<unsigned>(tm.tm_wday == 0 ? 7 : tm.tm_wday))
      FAIL("weekday of day " << days);
    if (days_in_month(date.year, date.month) < date.day)
      FAIL("days_in_month of day " << days);
    ++compared;
  }
  CHECK(compared == kLastDay - kFirstDay + 1);
}

TEST_CASE("util::iso_week agrees with strftime %G-W%V", "[util][calendar]") {
  // strftime's %G is four digits wide (unpadded) for years 1000-9999; compare there.
  const std::int64_t first = days_from_civil(1000, 1, 4), last = days_from_civil(9999, 12, 31);
  for (std::int64_t days = first; days <= last; ++days) {
    const std::time_t t = static_cast<std::time_t>(days * kSecondsPerDay);
    std::tm tm{};
    REQUIRE(gmtime_r(&t, &tm) != nullptr);
    char want[32];
    REQUIRE(std::strftime(want, sizeof want, "%G-W%V", &tm) > 0);
    const IsoWeek week = iso_week(days);
    char got[32];
    std::snprintf(got, sizeof got, "%04lld-W%02u", static_cast<long long>(week.year), week.week);
    if (std::string(got) != want)
      FAIL("day " << days << ": " << got << " != " << want);
  }
}

TEST_CASE("util::iso_weeks_in_year", "[util][calendar]") {
  // The last ISO week of each year is the week of Dec 28.
  for (std::int64_t year = -2000; year <= 4000; ++year)
    REQUIRE(iso_weeks_in_year(year) == iso_week(days_from_civil(year, 12, 28)).week);
  CHECK(iso_weeks_in_year(2020) == 53);
  CHECK(iso_weeks_in_year(2026) == 53);
  CHECK(iso_weeks_in_year(2025) == 52);
}

TEST_CASE("util calendar helpers", "[util][calendar]") {
  CHECK(floor_div(7, 2) == 3);
  CHECK(floor_div(-7, 2) == -4);
  CHECK(floor_div(-8, 2) == -4);
  CHECK(floor_div(7, -2) == -4);
  CHECK(floor_div(0, 5) == 0);
  CHECK(floor_div(-1, kSecondsPerDay) == -1);

  CHECK(is_leap_year(2000));
  CHECK(is_leap_year(2024));
  CHECK_FALSE(is_leap_year(1900));
  CHECK_FALSE(is_leap_year(2023));
  CHECK(is_leap_year(-4));  // proleptic: 5 BC
  CHECK(days_in_month(2024, 2) == 29);
  CHECK(days_in_month(2100, 2) == 28);
  CHECK(days_in_month(2023, 12) == 31);

  const CivilDate epoch = civil_from_seconds(0);
  CHECK((epoch.year == 1970 && epoch.month == 1 && epoch.day == 1));
  const CivilDate before = civil_from_seconds(-1);
  CHECK((before.year == 1969 && before.month == 12 && before.day == 31));

  // Far outside what gmtime can show, the round trip still holds.
  for (std::int64_t days :
       {std::int64_t{-1'000'000'000'000}, std::int64_t{1'000'000'000'000},
        std::int64_t{-106'751'991'167'300}, std::int64_t{106'751'991'167'300}}) {
    const CivilDate d = civil_from_days(days);
    CHECK(days_from_civil(d.year, d.month, d.day) == days);
  }
}
