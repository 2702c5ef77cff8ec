// Reading objects straight from a repository's pack files, without libgit2: the version-2 index
// looked up by fan-out and binary search, entries inflated with libdeflate (the size is in the
// entry's header), OFS_DELTA and REF_DELTA chains applied with git's delta format, and each
// reader's own cache of recently resolved objects (least recently used first out), since
// consecutive trees and commits sit on the same delta chains.
//
// Why not libgit2's reader: libgit2 1.5 keeps one delta-base cache per pack, shared by every
// thread behind the pack's lock, and empties it completely when it is full; the audit's workers
// serialised on those locks and re-inflated whole delta chains (issue "fast on every push").
// Here the mapped packs are shared and immutable, and everything that changes belongs to one
// reader, one per thread: no lock is taken to read an object.
//
// Only packs: a loose object, or an object in a pack that appeared after the set was opened, is
// "not here", and the caller (git::Repository) asks libgit2, which knows every kind of store.
// Nothing is re-hashed on reading, as git and the scan's libgit2 settings do not re-hash; a
// damaged entry (a bad header, a stream that does not inflate to the size its header gives, a
// delta that reaches outside its base) is a GitError, never a wrong object. Private to src/git.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace trailgate::git {

// The object types a pack entry resolves to (git's numbering).
enum class ObjectType : std::uint8_t { none = 0, commit = 1, tree = 2, blob = 3, tag = 4 };

// The largest object the reader inflates or builds from a delta. It reads commits and trees, for
// which a gigabyte is far beyond any real one; anything larger is refused as damaged, so that a
// few bytes of header or delta can never make it allocate without bound.
inline constexpr std::uint64_t kMaxObjectBytes = std::uint64_t{1} << 30;

// "commit", "tree", "blob", "tag" (for messages).
const char* type_name(ObjectType type);

// Applies git delta `delta` (source size, target size, then copy and insert instructions) to
// `base`. Throws GitError (Kind::invalid) when the delta is malformed: a source size other than
// base's, an instruction that copies from outside the base, a zero opcode, or a result of another
// size than the one it announces. Nothing is allocated before the delta is known to be valid.
std::string apply_delta(std::string_view base, std::string_view delta);

// The pack files (with version-2 indexes) of some object directories, mapped read-only.
// Immutable once opened: threads share one, each reading through its own PackReader.
class PackSet {
 public:
  // Opens the packs of each directory in `object_dirs` (objects/pack/*.idx with its .pack), in
  // that order. A directory without packs is skipped, and so is a pack whose index or header is
  // not a version-2 pack's or is damaged: its objects are "not here", for libgit2 to read or to
  // report as damaged.
  static std::shared_ptr<const PackSet> open(const std::vector<std::string>& object_dirs);
  // open(), shared: one PackSet per list of directories while anyone holds it, so that the
  // threads of a scan, each with its own repository handle, map each pack once.
  static std::shared_ptr<const PackSet> open_shared(const std::vector<std::string>& object_dirs);
  // One pack given as bytes, without an index: nothing can be looked up by id (a REF_DELTA
  // resolves to "not here"); read it by offset with PackReader::read_at. For tests and fuzzing.
  static std::shared_ptr<const PackSet> from_bytes(std::string pack);

  ~PackSet();
  PackSet(const PackSet&) = delete;
  PackSet& operator=(const PackSet&) = delete;

  // How many packs are open.
  std::size_t size() const { return packs_.size(); }
  // How many pack indexes of the directories were left out (damaged, version 1, or without
  // their pack): when not 0, "no pack holds it" is not the last word on an object.
  std::size_t skipped() const { return skipped_; }

  struct Pack;  // defined in packs.cpp
  struct Location {
    std::uint32_t pack = 0;
    std::uint64_t offset = 0;
  };
  // Where object `raw_id` (20 bytes) is stored, trying pack `hint` first; false when no pack
  // holds it.
  bool find(const unsigned char* raw_id, std::uint32_t hint, Location& where) const;
  const Pack& pack(std::uint32_t i) const { return *packs_[i]; }

 private:
  PackSet() = default;
  std::vector<std::unique_ptr<Pack>> packs_;
  std::size_t skipped_ = 0;
};

// Reads objects from a PackSet, keeping recently resolved objects (delta bases, and trees that
// later reads start from) up to a byte budget. Not thread-safe: one per thread.
//
// The cache is direct-mapped by pack offset (a slot per 2 KiB of budget), as git's delta-base cache
// was for years: a new object takes its slot from whatever held it, and when the bytes kept pass
// the budget, slots are emptied in turn until they do not. No list, no node per entry: resolving a
// delta chain of fifty trees costs fifty slot writes.
class PackReader {
 public:
  static constexpr std::size_t kDefaultCacheBytes = 32u << 20;
  static constexpr std::size_t kFirstCacheSlots = 256;
  static constexpr std::size_t kMaxCacheSlots = 1u << 14;  // one per 2 KiB of budget, at most
  static constexpr std::size_t kMaxChain = 10000;  // deltas on one object; git writes at most 4095

  explicit PackReader(std::shared_ptr<const PackSet> packs,
                      std::size_t cache_bytes = kDefaultCacheBytes);
  ~PackReader();
  PackReader(const PackReader&) = delete;
  PackReader& operator=(const PackReader&) = delete;

  struct Object {
    ObjectType type = ObjectType::none;
    std::shared_ptr<const std::string> bytes;  // null when the packs do not have the object
  };
  // Object `raw_id` (20 bytes), or an Object with null bytes when no pack holds it or its delta
  // base is outside the packs. Throws GitError (Kind::invalid, unreadable) when its entry or a
  // base's is damaged, or its chain is longer than kMaxChain. Delta bases and trees are kept in
  // the cache; with `keep`, the object itself too, whatever its type (one about to be read again).
  Object read(const unsigned char* raw_id, bool keep = false);
  // Whether some pack holds object `raw_id`; nothing is read but the indexes.
  bool has(const unsigned char* raw_id);
  // The type and size of object `raw_id` from its entry's header alone (or the cache), without
  // inflating it: false when no pack holds it or it is stored as a delta (whose type is its
  // base's). Throws GitError when the entry's header is damaged.
  bool header(const unsigned char* raw_id, ObjectType& type, std::uint64_t& size);
  // The object whose entry starts at `offset` in pack `pack`, as read() resolves it.
  Object read_at(std::uint32_t pack, std::uint64_t offset, bool keep = false);

  // Objects kept, and their bytes.
  std::size_t cached_objects() const;
  std::size_t cached_bytes() const { return cached_bytes_; }

 private:
  struct Slot {
    std::uint64_t key = ~std::uint64_t{0};  // pack << 48 | offset; all ones: empty
    Object object;
  };
  static std::uint64_t key_of(std::uint32_t pack, std::uint64_t offset) {
    return std::uint64_t{pack} << 48 | offset;
  }
  Slot& slot_of(std::uint64_t key) { return slots_[(key * 0x9E3779B97F4A7C15ull) >> shift_]; }
  const Object* cached(std::uint64_t key);
  void keep(std::uint64_t key, const Object& object);
  // Rehashes the kept objects into `count` slots (a power of two).
  void resize_slots(std::size_t count);

  std::shared_ptr<const PackSet> packs_;
  std::size_t budget_;
  std::size_t cached_bytes_ = 0;
  std::vector<Slot> slots_;  // a power of two of them, allocated on the first keep()
  std::size_t filled_ = 0;   // slots holding an object
  std::size_t max_slots_ = kFirstCacheSlots;  // a slot per 2 KiB of budget, within the limits
  unsigned shift_ = 64;                       // 64 - log2(slots)
  std::size_t sweep_ = 0;                     // the next slot to empty when over budget
  struct Inflater;
  std::unique_ptr<Inflater> inflater_;
  std::string delta_;       // scratch: the delta being applied
  std::uint32_t hint_ = 0;  // the pack that held the last object found
};

}  // namespace trailgate::git
