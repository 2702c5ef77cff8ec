// Tests of the audit's pure parts: the summary's counters and top lists, ISO week and month
// keys, day parsing, and the cache's record format and file handling.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "audit/audit.h"
#include "audit/cache.h"
#include "support/temp_repo.h"

using trailgate::audit::AuditCache;
using trailgate::audit::AuditRecord;
using trailgate::audit::AuditSummary;
using trailgate::audit::Tally;
namespace audit = trailgate::audit;
namespace fs = std::filesystem;

namespace {

std::int64_t day(const char* text) {
  return *audit::parse_day(text);
}

AuditRecord record(const std::string& id, const std::string& email, std::int64_t time,
                   const std::string& verdict, const std::vector<std::string>& tools = {},
                   int lines = -1) {
  AuditRecord r;
  r.id = id;
  r.author.email = email;
  r.author.time = time;
  r.verdict = verdict;
  for (const auto& t : tools)
    r.markers.push_back({t + ".marker", t, "evidence"});
  r.lines_changed = lines;
  return r;
}

}  // namespace

TEST_CASE("audit::week_key", "[audit]") {
  SECTION("ISO weeks belong to the year of their Thursday") {
    CHECK(audit::week_key(day("2026-01-01")) == "2026-W01");
    CHECK(audit::week_key(day("2025-12-29")) == "2026-W01");
    CHECK(audit::week_key(day("2026-01-05")) == "2026-W02");
    CHECK(audit::week_key(day("2021-01-03")) == "2020-W53");
    CHECK(audit::week_key(day("2020-12-31")) == "2020-W53");
    CHECK(audit::week_key(day("2024-12-30")) == "2025-W01");
    CHECK(audit::week_key(0) == "1970-W01");
  }
  SECTION("the last second of a Sunday is still that week") {
    CHECK(audit::week_key(day("2026-01-12") - 1) == "2026-W02");
    CHECK(audit::week_key(day("2026-01-12")) == "2026-W03");
  }
  SECTION("before the epoch") {
    CHECK(audit::week_key(day("1969-12-31")) == "1970-W01");
    CHECK(audit::month_key(-1) == "1969-12");
  }
}

TEST_CASE("audit::month_key and iso_time", "[audit]") {
  CHECK(audit::month_key(day("2026-02-28") + 86399) == "2026-02");
  CHECK(audit::month_key(day("2024-02-29")) == "2024-02");
  CHECK(audit::iso_time(day("2026-02-03") + 3600, 60) == "2026-02-03T02:00:00+01:00");
  CHECK(audit::iso_time(day("2026-02-03"), -330) == "2026-02-02T18:30:00-05:30");
}

TEST_CASE("audit::parse_day", "[audit]") {
  CHECK(audit::parse_day("1970-01-01") == 0);
  CHECK(audit::parse_day("2024-02-29") == day("2024-03-01") - 86400);
  CHECK_FALSE(audit::parse_day("2023-02-29"));
  CHECK_FALSE(audit::parse_day("2026-13-01"));
  CHECK_FALSE(audit::parse_day("2026-1-01"));
  CHECK_FALSE(audit::parse_day("2026-01-00"));
  CHECK_FALSE(audit::parse_day("yesterday"));
  CHECK_FALSE(audit::parse_day(""));
}

TEST_CASE("audit::AuditSummary counts every record once per group", "[audit]") {
  AuditSummary s;
  std::int64_t jan = day("2026-01-20"), feb = day("2026-02-02");
  AuditRecord ok = record("a", "Bob@Example.com", feb, "ok", {"Claude Code", "Claude Code"});
  ok.reviews.push_back({"Reviewed-by: S <S@example.com>", "S@example.com", "S",
                        trailgate::review::ClaimStatus::verified, ""});
  s.add(ok);
  s.add(record("b", "alice@example.com", jan, "unreviewed", {"Claude Code"}, 5));
  s.add(record("c", "alice@example.com", jan, "unreviewed", {"Aider"}, 50));
  s.add(record("d", "alice@example.com", jan, "not-ai"));
  s.add(record("e", "bob@example.com", feb, "below-level", {"Aider"}, 5));
  AuditRecord old = record("f", "bob@example.com", feb, "grandfathered", {"Aider"});
  old.reviews = ok.reviews;
  s.add(old);
  s.finish();

  CHECK(s.total == Tally{6, 5, 1, 3});
  CHECK(s.by_month.at("2026-01") == Tally{3, 2, 0, 2});
  CHECK(s.by_month.at("2026-02") == Tally{3, 3, 1, 1});
  CHECK(s.by_week.at("2026-W04") == Tally{3, 2, 0, 2});
  CHECK(s.by_author.at("bob@example.com") == Tally{3, 3, 1, 1});  // case folded
  CHECK(s.by_tool.at("Claude Code") == Tally{2, 2, 1, 1});        // once per commit
  CHECK(s.by_tool.at("Aider") == Tally{3, 3, 0, 2});
  CHECK(s.by_reviewer == std::map<std::string, std::int64_t>{{"s@example.com", 1}});
  CHECK(s.by_verdict.at("unreviewed") == 2);
  CHECK(s.by_verdict.at("grandfathered") == 1);
  REQUIRE(s.top_gap_authors.size() == 2);
  CHECK(s.top_gap_authors[0] == std::pair<std::string, std::int64_t>{"alice@example.com", 2});
  CHECK(s.top_gap_authors[1] == std::pair<std::string, std::int64_t>{"bob@example.com", 1});
  REQUIRE(s.largest_gaps.size() == 3);
  CHECK(s.largest_gaps[0].id == "c");
  CHECK(s.largest_gaps[1].id == "b");  // ties keep scan order
  CHECK(s.largest_gaps[2].id == "e");
}

TEST_CASE("audit::AuditSummary keeps only the top ten", "[audit]") {
  AuditSummary s;
  for (int i = 0; i < 30; ++i)
    s.add(
        record(std::to_string(i), "a" + std::to_string(i % 12) + "@x", 0, "unreviewed", {"T"}, i));
  s.finish();
  REQUIRE(s.largest_gaps.size() == 10);
  CHECK(s.largest_gaps.front().lines_changed == 29);
  CHECK(s.largest_gaps.back().lines_changed == 20);
  CHECK(s.top_gap_authors.size() == 10);
  CHECK(s.top_gap_authors.front().second == 3);
}

TEST_CASE("audit::cache records round-trip", "[audit][cache]") {
  AuditRecord r = record("0123456789abcdef0123456789abcdef01234567", "a@x", 42, "below-level",
                         {"Claude Code"}, 7);
  r.subject = std::string("bytes \xff\x00 kept", 14);
  r.trailers.push_back({"Reviewed-by", "J <j@x>"});
  r.reviews.push_back({"Reviewed-by: J <j@x>", "j@x", "J",
                       trailgate::review::ClaimStatus::below_level, "J is junior"});
  r.approvals_required = 1;
  std::string payload;
  audit::serialize_record(r, 3, 1000, payload);
  AuditRecord back;
  int rule = 0;
  std::int64_t at = 0;
  REQUIRE(audit::deserialize_record(payload, back, rule, at));
  CHECK(rule == 3);
  CHECK(at == 1000);
  CHECK(back.id == r.id);
  CHECK(back.subject == r.subject);
  CHECK(back.reviews[0].status == trailgate::review::ClaimStatus::below_level);
  CHECK(back.reviews[0].reason == "J is junior");
  CHECK(back.lines_changed == 7);
  SECTION("truncated payloads are rejected at every length") {
    for (std::size_t n = 0; n < payload.size(); ++n)
      CHECK_FALSE(
          audit::deserialize_record(std::string_view(payload).substr(0, n), back, rule, at));
  }
}

TEST_CASE("audit::AuditCache appends, reloads and ignores torn tails", "[audit][cache]") {
  trailgate::testing::TempDir dir;
  std::string path = (dir.path() / "sub" / "c.bin").string();
  const std::string id1 = std::string(40, 'a'), id2 = std::string(40, 'b');
  auto frame_for = [](const std::string& id) {
    std::string payload, frames;
    audit::serialize_record(record(id, "x@y", 0, "ok"), 0, 0, payload);
    AuditCache::frame(payload, frames);
    return frames;
  };
  {
    AuditCache cache(path, "fp");
    CHECK(cache.size() == 0);
    REQUIRE(cache.append(frame_for(id1)));
  }
  {
    AuditCache cache(path, "fp");
    CHECK(cache.size() == 1);
    CHECK(cache.find(id1));
    CHECK_FALSE(cache.find(id2));
    CHECK_FALSE(cache.find("not an id"));
  }
  CHECK(AuditCache(path, "other").size() == 0);
  // A torn frame at the end is ignored, and the next append starts where the good ones end.
  std::string f2 = frame_for(id2);
  {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    out << f2.substr(0, f2.size() / 2);
  }
  {
    AuditCache cache(path, "fp");
    CHECK(cache.size() == 1);
    REQUIRE(cache.append(f2));
  }
  AuditCache cache(path, "fp");
  CHECK(cache.size() == 2);
  CHECK(cache.find(id2));
}

TEST_CASE("audit::cache_fingerprint and time boundaries", "[audit][cache]") {
  CHECK(audit::cache_fingerprint("v1", "policy") == audit::cache_fingerprint("v1", "policy"));
  CHECK(audit::cache_fingerprint("v1", "policy") != audit::cache_fingerprint("v2", "policy"));
  CHECK(audit::cache_fingerprint("v1", "policy") != audit::cache_fingerprint("v1", "policy "));
  CHECK(audit::cache_fingerprint("v1", "policy").size() == 16);
  trailgate::Policy p;
  p.people.push_back({});
  p.people.back().expires = 30;
  p.people.push_back({});
  p.people.back().expires = 10;
  CHECK(audit::verdict_time_boundaries(p) == std::vector<std::int64_t>{10, 30});
}
