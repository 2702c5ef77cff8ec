// The audit as one self-contained HTML page: inline SVG charts and a filterable table, with no
// network, external scripts or web fonts, so it can be mailed or archived as a single file.
#pragma once

#include <string>
#include <vector>

#include "audit/record.h"

namespace trailgate::report {

// Renders the page. `violations` are the violating records to list in the filterable table
// (the caller bounds how many it passes). Text from commits is HTML-escaped; invalid UTF-8 is
// replaced, so the page is always well-formed.
std::string render_audit_html(const audit::AuditSummary& summary,
                              const std::vector<audit::AuditRecord>& violations);

}  // namespace trailgate::report
