// The audit cache: records judged by earlier audits, so a nightly audit judges only new commits
// and copies the rest of its report from here.
//
// One pair of files per fingerprint under <git dir>/trailgate/audit-cache/: <fingerprint>.bin
// holds the records, <fingerprint>.seg the walks. The fingerprint covers everything a verdict
// depends on except time: trailgate's version and the policy file's bytes. Time matters through
// roster expiry and key validity, so each record keeps the time it was judged at and is reused
// only when no such date lies between then and now.
//
// Records are stored in blocks of up to a few thousand: the records' fixed-size metadata, then
// their JSON lines (without the ref, which the report fills in), then their binary form (for
// the summary and the other formats), each part with its own checksum. A segment names the
// records of one walk (a tip judged under a rule, after the same earlier tips) in walk order,
// as extents of blocks; a rerun whose new commits all come before the old tip in walk order
// copies the old segment's JSON instead of walking the old history again.
//
// Both files are append-only and read with pread, never mapped whole, so memory does not grow
// with them. A torn or damaged block or segment is ignored (and a torn tail overwritten by the
// next append); deleting the files, or the directory, is always safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "audit/audit.h"
#include "audit/cache_record.h"  // serialize_record, deserialize_record
#include "policy/policy.h"

namespace trailgate::audit {

// The fingerprint of a cache: 16 hex digits over the cache format, `version` and
// `policy_bytes`.
std::string cache_fingerprint(std::string_view version, std::string_view policy_bytes);

// The dates at which a verdict under `policy` can change by itself: roster expiry and key
// validity bounds, sorted.
std::vector<std::int64_t> verdict_time_boundaries(const Policy& policy);

// True when no date of `boundaries` (sorted) lies between `from` and `to` (either way round),
// so a verdict reached at `from` still holds at `to`.
bool time_stable(const std::vector<std::int64_t>& boundaries, std::int64_t from, std::int64_t to);

// A checksum of `bytes` (64 bits, fast; catches damage, not forgery).
std::uint64_t cache_checksum(std::string_view bytes);

// What a block keeps of each record besides its JSON and binary form.
struct CachedMeta {
  unsigned char id[20] = {};
  std::uint8_t pad[4] = {};
  std::int64_t author_time = 0;
  std::int64_t committer_time = 0;
  std::int64_t judged_at = 0;  // when the verdict was reached
  std::int32_t rule_index = -1;
  std::uint32_t json_size = 0;  // the JSON line without the ref's value
  std::uint32_t ref_at = 0;     // where in it the ref's value goes
  std::uint32_t bin_size = 0;
  std::int32_t lines_changed = -1;  // -1: not computed
  std::uint8_t flags = 0;           // kAiAssisted | kViolation
  std::uint8_t reserved[3] = {};

  static constexpr std::uint8_t kAiAssisted = 1, kViolation = 2;
  std::string id_hex() const;
};

// One record read back from the cache.
struct CachedRecord {
  CachedMeta meta;
  std::string_view json;  // without the ref's value; see meta.ref_at
  std::string_view bin;   // serialize_record's bytes; empty when not read
};

// Where a record lives: a block's offset in the records file, and its index there.
struct RecordLocation {
  std::uint64_t block = 0;
  std::uint32_t index = 0;
};

// The records of one walk, in walk order.
struct Segment {
  struct Extent {
    std::uint64_t block = 0;
    std::uint32_t first = 0;
    std::uint32_t count = 0;
  };
  std::string tip;  // hex
  std::int32_t rule_index = -1;
  std::uint64_t context = 0;         // the earlier targets' tips (context_of)
  std::int64_t max_commit_time = 0;  // the newest committer time among the records
  std::int64_t min_judged_at = 0, max_judged_at = 0;
  std::uint64_t count = 0;
  std::vector<Extent> extents;
};

// The context of a walk that excludes everything reachable from `earlier_tips` (hex ids).
std::uint64_t context_of(const std::vector<std::string>& earlier_tips);

// A block of new records being built, then appended.
class BlockBuilder {
 public:
  // Adds one record. `json` is the record's JSON line without the ref's value, which belongs
  // at `ref_at`; `bin` is serialize_record's form.
  void add(const CachedMeta& meta, std::string_view json, std::string_view bin);
  std::size_t count() const { return metas_.size(); }
  std::size_t bytes() const { return json_.size() + bin_.size(); }
  // The block as stored. REQUIRES: count() > 0.
  std::string finish() const;
  void clear();

 private:
  std::vector<CachedMeta> metas_;
  std::string json_, bin_;
};

// Which parts of a block to read: the metadata alone, also the JSON, or everything.
enum class CachePart { meta, json, all };

// 20 raw bytes of a 40-hex-digit id; false (out unspecified) for anything else.
bool raw_id(std::string_view hex, unsigned char (&out)[20]);

// Reads one cache's blocks and segments; appends new ones. Reading is thread-safe.
class AuditCache {
 public:
  // Opens `dir`/<fingerprint>.{bin,seg} when they exist and were written for `fingerprint`;
  // otherwise the cache starts empty. Never throws on a missing, foreign or corrupt file.
  AuditCache(const std::string& dir, const std::string& fingerprint);
  ~AuditCache();
  AuditCache(const AuditCache&) = delete;
  AuditCache& operator=(const AuditCache&) = delete;

  // The latest segment for `tip` judged under `rule_index` after `context`, or null.
  const Segment* segment(const std::string& tip, std::int32_t rule_index,
                         std::uint64_t context) const;
  // True when some segment starts at `tip` (whatever its rule or context).
  bool has_segment_tip(const std::string& tip) const { return tips_.count(tip) != 0; }
  // The newest committer time in any segment (INT64_MIN when there is none). A commit newer
  // than that is almost surely not cached, and looking it up would mean reading every
  // block's metadata for nothing.
  std::int64_t max_commit_time() const { return max_commit_time_; }

  // Calls `fn` for each record of `segment` in order, having read the `parts` of each block
  // (CachedRecord's views of parts not read are empty). Returns false (having called `fn` for
  // a prefix, possibly none) when a block is missing or damaged. The views live until `fn`
  // returns.
  using RecordFn = std::function<void(const CachedRecord&)>;
  bool for_each(const Segment& segment, CachePart parts, const RecordFn& fn) const;

  // Where the latest record of commit `id` (hex) is, or nullopt. The first call reads every
  // block's metadata. Read the record with a CacheReader.
  std::optional<RecordLocation> find(std::string_view id) const;

  // Appends a block (BlockBuilder::finish()) to the records file, creating it and its
  // directory. Returns the block's offset, or nullopt when the file cannot be written (e.g. a
  // read-only repository); the audit goes on.
  std::optional<std::uint64_t> append_block(const std::string& block);
  // Appends a segment to the segments file. Returns false when it cannot be written.
  bool append_segment(const Segment& segment);

  std::string records_path() const { return bin_path_; }

 private:
  struct Key {
    std::string tip;
    std::int32_t rule_index;
    std::uint64_t context;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const;
  };

  friend class CacheReader;
  void load_segments();
  void build_index() const;

  std::string fingerprint_;
  std::string bin_path_, seg_path_;
  std::string header_;
  int fd_ = -1;                     // the records file, for reading; -1 when absent or foreign
  std::uint64_t size_ = 0;          // its size when opened
  std::uint64_t appended_end_ = 0;  // where the last block append_block wrote ends; 0: none
  std::unordered_map<Key, Segment, KeyHash> segments_;
  std::unordered_map<std::string, int> tips_;
  std::int64_t max_commit_time_ = INT64_MIN;
  mutable std::once_flag index_once_;
  mutable std::unordered_map<std::string, RecordLocation> index_;  // raw 20-byte id -> record
};

// Reads records by location, keeping the last block it read (lookups come in runs of one
// block). Not thread-safe: one per thread.
class CacheReader {
 public:
  explicit CacheReader(const AuditCache& cache);
  ~CacheReader();
  CacheReader(const CacheReader&) = delete;
  CacheReader& operator=(const CacheReader&) = delete;
  // Reads the record at `location` with its binary form. Returns false when its block is
  // missing or damaged. The views in `out` live until the next call.
  bool read(RecordLocation location, CachedRecord& out);

 private:
  const AuditCache& cache_;
  std::unique_ptr<struct LoadedBlock> block_;
};

}  // namespace trailgate::audit
