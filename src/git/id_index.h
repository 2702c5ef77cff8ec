// What git's binary index files share, read the same way by the pack reader (packs.cpp: a pack's
// .idx) and the commit-graph reader (commit_graph.cpp): files mapped whole and read-only,
// big-endian integers, and object ids listed in sorted order after a 256-entry fan-out table.
// Plain C++, no libgit2.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace trailgate::git {

inline std::uint32_t be32(const unsigned char* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}
inline std::uint64_t be64(const unsigned char* p) {
  return std::uint64_t{be32(p)} << 32 | be32(p + 4);
}

// A read-only mapping of a whole file, or nothing. Movable, not copyable.
class MappedFile {
 public:
  MappedFile() = default;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  // Maps `path`; false, mapping nothing, when it cannot be opened or mapped, or is shorter than
  // `min_size` bytes (at least 1: an empty file cannot be mapped).
  bool map(const std::string& path, std::size_t min_size = 1);
  // Gives the mapped pages back to the kernel (they stay in the page cache; a later read
  // faults them in again), so that resident memory does not grow with what was read.
  void release_pages() const;

  const unsigned char* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  const unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
};

// A fan-out table (256 big-endian counts: ids whose first byte is at most i) and the sorted
// 20-byte ids it indexes, as in a version-2 pack index and a commit-graph's OIDF/OIDL chunks.
struct IdIndex {
  static constexpr std::size_t kIdBytes = 20;
  static constexpr int kInterpolationProbes = 4;

  const unsigned char* fanout = nullptr;
  const unsigned char* ids = nullptr;

  // The number of ids, the fan-out's last count.
  std::uint32_t count() const { return be32(fanout + 255 * 4); }
  // True when the fan-out never decreases, as git writes it (checked before any find).
  bool ordered() const;
  // The position of `id` (20 bytes) among the ids; false when absent. Ids are uniform, so a few
  // interpolation probes (at most kInterpolationProbes, whatever the ids) narrow the search to a
  // few entries before the binary search.
  bool find(const unsigned char* id, std::uint32_t& pos) const;
  const unsigned char* id_at(std::uint32_t pos) const { return ids + std::size_t{pos} * kIdBytes; }
};

}  // namespace trailgate::git
