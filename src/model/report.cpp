#include "model/report.h"

#include <algorithm>

#include "util/hex_id.h"

namespace trailgate {

bool RefUpdate::creates() const {
  return util::is_null_object_id(old_id);
}
bool RefUpdate::deletes() const {
  return util::is_null_object_id(new_id);
}

bool Report::has_ref_findings() const {
  return std::any_of(refs.begin(), refs.end(),
                     [](const RefResult& r) { return !r.ref_findings.empty(); });
}

}  // namespace trailgate
