// The audit cache: records judged by earlier audits, so a nightly audit judges only new commits.
//
// One file per fingerprint under <git dir>/trailgate/audit-cache/<fingerprint>.bin; the
// fingerprint covers everything a verdict depends on except time: trailgate's version and the
// policy file's bytes. Time matters through roster expiry and key validity, so each entry keeps
// the time it was judged at and is reused only when no such date lies between then and now.
// The file is append-only, one checksummed frame per record; a torn or corrupt tail is ignored.
// Deleting the file (or the directory) is always safe: the next audit judges everything again.
#pragma once

#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "audit/audit.h"
#include "policy/policy.h"

namespace trailgate::audit {

// The fingerprint of a cache: 16 hex digits over the cache format, `version` and
// `policy_bytes`.
std::string cache_fingerprint(std::string_view version, std::string_view policy_bytes);

// The dates at which a verdict under `policy` can change by itself: roster expiry and key
// validity bounds, sorted.
std::vector<std::int64_t> verdict_time_boundaries(const Policy& policy);

// Appends `record` (its ref excepted) with the rule it was judged under and the time it was
// judged at, as one frame payload.
void serialize_record(const AuditRecord& record, int rule_index, std::int64_t judged_at,
                      std::string& out);

// Reads a payload written by serialize_record. Returns false when it is malformed.
bool deserialize_record(std::string_view payload, AuditRecord& record, int& rule_index,
                        std::int64_t& judged_at);

// A cache file opened for reading, plus new entries to append. Reading is thread-safe.
class AuditCache {
 public:
  // Maps the file at `path` if it exists and was written for `fingerprint`; otherwise the cache
  // starts empty. Never throws on a missing, foreign or corrupt file.
  AuditCache(std::string path, std::string fingerprint);
  ~AuditCache();
  AuditCache(const AuditCache&) = delete;
  AuditCache& operator=(const AuditCache&) = delete;

  // The payload cached for commit `id` (full hex), or nullopt. The view lives as long as *this.
  std::optional<std::string_view> find(std::string_view id) const;
  std::size_t size() const { return index_.size(); }

  // Appends frames (each made by frame()) to the file, creating it and its directory. Returns
  // false when the file cannot be written (e.g. a read-only repository); the audit goes on.
  bool append(const std::string& frames);
  // Wraps a serialized payload in a frame: length, payload, checksum.
  static void frame(std::string_view payload, std::string& out);

 private:
  std::string path_;
  std::string header_;
  const char* map_ = nullptr;
  std::size_t map_size_ = 0;
  bool header_ok_ = false;
  std::size_t valid_end_ = 0;                                     // where the last good frame ends
  std::unordered_map<std::string_view, std::string_view> index_;  // 20 raw id bytes -> payload
};

}  // namespace trailgate::audit
