// The audit cache's file format, shared by its parts (cache.cpp, cache_blocks.cpp,
// cache_segments.cpp, cache_record.cpp, cache_reader.cpp) and by nothing else: the files' header
// line, the block header, the little byte codec the blocks and segments are written with, and
// the pread/pwrite loops. cache.h is the interface and describes the format.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "audit/cache.h"

namespace trailgate::audit {

namespace cache_format {

inline constexpr std::string_view kMagic = "trailgate-audit-cache 4";
inline constexpr std::uint32_t kBlockMagic = 0x32424754;  // "TGB2"
// A block never claims more than this; anything larger is damage.
inline constexpr std::uint64_t kMaxBlockPart = std::uint64_t{1} << 31;

static_assert(sizeof(CachedMeta) == 72, "CachedMeta is stored as is");

// What starts each block of the records file, followed by `count` CachedMeta, then the JSON
// part, then the binary part. Stored as is, in the byte order the file header names.
struct BlockHeader {
  std::uint32_t magic = kBlockMagic;
  std::uint32_t count = 0;
  std::uint64_t json_bytes = 0;
  std::uint64_t bin_bytes = 0;
  std::uint64_t meta_sum = 0, json_sum = 0, bin_sum = 0;
  std::uint64_t header_sum = 0;  // over the fields above

  std::uint64_t own_sum() const {
    return cache_checksum(
        std::string_view(reinterpret_cast<const char*>(this), offsetof(BlockHeader, header_sum)));
  }
  std::uint64_t meta_bytes() const { return std::uint64_t{count} * sizeof(CachedMeta); }
  std::uint64_t total() const {
    return sizeof(BlockHeader) + meta_bytes() + json_bytes + bin_bytes;
  }
  bool plausible() const {
    return magic == kBlockMagic && header_sum == own_sum() && count > 0 &&
           meta_bytes() < kMaxBlockPart && json_bytes < kMaxBlockPart && bin_bytes < kMaxBlockPart;
  }
};
static_assert(sizeof(BlockHeader) == 56);

// FNV-1a over `s`, continuing from `h`: the fingerprint's and the walk context's hash.
inline std::uint64_t fnv1a64(std::string_view s, std::uint64_t h = 0xcbf29ce484222325ULL) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// Appends `value`'s bytes as they are in memory (the file header records the byte order).
template <typename T>
inline void put(std::string& out, T value) {
  char buf[sizeof(T)];
  std::memcpy(buf, &value, sizeof(T));
  out.append(buf, sizeof(T));
}

// Appends a 32-bit length, then `s`.
inline void put_str(std::string& out, std::string_view s) {
  put<std::uint32_t>(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}

// Reads what put and put_str wrote, front to back. A read past the end yields a zero value
// and clears `ok`, which then stays false.
struct ByteReader {
  std::string_view in;
  bool ok = true;

  template <typename T>
  T get() {
    T value{};
    if (in.size() < sizeof(T)) {
      ok = false;
      return value;
    }
    std::memcpy(&value, in.data(), sizeof(T));
    in.remove_prefix(sizeof(T));
    return value;
  }
  std::string str() {
    auto n = get<std::uint32_t>();
    if (!ok || in.size() < n) {
      ok = false;
      return {};
    }
    std::string s(in.substr(0, n));
    in.remove_prefix(n);
    return s;
  }
  // A count of items that each take at least `min_size` bytes, checked against what is left.
  std::uint32_t count(std::size_t min_size) {
    auto n = get<std::uint32_t>();
    if (!ok || n > in.size() / min_size) {
      ok = false;
      return 0;
    }
    return n;
  }
};

// Reads exactly `n` bytes at `offset`; false on a short read or an error.
bool pread_all(int fd, char* out, std::size_t n, std::uint64_t offset);

// Writes all `n` bytes at `offset`; false on a short write or an error.
bool pwrite_all(int fd, const char* data, std::size_t n, std::uint64_t offset);

// The whole file, read with pread from offset 0 (what could be read, on an error).
std::string read_whole(int fd);

// The first line of a cache file: the format, `kind` ("records" or "segments"), the fingerprint
// and the byte order.
std::string file_header(const std::string& fingerprint, const char* kind);

// True when the file starts with `header`.
bool has_header(int fd, const std::string& header);

// Where the structurally sound blocks of the records file end (a torn last block excluded).
std::uint64_t blocks_end(int fd, std::uint64_t start, std::uint64_t size);

// Opens `path` for appending under an exclusive lock, starting it with `header` when it is
// new or not ours. Returns the descriptor (or -1) and the current size.
int open_locked(const std::string& path, const std::string& header, std::uint64_t& size);

}  // namespace cache_format

// One block read from the records file: its header, metadata, JSON and (when asked) binary
// parts, each checked against its checksum (cache_reader.cpp).
struct LoadedBlock {
  std::uint64_t offset = ~std::uint64_t{0};
  CachePart parts = CachePart::meta;
  cache_format::BlockHeader header;
  // metas, json[, bin]: `size` bytes read into a buffer kept from block to block (never zeroed,
  // never copied when it grows: a rerun reads hundreds of megabytes through it).
  std::unique_ptr<char[]> buffer;
  std::size_t size = 0, capacity = 0;
  std::vector<std::uint64_t> json_at, bin_at;  // each record's start in its part

  std::string_view bytes() const { return {buffer.get(), size}; }
  const CachedMeta* metas() const { return reinterpret_cast<const CachedMeta*>(buffer.get()); }

  bool has(CachePart wanted) const { return static_cast<int>(parts) >= static_cast<int>(wanted); }

  // Reads the `wanted` parts of the block at `at` of `fd`. Returns false (offset then says no
  // block is loaded) when it is missing, damaged or inconsistent.
  bool load(int fd, std::uint64_t at, CachePart wanted);

  // Views of record `i`'s metadata and loaded parts. REQUIRES: i < header.count.
  void record(std::uint32_t i, CachedRecord& out) const;
};

}  // namespace trailgate::audit
