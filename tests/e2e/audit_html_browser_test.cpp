// End-to-end: the audit's HTML page in a real browser. A hand-built summary (no audit command
// involved) is rendered to a file and opened in Debian's headless chromium, which dumps the DOM
// after the page's scripts ran. The page must have wired its filter (data-ready="1"), recorded
// no script error, console message or blocked request, and show its charts and table; a
// "#filter=" link must show only the matching rows. A screenshot is left in the build directory
// for people to look at.
//
// chromium is a test dependency (./dev.sh test installs it): without it this test fails.

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit.h"
#include "detect/markers.h"
#include "report/audit_html.h"
#include "support/temp_repo.h"

namespace fs = std::filesystem;
using trailgate::audit::AuditRecord;
using trailgate::audit::AuditSummary;
using trailgate::audit::Tally;
using trailgate::report::render_audit_html;
using trailgate::review::ClaimStatus;
using trailgate::testing::ProcessResult;
using trailgate::testing::run;
using trailgate::testing::TempDir;
using trailgate::testing::write_file;

#ifndef TRAILGATE_SCREENSHOT
#define TRAILGATE_SCREENSHOT "audit-report.png"
#endif

namespace {

std::string chromium_binary() {
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/bin"}) {
    const fs::path candidate = fs::path(dir) / "chromium";
    if (fs::exists(candidate))
      return candidate.string();
  }
  return "";
}

std::size_t occurrences(std::string_view haystack, std::string_view needle) {
  std::size_t n = 0;
  for (auto pos = haystack.find(needle); pos != std::string_view::npos;
       pos = haystack.find(needle, pos + needle.size()))
    ++n;
  return n;
}

// Runs headless chromium on `url` with `args` added, in a fresh profile, and never for more
// than a minute. Network features that would phone home are off, so the run is offline and
// quick; the page's own Content-Security-Policy is what keeps the page offline.
ProcessResult chromium(const std::string& url, const std::vector<std::string>& args) {
  const std::string binary = chromium_binary();
  if (binary.empty())
    FAIL(
        "chromium is not installed. It is a test dependency: ./dev.sh test installs it, or "
        "run: apt-get install --no-install-recommends chromium");
  TempDir profile;
  std::vector<std::string> argv = {"timeout",
                                   "--kill-after=5",
                                   "60",
                                   binary,
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--disable-quic",
                                   "--no-first-run",
                                   "--disable-background-networking",
                                   "--disable-component-update",
                                   "--disable-sync",
                                   "--disable-extensions",
                                   "--hide-scrollbars",
                                   "--enable-logging=stderr",
                                   "--v=0",
                                   "--user-data-dir=" + profile.path().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(url);
  ProcessResult result = run(argv, profile.path());
  INFO("chromium stderr:\n" << result.err);
  REQUIRE(result.exit_code == 0);
  return result;
}

// Console output of the page, as chromium logs it with --enable-logging=stderr.
std::vector<std::string> console_lines(const std::string& err) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < err.size()) {
    std::size_t end = err.find('\n', start);
    if (end == std::string::npos)
      end = err.size();
    std::string line = err.substr(start, end - start);
    if (line.find(":CONSOLE") != std::string::npos)
      lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

Tally tally(std::int64_t commits, std::int64_t ai, std::int64_t verified, std::int64_t violations) {
  Tally t;
  t.commits = commits;
  t.ai_assisted = ai;
  t.ai_verified = verified;
  t.violations = violations;
  return t;
}

// A quarter of a team's history: sixteen weeks (one without commits), five authors, three tools.
struct Fixture {
  AuditSummary summary;
  std::vector<AuditRecord> violations;
};

Fixture make_fixture() {
  Fixture f;
  AuditSummary& s = f.summary;
  s.verification = "roster";
  s.policy_source = "refs/meta/trailgate:trailgate.toml";
  // Provenance: what the page must name to stand alone as evidence.
  s.repository = "/srv/git/payments.git";
  s.scanned = {"refs/heads/main", "refs/heads/release/1.x"};
  s.scanned_tips = {std::string(40, 'a'), std::string(40, 'b')};
  s.since = "2026-01-01";
  s.generated_at = "2026-12-07T15:40:00Z";
  s.trailgate_version = "trailgate 0.9.0 (git 1234abcd)";
  s.policy_sha256 = std::string(64, 'e');
  // Alice is a roster person with two emails: one group, named once.
  s.people["alice@example.com"] = {"Alice Archer", {"alice@example.com", "a.archer@corp.example"}};
  const std::int64_t week_seconds = 7 * 24 * 3600;
  const std::int64_t first_monday = 1'767'571'200;  // 2026-01-05, Monday of 2026-W02
  const char* const authors[] = {"alice@example.com", "bob@example.com", "carol@example.com",
                                 "dave@example.com", "erin@example.com"};
  const char* const names[] = {"Alice Archer", "Bob Baker", "Carol Chen", "Dave Diaz",
                               "Erin <b id=\"injected\">Eve</b>"};
  const char* const verdicts[] = {"unreviewed", "unverified", "self-reviewed", "below-level",
                                  "undeclared"};
  const char* const tools[] = {"Claude Code", "GitHub Copilot", "Aider"};
  int serial = 0;
  for (int w = 0; w < 16; ++w) {
    if (w == 9)
      continue;  // a quiet week: the axis keeps it, the charts show a gap
    const std::string week = fmt::format("2026-W{:02d}", w + 2);
    const std::int64_t commits = 20 + (w * 7) % 13;
    const std::int64_t ai = commits * (15 + 3 * w) / 100 + 1;
    const std::int64_t verified = ai * (40 + 3 * w) / 100;
    const std::int64_t bad = (ai - verified + 1) / 2;
    s.by_week[week] = tally(commits, ai, verified, bad);
    Tally& month = s.by_month[w < 4    ? "2026-01"
                              : w < 8  ? "2026-02"
                              : w < 13 ? "2026-03"
                                       : "2026-04"];
    month.commits += commits;
    month.ai_assisted += ai;
    month.ai_verified += verified;
    month.violations += bad;
    Tally& total = s.total;
    total.commits += commits;
    total.ai_assisted += ai;
    total.ai_verified += verified;
    total.violations += bad;
    for (std::int64_t i = 0; i < bad; ++i, ++serial) {
      AuditRecord record;
      trailgate::CommitEvaluation& r = record.evaluation;
      r.id = fmt::format("{:08x}{:032x}", 0xc0de0000 + serial, serial * 7919);
      r.author.name = names[serial % 5];
      r.author.email = authors[serial % 5];
      r.author.time = first_monday + w * week_seconds + i * 3600;
      r.committer = r.author;
      r.ref = serial % 4 == 0 ? "refs/heads/release/1.x" : "refs/heads/main";
      r.verdict = *trailgate::verdict_named(verdicts[serial % 5]);
      r.subject = fmt::format("Change {}: refactor the {} module", serial,
                              serial % 3 == 0 ? "parser" : "storage");
      if (serial == 3)
        r.subject = "<script>document.body.dataset.pwned=1</script> & caf\xC3 \xFF";
      r.detections.push_back({"marker", tools[serial % 3], "trailer"});
      if (r.verdict == trailgate::Verdict::unverified)
        r.reviews.claims.push_back({"Reviewed-by: Mallory <mallory@example.com>",
                                    "mallory@example.com", "", ClaimStatus::not_on_roster,
                                    "nobody on the roster has this email"});
      if (r.verdict == trailgate::Verdict::self_reviewed)
        r.reviews.claims.push_back({"Reviewed-by: self", r.author.email, r.author.name,
                                    ClaimStatus::self_review,
                                    "the author cannot review their own commit"});
      record.lines_changed = 10 + (serial * 37) % 900;
      f.violations.push_back(record);
    }
  }
  for (const auto& [week, t] : s.by_week) {
    (void)week;
    s.by_verdict["ok"] += t.ai_verified;
    s.by_verdict["not-ai"] += t.commits - t.ai_assisted;
    s.by_verdict["grandfathered"] += t.ai_assisted - t.ai_verified - t.violations;
  }
  for (const auto& r : f.violations) {
    ++s.by_verdict[std::string(to_string(r.evaluation.verdict))];
    Tally& a = s.by_author[r.evaluation.author.email];
    a.commits += 1;
    a.ai_assisted += 1;
    a.violations += 1;
  }
  for (int i = 0; i < 5; ++i) {
    Tally& a = s.by_author[authors[i]];
    a.commits += 40 + 13 * i;
    a.ai_assisted += 5 + 3 * i;
    a.ai_verified += 5 + 3 * i;
  }
  s.by_tool = {{"Claude Code", tally(60, 60, 41, 12)},
               {"GitHub Copilot", tally(35, 35, 20, 9)},
               {"Aider", tally(12, 12, 9, 3)}};
  s.by_reviewer = {{"senior@example.com", 48}, {"lead@example.com", 19}, {"cto@example.com", 3}};
  for (int i = 0; i < 5; ++i)
    s.top_gap_authors.emplace_back(authors[i], 9 - 2 * i);
  for (int i = 0; i < 5; ++i)
    s.largest_gaps.push_back(f.violations[static_cast<std::size_t>(i * 3)]);
  return f;
}

std::string file_url(const fs::path& path) {
  return "file://" + path.string();
}

}  // namespace

TEST_CASE("audit html in headless chromium", "[e2e][audit_html]") {
  const Fixture f = make_fixture();
  REQUIRE(f.violations.size() >= 20);
  TempDir dir;
  const fs::path page = dir.path() / "audit.html";
  write_file(page, render_audit_html(f.summary, f.violations));

  SECTION("charts and table render with no script error, console message or blocked request") {
    const ProcessResult r = chromium(file_url(page), {"--dump-dom"});
    const std::string& dom = r.out;
    CHECK(dom.find("data-ready=\"1\"") != std::string::npos);
    CHECK(dom.find("data-errors=\"") == std::string::npos);
    CHECK(dom.find("data-pwned") == std::string::npos);
    CHECK(dom.find("<b id=\"injected\"") == std::string::npos);
    const auto console = console_lines(r.err);
    for (const auto& line : console)
      UNSCOPED_INFO(line);
    CHECK(console.empty());

    CHECK(dom.find("<svg id=\"chart-share\"") != std::string::npos);
    CHECK(dom.find("<svg id=\"chart-rate\"") != std::string::npos);
    CHECK(occurrences(dom, "<rect class=\"bar\"") == 15);  // 16 weeks, one quiet
    CHECK(occurrences(dom, "<circle class=\"point\"") == 15);
    CHECK(occurrences(dom, "<polyline class=\"line\"") == 2);  // broken at the quiet week
    CHECK(dom.find(">2026-W11</text>") == std::string::npos);  // thinned labels...
    CHECK(dom.find(">2026-W02</text>") != std::string::npos);  // ...from the first week

    CHECK(occurrences(dom, "<tr data-verdict=") == f.violations.size());
    CHECK(dom.find("hidden=\"\"") == std::string::npos);
    CHECK(dom.find(fmt::format("<b id=\"shown\">{}</b>", f.violations.size())) !=
          std::string::npos);
    CHECK(dom.find("Weaker verification level.") != std::string::npos);

    // The header names the repository, refs and range, time, versions and the policy's digest.
    CHECK(dom.find("<dd id=\"repository\"><code>/srv/git/payments.git</code></dd>") !=
          std::string::npos);
    CHECK(dom.find("<code>refs/heads/main</code> at <code>" + std::string(40, 'a') +
                   "</code>, <code>refs/heads/release/1.x</code> at <code>" + std::string(40, 'b') +
                   "</code>") != std::string::npos);
    CHECK(dom.find("<span id=\"since\">2026-01-01</span>") != std::string::npos);
    CHECK(dom.find("<span id=\"until\">(no bound)</span>") != std::string::npos);
    CHECK(dom.find("<time id=\"generated\" datetime=\"2026-12-07T15:40:00Z\">") !=
          std::string::npos);
    CHECK(dom.find("<dd id=\"trailgate-version\">trailgate 0.9.0 (git 1234abcd)</dd>") !=
          std::string::npos);
    CHECK(dom.find("<span id=\"catalogue\">" + std::string(trailgate::detect::catalogue_version()) +
                   "</span>") != std::string::npos);
    CHECK(dom.find("<code id=\"policy-sha256\">" + std::string(64, 'e') + "</code>") !=
          std::string::npos);
    // A roster person is one row with all their emails.
    CHECK(occurrences(dom,
                      "<span class=\"person\">Alice Archer</span><br><small "
                      "class=\"emails\">alice@example.com, a.archer@corp.example</small>") ==
          2);  // by author, and top gaps
  }

  SECTION("a #filter= link shows only the matching rows") {
    std::size_t carol = 0;
    for (const auto& v : f.violations)
      carol += v.evaluation.author.email == "carol@example.com";
    REQUIRE(carol > 0);
    const std::string dom = chromium(file_url(page) + "#filter=CAROL%20chen", {"--dump-dom"}).out;
    CHECK(dom.find("data-ready=\"1\"") != std::string::npos);
    CHECK(dom.find("data-errors=\"") == std::string::npos);
    CHECK(occurrences(dom, "<tr data-verdict=") == f.violations.size());
    CHECK(occurrences(dom, "hidden=\"\"") == f.violations.size() - carol);
    CHECK(dom.find(fmt::format("<b id=\"shown\">{}</b>", carol)) != std::string::npos);
  }

  SECTION("a #filter= link can also pick a verdict") {
    std::size_t self = 0;
    for (const auto& v : f.violations)
      self += v.evaluation.verdict == trailgate::Verdict::self_reviewed;
    REQUIRE(self > 0);
    const std::string dom =
        chromium(file_url(page) + "#filter=&verdict=self-reviewed", {"--dump-dom"}).out;
    CHECK(dom.find("data-ready=\"1\"") != std::string::npos);
    CHECK(occurrences(dom, "hidden=\"\"") == f.violations.size() - self);
    CHECK(dom.find(fmt::format("<b id=\"shown\">{}</b>", self)) != std::string::npos);
  }

  SECTION("a screenshot is saved for people to look at") {
    const fs::path shot = TRAILGATE_SCREENSHOT;
    std::error_code ec;
    fs::remove(shot, ec);
    chromium(file_url(page), {"--screenshot=" + shot.string(), "--window-size=1280,3400"});
    REQUIRE(fs::exists(shot));
    CHECK(fs::file_size(shot) > 50'000);
    const std::string head = trailgate::testing::read_file(shot).substr(0, 8);
    CHECK(head == "\x89PNG\r\n\x1a\n");
    // The page itself goes next to it, to open in a desktop browser.
    fs::copy_file(page, fs::path(shot).replace_extension(".html"),
                  fs::copy_options::overwrite_existing);
    INFO("screenshot: " << shot.string());
  }

  SECTION("the error hook reports what it is there to catch") {
    // Without this the checks above could pass because the hook never records anything.
    std::string tampered = render_audit_html(f.summary, f.violations);
    tampered.insert(tampered.rfind("</body>"),
                    "<img src=\"http://192.0.2.1/pixel.png\"><script>no_such_function();</script>");
    const fs::path bad = dir.path() / "tampered.html";
    write_file(bad, tampered);
    const ProcessResult r = chromium(file_url(bad), {"--dump-dom"});
    CHECK(r.out.find("data-errors=\"") != std::string::npos);
    CHECK(r.out.find("no_such_function is not defined") != std::string::npos);
    CHECK(r.out.find("blocked: img-src http://192.0.2.1/pixel.png") != std::string::npos);
    CHECK_FALSE(console_lines(r.err).empty());
  }

  SECTION("an empty audit renders too") {
    const fs::path empty = dir.path() / "empty.html";
    write_file(empty, render_audit_html(AuditSummary{}, {}));
    const ProcessResult r = chromium(file_url(empty), {"--dump-dom"});
    CHECK(r.out.find("data-ready=\"1\"") != std::string::npos);
    CHECK(r.out.find("data-errors=\"") == std::string::npos);
    CHECK(console_lines(r.err).empty());
    CHECK(occurrences(r.out, ">no data</text>") == 2);
  }
}
