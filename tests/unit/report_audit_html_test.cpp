// Tests of the audit's HTML page on hand-built summaries: hostile commit text stays text,
// invalid UTF-8 never reaches the page, nothing is fetched from the network, and the charts,
// tables and numbers say what the summary says. The page in a real browser is
// e2e/audit_html_browser_test.

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit.h"
#include "report/audit_html.h"
#include "review/review.h"

namespace {

using trailgate::audit::AuditRecord;
using trailgate::audit::AuditSummary;
using trailgate::audit::Tally;
using trailgate::report::render_audit_html;
using trailgate::review::ClaimStatus;
using trailgate::review::ReviewClaim;

std::size_t occurrences(std::string_view haystack, std::string_view needle) {
  std::size_t n = 0;
  for (auto pos = haystack.find(needle); pos != std::string_view::npos;
       pos = haystack.find(needle, pos + needle.size()))
    ++n;
  return n;
}

std::string without(std::string text, std::string_view needle) {
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos))
    text.erase(pos, needle.size());
  return text;
}

// Strict UTF-8 check (no overlongs, surrogates or code points above U+10FFFF).
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    unsigned lo = 0x80, hi = 0xBF;
    if (b < 0x80)
      len = 1;
    else if (b >= 0xC2 && b <= 0xDF)
      len = 2;
    else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      lo = b == 0xE0 ? 0xA0 : 0x80;
      hi = b == 0xED ? 0x9F : 0xBF;
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      lo = b == 0xF0 ? 0x90 : 0x80;
      hi = b == 0xF4 ? 0x8F : 0xBF;
    } else
      return false;
    if (i + len > s.size())
      return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if (k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF))
        return false;
    }
    i += len;
  }
  return true;
}

Tally tally(std::int64_t commits, std::int64_t ai, std::int64_t verified, std::int64_t violations) {
  Tally t;
  t.commits = commits;
  t.ai_assisted = ai;
  t.ai_verified = verified;
  t.violations = violations;
  return t;
}

AuditRecord violation(const std::string& id, const std::string& subject,
                      const std::string& author_name, const std::string& author_email,
                      const std::string& verdict) {
  AuditRecord record;
  trailgate::CommitEvaluation& r = record.evaluation;
  r.id = id;
  r.subject = subject;
  r.author.name = author_name;
  r.author.email = author_email;
  r.author.time = 1'767'571'200;  // 2026-01-05
  r.committer = r.author;
  r.ref = "refs/heads/main";
  r.detections.push_back(
      {"claude-code.co-author", "Claude Code", "trailer \"Co-authored-by: ...\""});
  const std::optional<trailgate::Verdict> named = trailgate::verdict_named(verdict);
  REQUIRE(named);
  r.verdict = *named;
  record.lines_changed = 42;
  return record;
}

// Five weeks of a small team: 40 commits, 20 AI-assisted, 15 of those verified, 5 violations.
AuditSummary sample_summary() {
  AuditSummary s;
  s.total = tally(40, 20, 15, 5);
  s.by_week = {{"2026-W01", tally(8, 4, 4, 0)},
               {"2026-W02", tally(8, 4, 3, 1)},
               {"2026-W03", tally(8, 4, 2, 2)},
               {"2026-W04", tally(8, 4, 3, 1)},
               {"2026-W05", tally(8, 4, 3, 1)}};
  s.by_month = {{"2026-01", tally(40, 20, 15, 5)}};
  s.by_author = {{"dev@example.com", tally(30, 18, 13, 5)},
                 {"ops@example.com", tally(10, 2, 2, 0)}};
  s.by_tool = {{"Claude Code", tally(15, 15, 11, 4)}, {"Aider", tally(5, 5, 4, 1)}};
  s.by_reviewer = {{"senior@example.com", 15}};
  s.by_verdict = {{"ok", 15}, {"not-ai", 20}, {"unreviewed", 3}, {"self-reviewed", 2}};
  s.top_gap_authors = {{"dev@example.com", 5}};
  s.verification = "signature";
  s.policy_source = "refs/meta/trailgate:trailgate.toml";
  return s;
}

}  // namespace

TEST_CASE("audit_html: commit text is escaped", "[report][audit_html]") {
  AuditSummary s = sample_summary();
  s.policy_source = "<img src=x onerror=alert(1)>";
  s.by_author = {{"\"><script>alert('a')</script>", tally(1, 1, 0, 1)}};
  s.by_tool = {{"</table><b>tool</b>", tally(1, 1, 0, 1)}};
  s.by_reviewer = {{"rev'\"@example.com", 1}};
  s.by_verdict = {{"<i>odd</i>", 1}};
  std::vector<AuditRecord> v = {violation("a1b2c3", "<script>alert(1)</script> & </table>",
                                          "Eve \"The\" O'Hacker", "eve@<evil>.example",
                                          "unreviewed")};
  v[0].evaluation.ref = "refs/heads/</td>";
  v[0].evaluation.reviews.claims.push_back(
      {"Reviewed-by: <b>x</b>", "", "", ClaimStatus::malformed, "<br> reason"});
  s.largest_gaps = v;
  const std::string page = render_audit_html(s, v);

  SECTION("no markup from commits survives") {
    CHECK(occurrences(page, "<script") == 2);  // the error hook and the filter
    CHECK(occurrences(page, "<table") == occurrences(page, "</table>"));
    CHECK(occurrences(page, "<td") == occurrences(page, "</td>"));
    CHECK(page.find("<img") == std::string::npos);
    CHECK(page.find("<b>x</b>") == std::string::npos);
    CHECK(page.find("<i>odd") == std::string::npos);
    CHECK(page.find("<br>") == std::string::npos);
  }
  SECTION("the text is still shown, escaped") {
    CHECK(page.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;/table&gt;") !=
          std::string::npos);
    CHECK(page.find("Eve &quot;The&quot; O&#39;Hacker") != std::string::npos);
    CHECK(page.find("&lt;img src=x onerror=alert(1)&gt;") != std::string::npos);
    CHECK(page.find("&lt;/table&gt;&lt;b&gt;tool&lt;/b&gt;") != std::string::npos);
    CHECK(page.find("rev&#39;&quot;@example.com") != std::string::npos);
  }
  SECTION("verdicts are the enum's names; a verdict count's key is still escaped") {
    // A record's verdict is a Verdict, never commit text, so it cannot close an attribute.
    CHECK(page.find("data-verdict=\"unreviewed\"") != std::string::npos);
    CHECK(page.find("<option value=\"unreviewed\">") != std::string::npos);
    CHECK(page.find("&lt;i&gt;odd&lt;/i&gt;") != std::string::npos);
  }
}

TEST_CASE("audit_html: invalid UTF-8 is replaced", "[report][audit_html]") {
  AuditSummary s = sample_summary();
  std::vector<AuditRecord> v = {
      violation("c0ffee", "caf\xC3 \xFF\xFE overlong \xC0\xAF surrogate \xED\xA0\x80 cut \xE2\x82",
                "Ren\xE9 Latin-1", "rene@example.com", "unreviewed"),
      violation("beef", "fine: caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x99\x82", "Ana",
                "ana@example.com", "unreviewed")};
  s.by_author = {{"\x80\x81@example.com", tally(1, 1, 0, 1)}};
  const std::string page = render_audit_html(s, v);

  CHECK(valid_utf8(page));
  CHECK(page.find("caf\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD overlong \xEF\xBF\xBD\xEF\xBF\xBD") !=
        std::string::npos);
  CHECK(page.find("Ren\xEF\xBF\xBD Latin-1") != std::string::npos);
  SECTION("well-formed text, emoji included, is kept as it is") {
    CHECK(page.find("fine: caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x99\x82") !=
          std::string::npos);
  }
  SECTION("control characters are shown, not passed through") {
    v[0].evaluation.subject = std::string("bell\x07 esc\x1b[31m nul") + std::string(1, '\0');
    const std::string p = render_audit_html(s, v);
    CHECK(p.find("bell\\x07 esc\\x1b[31m nul\\x00") != std::string::npos);
    CHECK(p.find('\0') == std::string::npos);
  }
}

TEST_CASE("audit_html: the page loads nothing from the network", "[report][audit_html]") {
  AuditSummary s = sample_summary();
  const std::string hostile = "<script src=\"https://evil.example/x.js\"></script> http://x.test";
  std::vector<AuditRecord> v = {violation("abc", hostile, "Dev", "dev@example.com", "unreviewed")};
  s.largest_gaps = v;
  const std::string page = render_audit_html(s, v);

  SECTION("URLs occur only inside escaped commit text") {
    const std::string escaped =
        "&lt;script src=&quot;https://evil.example/x.js&quot;&gt;&lt;/script&gt; http://x.test";
    CHECK(occurrences(page, escaped) == 2);  // violations table and largest gaps
    const std::string rest = without(page, escaped);
    CHECK(rest.find("http://") == std::string::npos);
    CHECK(rest.find("https://") == std::string::npos);
  }
  SECTION("no resource is referenced at all") {
    const std::string clean = render_audit_html(sample_summary(), {});
    for (const char* needle :
         {"http:", "https:", " src=", "href=", "url(", "@import", "@font-face", "<link", "<img",
          "<iframe", "<object", "<embed", "fetch(", "XMLHttpRequest", "eval(", "new Function"})
      CHECK_FALSE(clean.find(needle) != std::string::npos);
  }
  SECTION("a Content-Security-Policy forbids network access") {
    CHECK(page.find("<meta charset=\"utf-8\">") != std::string::npos);
    CHECK(page.find("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                    "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:") !=
          std::string::npos);
    // The policy must come before the first script to govern it.
    CHECK(page.find("Content-Security-Policy") < page.find("<script"));
  }
}

TEST_CASE("audit_html: charts have one point per period", "[report][audit_html]") {
  SECTION("five weeks: five bars and five points, each with a title") {
    const std::string page = render_audit_html(sample_summary(), {});
    CHECK(occurrences(page, "<rect class=\"bar\"") == 5);
    CHECK(occurrences(page, "<circle class=\"point\"") == 5);
    CHECK(occurrences(page, "<polyline class=\"line\"") == 1);
    CHECK(page.find("<title>2026-W02: 4 of 8 commits AI-assisted (50.0%)</title>") !=
          std::string::npos);
    CHECK(page.find("<title>2026-W03: 2 of 4 AI-assisted commits verified (50.0%)</title>") !=
          std::string::npos);
    CHECK(page.find("AI-assisted share of commits, by week") != std::string::npos);
    CHECK(page.find("no data") == std::string::npos);
  }
  SECTION("a week without commits keeps its place on the axis but has no bar") {
    AuditSummary s = sample_summary();
    s.by_week = {{"2026-W01", tally(4, 2, 1, 1)}, {"2026-W03", tally(4, 2, 2, 0)}};
    const std::string page = render_audit_html(s, {});
    CHECK(occurrences(page, "<rect class=\"bar\"") == 2);
    CHECK(page.find(">2026-W02</text>") != std::string::npos);
    // The rate line breaks at the empty week rather than bridging it.
    CHECK(occurrences(page, "<polyline class=\"line\"") == 0);
    CHECK(occurrences(page, "<circle class=\"point\"") == 2);
  }
  SECTION("weeks run on across a 53-week year") {
    AuditSummary s = sample_summary();
    s.by_week = {{"2026-W52", tally(1, 1, 1, 0)}, {"2027-W01", tally(1, 1, 1, 0)}};
    const std::string page = render_audit_html(s, {});
    CHECK(page.find(">2026-W53</text>") != std::string::npos);
    s.by_week = {{"2025-W52", tally(1, 1, 1, 0)}, {"2026-W01", tally(1, 1, 1, 0)}};
    const std::string p2 = render_audit_html(s, {});
    CHECK(p2.find("W53") == std::string::npos);
    CHECK(occurrences(p2, "<rect class=\"bar\"") == 2);
  }
  SECTION("more than a year of weeks is charted by month") {
    AuditSummary s = sample_summary();
    s.by_week = {{"2024-W01", tally(1, 1, 1, 0)}, {"2026-W01", tally(1, 0, 0, 0)}};
    s.by_month = {{"2024-01", tally(1, 1, 1, 0)}, {"2026-01", tally(1, 0, 0, 0)}};
    const std::string page = render_audit_html(s, {});
    CHECK(page.find("AI-assisted share of commits, by month") != std::string::npos);
    CHECK(occurrences(page, "<rect class=\"bar\"") == 2);
    // 25 months on each chart's axis, labelled sparsely enough not to overlap.
    CHECK(page.find(">2025-07</text>") != std::string::npos);
    CHECK(occurrences(page, "<text class=\"xlabel\"") <= 2 * 13);
  }
}

TEST_CASE("audit_html: an empty audit renders", "[report][audit_html]") {
  const std::string page = render_audit_html(AuditSummary{}, {});
  CHECK(page.find("</html>") != std::string::npos);
  CHECK(occurrences(page, ">no data</text>") == 2);
  CHECK(page.find("No violations.") != std::string::npos);
  CHECK(page.find("nan%") == std::string::npos);
  CHECK(page.find("\"nan") == std::string::npos);
  CHECK(page.find("inf%") == std::string::npos);
  CHECK(page.find("<div class=\"v\">0</div><div class=\"k\">commits audited") != std::string::npos);
  CHECK(page.find("\u2014") != std::string::npos);  // shares with nothing to divide by
  CHECK(occurrences(page, "<rect class=\"bar\"") == 0);
}

TEST_CASE("audit_html: the numbers of the summary appear", "[report][audit_html]") {
  AuditSummary s = sample_summary();
  s.total = tally(1'234'567, 462'963, 231'481, 231'482);
  const std::vector<AuditRecord> v = {
      violation("1111111111111111", "first", "A", "a@example.com", "unreviewed"),
      violation("2222222222222222", "second", "B", "b@example.com", "self-reviewed"),
      violation("3333333333333333", "third", "C", "c@example.com", "unreviewed")};
  const std::string page = render_audit_html(s, v);

  CHECK(page.find(">1,234,567</div>") != std::string::npos);
  CHECK(page.find(">37.5%</div>") != std::string::npos);  // AI-assisted share
  CHECK(page.find(">50.0%</div>") != std::string::npos);  // verified among AI-assisted
  CHECK(page.find(">231,482</div>") != std::string::npos);
  CHECK(page.find("(231,482 violations in total)") != std::string::npos);
  SECTION("breakdowns") {
    CHECK(page.find("<td>dev@example.com</td><td class=\"num\">30</td><td class=\"num\">18</td>"
                    "<td class=\"num\">13</td><td class=\"num\">5</td><td class=\"num\">5</td>") !=
          std::string::npos);
    CHECK(page.find("<td>Claude Code</td><td class=\"num\">15</td><td class=\"num\">11</td>"
                    "<td class=\"num\">73.3%</td><td class=\"num\">4</td>") != std::string::npos);
    CHECK(page.find("<td>senior@example.com</td><td class=\"num\">15</td>") != std::string::npos);
    CHECK(page.find(">self-reviewed</span></td><td class=\"num\">2</td>") != std::string::npos);
  }
  SECTION("one filterable row per violation, one option per verdict") {
    CHECK(occurrences(page, "<tr data-verdict=") == 3);
    CHECK(occurrences(page, "<option value=\"unreviewed\">") == 1);
    CHECK(occurrences(page, "<option value=\"self-reviewed\">") == 1);
    CHECK(page.find("<td class=\"id\" title=\"1111111111111111\">111111111111"
                    "<div class=\"date\">2026-01-05</div></td>") != std::string::npos);
  }
}

TEST_CASE("audit_html: absurd dates and counts do not break the page", "[report][audit_html]") {
  AuditSummary s = sample_summary();
  s.total.commits = std::numeric_limits<std::int64_t>::min();
  s.by_week = {{"not a week", tally(1, 1, 0, 1)}, {"2026-W99", tally(2, 1, 1, 0)}};
  std::vector<AuditRecord> v = {violation("a", "far future", "F", "f@example.com", "unreviewed"),
                                violation("b", "far past", "P", "p@example.com", "unreviewed")};
  v[0].evaluation.author.time = std::numeric_limits<std::int64_t>::max();
  v[1].evaluation.author.time = std::numeric_limits<std::int64_t>::min();
  const std::string page = render_audit_html(s, v);
  CHECK(page.find(">-9,223,372,036,854,775,808</div>") != std::string::npos);
  CHECK(occurrences(page, "<div class=\"date\">?</div>") == 2);
  // Labels that are not weeks are charted as they are, without filling gaps between them.
  CHECK(occurrences(page, "<rect class=\"bar\"") == 2);
  CHECK(page.find(">not a week</text>") != std::string::npos);
}

TEST_CASE("audit_html: roster verification is marked as the weaker level", "[report][audit_html]") {
  AuditSummary s = sample_summary();
  CHECK(render_audit_html(s, {}).find("roster-warning") == std::string::npos);
  s.verification = "roster";
  const std::string page = render_audit_html(s, {});
  CHECK(page.find("class=\"badge weak\">roster</span>") != std::string::npos);
  CHECK(page.find("Weaker verification level.") != std::string::npos);
}
