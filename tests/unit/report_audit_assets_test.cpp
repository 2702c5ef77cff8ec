// The audit page's stylesheet and scripts live in src/report/assets/ and are embedded at build
// time (generated audit_assets.h). These tests hold the embedding to the files: the page carries
// each asset byte for byte, once, where it belongs, so editing an asset is all it takes to change
// the page and nothing is lost or altered on the way.

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit.h"
#include "audit_assets.h"
#include "report/audit_html.h"
#include "support/temp_repo.h"

namespace {

using trailgate::audit::AuditRecord;
using trailgate::audit::AuditSummary;
using trailgate::report::render_audit_html;
using trailgate::testing::read_file;

std::string asset(std::string_view name) {
  return read_file(std::filesystem::path(TRAILGATE_SOURCE_DIR) / "src/report/assets" / name);
}

std::size_t occurrences(std::string_view haystack, std::string_view needle) {
  std::size_t n = 0;
  for (auto pos = haystack.find(needle); pos != std::string_view::npos;
       pos = haystack.find(needle, pos + needle.size()))
    ++n;
  return n;
}

}  // namespace

TEST_CASE("report::audit assets are embedded byte for byte", "[report][audit_html]") {
  SECTION("the generated constants are the files") {
    CHECK(trailgate::report::kAuditCss == asset("audit.css"));
    CHECK(trailgate::report::kAuditErrorHook == asset("audit_error_hook.js"));
    CHECK(trailgate::report::kAuditFilterScript == asset("audit_filter.js"));
  }
  SECTION("the page carries each asset once, in its element") {
    const std::string page = render_audit_html(AuditSummary{}, std::vector<AuditRecord>{});
    const std::string css = asset("audit.css");
    const std::string hook = asset("audit_error_hook.js");
    const std::string filter = asset("audit_filter.js");
    REQUIRE_FALSE(css.empty());
    REQUIRE_FALSE(hook.empty());
    REQUIRE_FALSE(filter.empty());
    CHECK(occurrences(page, "<style>\n" + css + "</style>\n") == 1);
    CHECK(occurrences(page, "<script>\n" + hook + "</script>\n") == 1);
    CHECK(occurrences(page, "<script>\n" + filter + "</script>\n") == 1);
    // The error hook runs before anything else on the page, the filter after the table.
    CHECK(page.find(hook) < page.find("<style>"));
    CHECK(page.find(filter) > page.find("id=\"violations\""));
  }
}
