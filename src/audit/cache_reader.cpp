#include "audit/cache_format.h"

#include <cstring>
#include <memory>
#include <mutex>

namespace trailgate::audit {

using cache_format::BlockHeader;
using cache_format::pread_all;

bool LoadedBlock::load(int fd, std::uint64_t at, CachePart wanted) {
  offset = ~std::uint64_t{0};
  if (fd < 0 || !pread_all(fd, reinterpret_cast<char*>(&header), sizeof header, at) ||
      !header.plausible())
    return false;
  bool json = wanted != CachePart::meta, bin = wanted == CachePart::all;
  std::uint64_t n =
      header.meta_bytes() + (json ? header.json_bytes : 0) + (bin ? header.bin_bytes : 0);
  if (n > capacity) {
    // Uninitialised (pread fills it), with room to spare: blocks differ a little in size, and
    // each new buffer costs a page fault per page.
    capacity = n + n / 2;
    buffer.reset(new char[capacity]);
  }
  size = n;
  if (!pread_all(fd, buffer.get(), n, at + sizeof header))
    return false;
  const std::string_view all = bytes();
  if (cache_checksum(all.substr(0, header.meta_bytes())) != header.meta_sum ||
      (json &&
       cache_checksum(all.substr(header.meta_bytes(), header.json_bytes)) != header.json_sum) ||
      (bin &&
       cache_checksum(all.substr(header.meta_bytes() + header.json_bytes)) != header.bin_sum))
    return false;
  // Each record's place in the parts; the sizes must add up exactly.
  json_at.resize(header.count);
  bin_at.resize(header.count);
  std::uint64_t j = 0, b = 0;
  for (std::uint32_t i = 0; i < header.count; ++i) {
    CachedMeta m;
    std::memcpy(&m, buffer.get() + std::uint64_t{i} * sizeof(CachedMeta), sizeof m);
    if (m.ref_at > m.json_size)
      return false;
    json_at[i] = j;
    bin_at[i] = b;
    j += m.json_size;
    b += m.bin_size;
  }
  if (j != header.json_bytes || b != header.bin_bytes)
    return false;
  offset = at;
  parts = wanted;
  return true;
}

void LoadedBlock::record(std::uint32_t i, CachedRecord& out) const {
  std::memcpy(&out.meta, buffer.get() + std::uint64_t{i} * sizeof(CachedMeta), sizeof out.meta);
  const std::string_view all = bytes();
  out.json = has(CachePart::json) ? all.substr(header.meta_bytes() + json_at[i], out.meta.json_size)
                                  : std::string_view();
  out.bin = has(CachePart::all)
                ? all.substr(header.meta_bytes() + header.json_bytes + bin_at[i], out.meta.bin_size)
                : std::string_view();
}

bool AuditCache::for_each(const Segment& segment, CachePart parts, const RecordFn& fn) const {
  LoadedBlock block;
  CachedRecord record;
  for (const auto& e : segment.extents) {
    if (block.offset != e.block || !block.has(parts))
      if (!block.load(fd_, e.block, parts))
        return false;
    if (std::uint64_t{e.first} + e.count > block.header.count)
      return false;
    for (std::uint32_t i = e.first; i < e.first + e.count; ++i) {
      block.record(i, record);
      fn(record);
    }
  }
  return true;
}

void AuditCache::build_index() const {
  std::call_once(index_once_, [this] {
    if (fd_ < 0)
      return;
    std::uint64_t at = header_.size();
    BlockHeader h;
    std::string metas;
    while (at + sizeof h <= size_ && pread_all(fd_, reinterpret_cast<char*>(&h), sizeof h, at) &&
           h.plausible() && at + h.total() <= size_) {
      metas.resize(h.meta_bytes());
      if (pread_all(fd_, metas.data(), metas.size(), at + sizeof h) &&
          cache_checksum(metas) == h.meta_sum) {
        for (std::uint32_t i = 0; i < h.count; ++i) {
          const char* id = metas.data() + std::uint64_t{i} * sizeof(CachedMeta);
          index_.insert_or_assign(std::string(id, 20), RecordLocation{at, i});  // later wins
        }
      }
      at += h.total();
    }
  });
}

std::optional<RecordLocation> AuditCache::find(std::string_view id) const {
  unsigned char raw[20];
  if (fd_ < 0 || !raw_id(id, raw))
    return std::nullopt;
  build_index();
  auto it = index_.find(std::string(reinterpret_cast<const char*>(raw), sizeof raw));
  if (it == index_.end())
    return std::nullopt;
  return it->second;
}

CacheReader::CacheReader(const AuditCache& cache)
    : cache_(cache), block_(std::make_unique<LoadedBlock>()) {}

CacheReader::~CacheReader() = default;

bool CacheReader::read(RecordLocation location, CachedRecord& out) {
  if ((block_->offset != location.block || !block_->has(CachePart::all)) &&
      !block_->load(cache_.fd_, location.block, CachePart::all))
    return false;
  if (location.index >= block_->header.count)
    return false;
  block_->record(location.index, out);
  return true;
}

}  // namespace trailgate::audit
