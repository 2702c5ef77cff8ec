#include "git/packs.h"

#include <dirent.h>
#include <libdeflate.h>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <mutex>

#include "git/error.h"
#include "git/id_index.h"

namespace trailgate::git {

namespace {

constexpr std::size_t kIdBytes = IdIndex::kIdBytes;
constexpr std::size_t kIdxHeader = 8 + 256 * 4;  // magic, version, fan-out
constexpr std::size_t kTrailer = 20;             // a pack's (and an index's) checksum
// Pages of a pack touched since the mapping was last given back, above which it is given back
// (madvise): the pages stay in the page cache, but a scan's resident memory no longer grows
// with the size of the packs it reads through.
constexpr std::uint64_t kResidentLimit = 64u << 20;
constexpr std::uint64_t kPage = 4096;
// deflate cannot expand more than 1032:1; a header claiming more is damaged, and is refused
// before anything is allocated for it.
constexpr std::uint64_t kMaxInflateRatio = 1032;

enum EntryType : int { kCommit = 1, kTree = 2, kBlob = 3, kTag = 4, kOfsDelta = 6, kRefDelta = 7 };

GitError damaged(const std::string& what) {
  return GitError(what, GitError::Kind::invalid, true);
}

// A pack entry's header: its type, its inflated size, where its zlib stream starts, and for a
// delta where its base is.
struct EntryHeader {
  int type = 0;
  std::uint64_t size = 0;
  std::size_t data = 0;  // offset of the zlib stream
  std::uint64_t base_offset = 0;
  const unsigned char* base_id = nullptr;
};

}  // namespace

const char* type_name(ObjectType type) {
  switch (type) {
    case ObjectType::commit:
      return "commit";
    case ObjectType::tree:
      return "tree";
    case ObjectType::blob:
      return "blob";
    case ObjectType::tag:
      return "tag";
    case ObjectType::none:
      break;
  }
  return "object";
}

std::string apply_delta(std::string_view base, std::string_view delta) {
  const auto* p = reinterpret_cast<const unsigned char*>(delta.data());
  const unsigned char* const end = p + delta.size();
  auto varint = [&](const char* what) {
    std::uint64_t value = 0;
    unsigned shift = 0;
    unsigned char c = 0;
    do {
      if (p == end || shift > 63)
        throw damaged(fmt::format("a delta's {} size is cut short or too large", what));
      c = *p++;
      value |= std::uint64_t{c & 0x7fu} << shift;
      shift += 7;
    } while (c & 0x80);
    return value;
  };
  const std::uint64_t source_size = varint("source");
  const std::uint64_t target_size = varint("target");
  if (target_size > kMaxObjectBytes)
    throw damaged(fmt::format("a delta announces {} bytes, more than the {} allowed", target_size,
                              kMaxObjectBytes));
  if (source_size != base.size())
    throw damaged(fmt::format("a delta expects a base of {} bytes, its base has {}", source_size,
                              base.size()));
  const unsigned char* const ops = p;
  // Each instruction once to check it, then once to build: the result is allocated only for a
  // delta known to produce exactly target_size bytes from inside its base.
  for (int pass = 0; pass < 2; ++pass) {
    std::string out;
    if (pass == 1)
      out.reserve(target_size);
    std::uint64_t produced = 0;
    p = ops;
    while (p < end) {
      const unsigned char op = *p++;
      if (op & 0x80) {
        std::uint64_t offset = 0, size = 0;
        for (unsigned i = 0; i < 4; ++i)
          if (op & (1u << i)) {
            if (p == end)
              throw damaged("a delta's copy instruction is cut short");
            offset |= std::uint64_t{*p++} << (8 * i);
          }
        for (unsigned i = 0; i < 3; ++i)
          if (op & (0x10u << i)) {
            if (p == end)
              throw damaged("a delta's copy instruction is cut short");
            size |= std::uint64_t{*p++} << (8 * i);
          }
        if (size == 0)
          size = 0x10000;
        if (offset > base.size() || size > base.size() - offset)
          throw damaged("a delta copies from outside its base");
        if (pass == 1)
          out.append(base.data() + offset, size);
        produced += size;
      } else if (op != 0) {
        if (static_cast<std::size_t>(end - p) < op)
          throw damaged("a delta's insert instruction is cut short");
        if (pass == 1)
          out.append(reinterpret_cast<const char*>(p), op);
        p += op;
        produced += op;
      } else {
        throw damaged("a delta has the reserved instruction 0");
      }
      if (produced > target_size)
        throw damaged("a delta produces more than the size it announces");
    }
    if (produced != target_size)
      throw damaged("a delta produces less than the size it announces");
    if (pass == 1)
      return out;
  }
  return {};  // not reached
}

struct PackSet::Pack {
  std::string name;  // the .pack file, for messages
  MappedFile idx_map, pack_map;
  std::string owned;  // from_bytes
  const unsigned char* pack = nullptr;
  std::size_t pack_size = 0;
  std::uint32_t count = 0;
  IdIndex index;  // empty for a pack given as bytes
  const unsigned char* offsets = nullptr;
  const unsigned char* large = nullptr;
  std::size_t large_count = 0;
  mutable std::atomic<std::uint64_t> touched{0};

  // Checks the pack's header against `objects` (its index's count, when indexed).
  void check_header(bool indexed) {
    if (pack_size < 12 + kTrailer || std::memcmp(pack, "PACK", 4) != 0)
      throw damaged(fmt::format("{} is not a pack file", name));
    const std::uint32_t version = be32(pack + 4);
    if (version != 2 && version != 3)
      throw damaged(fmt::format("{} has pack version {}, not 2 or 3", name, version));
    if (indexed && be32(pack + 8) != count)
      throw damaged(fmt::format("{} holds {} objects, its index {}", name, be32(pack + 8), count));
  }

  void check_index() {
    const unsigned char* idx = idx_map.data();
    const std::size_t size = idx_map.size();
    if (size < kIdxHeader + 2 * kTrailer || std::memcmp(idx, "\377tOc", 4) != 0 ||
        be32(idx + 4) != 2)
      throw damaged(fmt::format("the index of {} is not a version-2 pack index", name));
    index.fanout = idx + 8;
    if (!index.ordered())
      throw damaged(fmt::format("the index of {} has a fan-out table out of order", name));
    count = index.count();
    const std::uint64_t fixed = kIdxHeader + std::uint64_t{count} * (kIdBytes + 8) + 2 * kTrailer;
    if (size < fixed || (size - fixed) % 8 != 0)
      throw damaged(fmt::format("the index of {} has the wrong size for {} objects", name, count));
    index.ids = idx + kIdxHeader;
    offsets = index.ids + std::size_t{count} * (kIdBytes + 4);  // after the ids and the CRCs
    large = offsets + std::size_t{count} * 4;
    large_count = (size - fixed) / 8;
  }

  std::uint64_t offset_at(std::uint32_t i) const {
    const std::uint32_t v = be32(offsets + 4 * std::size_t{i});
    if (!(v & 0x80000000u))
      return v;
    const std::size_t k = v & 0x7fffffffu;
    if (k >= large_count)
      throw damaged(fmt::format("the index of {} points past its large offsets", name));
    return std::uint64_t{be32(large + 8 * k)} << 32 | be32(large + 8 * k + 4);
  }

  bool find(const unsigned char* id, std::uint64_t& offset) const {
    std::uint32_t pos = 0;
    if (!index.ids || !index.find(id, pos))
      return false;
    offset = offset_at(pos);
    return true;
  }

  // The end of the entries: the trailing checksum follows.
  std::size_t data_end() const { return pack_size - kTrailer; }

  EntryHeader header_at(std::uint64_t offset) const {
    if (offset < 12 || offset >= data_end())
      throw damaged(fmt::format("{}: an entry offset {} is outside the pack", name, offset));
    const unsigned char* p = pack + offset;
    const unsigned char* const end = pack + data_end();
    EntryHeader h;
    unsigned char c = *p++;
    h.type = (c >> 4) & 7;
    h.size = c & 15u;
    unsigned shift = 4;
    while (c & 0x80) {
      if (p == end || shift > 57)
        throw damaged(fmt::format("{}: the entry at {} has a damaged header", name, offset));
      c = *p++;
      h.size |= std::uint64_t{c & 0x7fu} << shift;
      shift += 7;
    }
    if (h.type == kOfsDelta) {
      if (p == end)
        throw damaged(fmt::format("{}: the entry at {} has a damaged header", name, offset));
      c = *p++;
      std::uint64_t back = c & 0x7fu;
      while (c & 0x80) {
        if (p == end || back > (std::uint64_t{1} << 56))
          throw damaged(fmt::format("{}: the entry at {} has a damaged header", name, offset));
        c = *p++;
        back = ((back + 1) << 7) | (c & 0x7fu);
      }
      if (back == 0 || back > offset)
        throw damaged(
            fmt::format("{}: the delta at {} names a base outside the pack", name, offset));
      h.base_offset = offset - back;
    } else if (h.type == kRefDelta) {
      if (static_cast<std::size_t>(end - p) < kIdBytes)
        throw damaged(fmt::format("{}: the entry at {} has a damaged header", name, offset));
      h.base_id = p;
      p += kIdBytes;
    } else if (h.type < kCommit || h.type > kTag) {
      throw damaged(fmt::format("{}: the entry at {} has unknown type {}", name, offset, h.type));
    }
    h.data = static_cast<std::size_t>(p - pack);
    return h;
  }

  // Counts pages read; past kResidentLimit, gives the mapping's pages back to the kernel.
  void touch(std::uint64_t bytes) const {
    if (!pack_map.data())
      return;
    const std::uint64_t pages = (bytes / kPage + 2) * kPage;
    if (touched.fetch_add(pages, std::memory_order_relaxed) + pages > kResidentLimit) {
      touched.store(0, std::memory_order_relaxed);
      pack_map.release_pages();
    }
  }
};

PackSet::~PackSet() = default;

std::shared_ptr<const PackSet> PackSet::open(const std::vector<std::string>& object_dirs) {
  std::shared_ptr<PackSet> set(new PackSet());
  for (const auto& dir : object_dirs) {
    const std::string pack_dir = dir + "/pack";
    DIR* d = opendir(pack_dir.c_str());
    if (!d)
      continue;
    std::vector<std::string> names;
    while (const dirent* e = readdir(d)) {
      std::string_view name = e->d_name;
      if (name.size() > 4 && name.substr(name.size() - 4) == ".idx")
        names.emplace_back(name.substr(0, name.size() - 4));
    }
    closedir(d);
    std::sort(names.begin(), names.end());
    for (const auto& base : names) {
      auto pack = std::make_unique<Pack>();
      pack->name = pack_dir + "/" + base + ".pack";
      // A pack being written or removed has one file without the other; git skips it too.
      if (!pack->idx_map.map(pack_dir + "/" + base + ".idx") || !pack->pack_map.map(pack->name)) {
        ++set->skipped_;
        continue;
      }
      // A version-1 index is left to libgit2, which reads it.
      if (pack->idx_map.size() >= 8 && std::memcmp(pack->idx_map.data(), "\377tOc", 4) != 0) {
        ++set->skipped_;
        continue;
      }
      pack->pack = pack->pack_map.data();
      pack->pack_size = pack->pack_map.size();
      try {
        pack->check_index();
        pack->check_header(true);
      } catch (const GitError&) {
        // Left to libgit2, which reads what it can of it and reports the rest: a pack half
        // written by a concurrent repack must not stop every other read.
        ++set->skipped_;
        continue;
      }
      set->packs_.push_back(std::move(pack));
    }
  }
  return set;
}

std::shared_ptr<const PackSet> PackSet::open_shared(const std::vector<std::string>& object_dirs) {
  static std::mutex mu;
  static std::map<std::vector<std::string>, std::weak_ptr<const PackSet>> open_sets;
  std::lock_guard lock(mu);
  std::weak_ptr<const PackSet>& slot = open_sets[object_dirs];
  std::shared_ptr<const PackSet> packs = slot.lock();
  if (!packs) {
    packs = open(object_dirs);
    slot = packs;
  }
  return packs;
}

std::shared_ptr<const PackSet> PackSet::from_bytes(std::string bytes) {
  std::shared_ptr<PackSet> set(new PackSet());
  auto pack = std::make_unique<Pack>();
  pack->name = "pack";
  pack->owned = std::move(bytes);
  pack->pack = reinterpret_cast<const unsigned char*>(pack->owned.data());
  pack->pack_size = pack->owned.size();
  pack->check_header(false);
  set->packs_.push_back(std::move(pack));
  return set;
}

bool PackSet::find(const unsigned char* raw_id, std::uint32_t hint, Location& where) const {
  if (hint < packs_.size() && packs_[hint]->find(raw_id, where.offset)) {
    where.pack = hint;
    return true;
  }
  for (std::uint32_t i = 0; i < packs_.size(); ++i)
    if (i != hint && packs_[i]->find(raw_id, where.offset)) {
      where.pack = i;
      return true;
    }
  return false;
}

struct PackReader::Inflater {
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  ~Inflater() { libdeflate_free_decompressor(d); }

  // Sets `out` to the `size` bytes the zlib stream at `h.data` inflates to.
  void inflate(const PackSet::Pack& pack, std::uint64_t offset, const EntryHeader& h,
               std::string& out) {
    const std::size_t available = pack.data_end() - h.data;
    if (h.size > (available + 64) * kMaxInflateRatio || h.size > kMaxObjectBytes)
      throw damaged(fmt::format("{}: the entry at {} claims {} bytes, more than its data can hold",
                                pack.name, offset, h.size));
    out.resize(static_cast<std::size_t>(h.size));
    std::size_t used = 0, produced = 0;
    const libdeflate_result rc = libdeflate_zlib_decompress_ex(
        d, pack.pack + h.data, available, out.data(), out.size(), &used, &produced);
    if (rc != LIBDEFLATE_SUCCESS || produced != out.size())
      throw damaged(fmt::format("{}: the entry at {} does not inflate to its {} bytes", pack.name,
                                offset, h.size));
    pack.touch(used);
  }
};

PackReader::PackReader(std::shared_ptr<const PackSet> packs, std::size_t cache_bytes)
    : packs_(std::move(packs)), budget_(cache_bytes), inflater_(std::make_unique<Inflater>()) {
  while (max_slots_ < kMaxCacheSlots && max_slots_ * 2048 < budget_)
    max_slots_ *= 2;
  if (!inflater_->d)
    throw std::bad_alloc();
}

PackReader::~PackReader() = default;

std::size_t PackReader::cached_objects() const {
  return static_cast<std::size_t>(
      std::count_if(slots_.begin(), slots_.end(), [](const Slot& s) { return s.object.bytes; }));
}

const PackReader::Object* PackReader::cached(std::uint64_t key) {
  if (slots_.empty())
    return nullptr;
  const Slot& slot = slot_of(key);
  return slot.key == key ? &slot.object : nullptr;
}

void PackReader::keep(std::uint64_t key, const Object& object) {
  const std::size_t size = object.bytes->size();
  if (size > budget_ / 4)
    return;
  // The table starts small and doubles while it fills up: a hook that keeps a few objects does
  // not zero a table sized for an audit.
  if (slots_.empty())
    resize_slots(kFirstCacheSlots);
  else if (filled_ >= slots_.size() / 2 && slots_.size() < max_slots_)
    resize_slots(slots_.size() * 2);
  Slot& slot = slot_of(key);
  if (slot.object.bytes)
    cached_bytes_ -= slot.object.bytes->size();
  else
    ++filled_;
  slot.key = key;
  slot.object = object;
  cached_bytes_ += size;
  while (cached_bytes_ > budget_) {
    Slot& victim = slots_[sweep_];
    sweep_ = (sweep_ + 1) % slots_.size();
    if (&victim == &slot || !victim.object.bytes)
      continue;
    cached_bytes_ -= victim.object.bytes->size();
    --filled_;
    victim = Slot();
  }
}

void PackReader::resize_slots(std::size_t count) {
  std::vector<Slot> old(count);
  old.swap(slots_);
  shift_ = 64 - static_cast<unsigned>(__builtin_ctzll(count));
  sweep_ = 0;
  cached_bytes_ = 0;
  filled_ = 0;
  for (Slot& s : old) {
    if (!s.object.bytes)
      continue;
    Slot& to = slot_of(s.key);
    if (to.object.bytes)
      continue;  // two that now share a slot: the first stays
    cached_bytes_ += s.object.bytes->size();
    ++filled_;
    to = std::move(s);
  }
}

bool PackReader::has(const unsigned char* raw_id) {
  PackSet::Location where;
  if (!packs_->find(raw_id, hint_, where))
    return false;
  hint_ = where.pack;
  return true;
}

bool PackReader::header(const unsigned char* raw_id, ObjectType& type, std::uint64_t& size) {
  PackSet::Location where;
  if (!packs_->find(raw_id, hint_, where))
    return false;
  hint_ = where.pack;
  if (const Object* hit = cached(key_of(where.pack, where.offset))) {
    type = hit->type;
    size = hit->bytes->size();
    return true;
  }
  const EntryHeader h = packs_->pack(where.pack).header_at(where.offset);
  if (h.type == kOfsDelta || h.type == kRefDelta)
    return false;
  type = static_cast<ObjectType>(h.type);
  size = h.size;
  return true;
}

PackReader::Object PackReader::read(const unsigned char* raw_id, bool keep_it) {
  PackSet::Location where;
  if (!packs_->find(raw_id, hint_, where))
    return {};
  hint_ = where.pack;
  return read_at(where.pack, where.offset, keep_it);
}

PackReader::Object PackReader::read_at(std::uint32_t pack_index, std::uint64_t offset,
                                       bool keep_it) {
  if (pack_index >= packs_->size())
    return {};
  struct Link {
    std::uint32_t pack;
    std::uint64_t offset;
    EntryHeader header;
  };
  std::vector<Link> chain;  // the deltas met, from the object asked for toward its base
  Object base;
  std::uint32_t p = pack_index;
  std::uint64_t at = offset;
  while (true) {
    const std::uint64_t key = key_of(p, at);
    if (const Object* hit = cached(key)) {
      base = *hit;
      break;
    }
    const PackSet::Pack& pack = packs_->pack(p);
    EntryHeader h = pack.header_at(at);
    if (h.type != kOfsDelta && h.type != kRefDelta) {
      base.type = static_cast<ObjectType>(h.type);
      auto bytes = std::make_shared<std::string>();
      inflater_->inflate(pack, at, h, *bytes);
      base.bytes = std::move(bytes);
      // Kept when deltas start from it, or when it is a tree (the next diff reads it again).
      if (!chain.empty() || base.type == ObjectType::tree || keep_it)
        keep(key, base);
      break;
    }
    if (chain.size() >= kMaxChain)
      throw damaged(fmt::format("{}: the entry at {} is more than {} deltas deep", pack.name,
                                offset, kMaxChain));
    chain.push_back(Link{p, at, h});
    if (h.type == kOfsDelta) {
      at = h.base_offset;
    } else {
      PackSet::Location where;
      if (!packs_->find(h.base_id, p, where))
        return {};  // a base outside the packs (a loose object): libgit2 resolves it
      p = where.pack;
      at = where.offset;
    }
  }
  for (auto link = chain.rbegin(); link != chain.rend(); ++link) {
    const PackSet::Pack& pack = packs_->pack(link->pack);
    inflater_->inflate(pack, link->offset, link->header, delta_);
    try {
      base.bytes = std::make_shared<const std::string>(apply_delta(*base.bytes, delta_));
    } catch (const GitError& e) {
      throw damaged(fmt::format("{}: the entry at {}: {}", pack.name, link->offset, e.what()));
    }
    keep(key_of(link->pack, link->offset), base);
  }
  return base;
}

}  // namespace trailgate::git
