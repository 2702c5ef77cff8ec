// The binary form of an audit record in the cache: what a rerun reads back to build its summary
// and its non-JSON formats without judging the commit again. Kept apart from the rest of the
// cache (cache.h) so that the record's shape can change in one place; a change to it must
// change the cache format's magic (cache_format.h), so that old caches are not misread.
#pragma once

#include <string>
#include <string_view>

#include "audit/audit.h"

namespace trailgate::audit {

// Appends `record` in binary form: the whole evaluation but its id and ref (the cache keeps the
// id beside it; the ref is the scan's), and lines_changed.
void serialize_record(const AuditRecord& record, std::string& out);
// Reads what serialize_record wrote into `record`, keeping the record.evaluation.id and
// record.evaluation.ref the caller set (its findings get them too). Returns false when it is
// malformed.
bool deserialize_record(std::string_view payload, AuditRecord& record);

}  // namespace trailgate::audit
