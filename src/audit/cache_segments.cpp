#include "audit/cache_format.h"
#include "model/unique_fd.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <utility>

namespace trailgate::audit {

using cache_format::ByteReader;
using cache_format::file_header;
using cache_format::fnv1a64;
using cache_format::hex_id;
using cache_format::open_locked;
using cache_format::put;
using cache_format::pwrite_all;
using cache_format::read_whole;

namespace {

// Segment frames: length, payload, checksum.
void put_segment(std::string& out, const Segment& s) {
  std::string payload;
  unsigned char raw[20] = {};
  raw_id(s.tip, raw);
  payload.append(reinterpret_cast<const char*>(raw), sizeof raw);
  put<std::int32_t>(payload, s.rule_index);
  put<std::uint64_t>(payload, s.context);
  put<std::int64_t>(payload, s.max_commit_time);
  put<std::int64_t>(payload, s.min_judged_at);
  put<std::int64_t>(payload, s.max_judged_at);
  put<std::uint64_t>(payload, s.count);
  put<std::uint32_t>(payload, static_cast<std::uint32_t>(s.extents.size()));
  for (const auto& e : s.extents) {
    put<std::uint64_t>(payload, e.block);
    put<std::uint32_t>(payload, e.first);
    put<std::uint32_t>(payload, e.count);
  }
  put<std::uint32_t>(out, static_cast<std::uint32_t>(payload.size()));
  out += payload;
  put<std::uint64_t>(out, cache_checksum(payload));
}

bool get_segment(std::string_view payload, Segment& s) {
  if (payload.size() < 20)
    return false;
  s.tip = hex_id(reinterpret_cast<const unsigned char*>(payload.data()));
  ByteReader r{payload.substr(20)};
  s.rule_index = r.get<std::int32_t>();
  s.context = r.get<std::uint64_t>();
  s.max_commit_time = r.get<std::int64_t>();
  s.min_judged_at = r.get<std::int64_t>();
  s.max_judged_at = r.get<std::int64_t>();
  s.count = r.get<std::uint64_t>();
  std::uint64_t total = 0;
  for (auto n = r.count(16); r.ok && n > 0; --n) {
    Segment::Extent e;
    e.block = r.get<std::uint64_t>();
    e.first = r.get<std::uint32_t>();
    e.count = r.get<std::uint32_t>();
    total += e.count;
    s.extents.push_back(e);
  }
  return r.ok && r.in.empty() && total == s.count;
}

// Calls fn(payload, end_offset) for each sound frame of a segments file's bytes `all` (after
// its header); returns where the sound frames end.
template <typename Fn>
std::size_t for_each_frame(std::string_view all, std::size_t start, Fn fn) {
  std::size_t at = start;
  while (all.size() - at >= 12) {
    std::uint32_t n;
    std::memcpy(&n, all.data() + at, 4);
    if (all.size() - at - 12 < n)
      break;
    std::string_view payload = all.substr(at + 4, n);
    std::uint64_t sum;
    std::memcpy(&sum, all.data() + at + 4 + n, 8);
    if (sum == cache_checksum(payload))
      fn(payload);
    at += 12 + n;
  }
  return at;
}

}  // namespace

std::uint64_t context_of(const std::vector<std::string>& earlier_tips) {
  if (earlier_tips.empty())
    return 0;
  std::uint64_t h = fnv1a64("context");
  for (const auto& tip : earlier_tips)
    h = fnv1a64(tip, fnv1a64(",", h));
  return h | 1;  // never 0, the context of a first target
}

std::size_t AuditCache::KeyHash::operator()(const Key& k) const {
  return std::hash<std::string>()(k.tip) ^ (k.context * 31) ^
         static_cast<std::size_t>(k.rule_index);
}

void AuditCache::load_segments() {
  int fd = ::open(seg_path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  UniqueFd owned(fd);
  std::string header = file_header(fingerprint_, "segments");
  std::string all = read_whole(fd);
  if (all.compare(0, header.size(), header) != 0)
    return;
  for_each_frame(all, header.size(), [&](std::string_view payload) {
    Segment s;
    if (!get_segment(payload, s))
      return;
    ++tips_[s.tip];
    max_commit_time_ = std::max(max_commit_time_, s.max_commit_time);
    Key key{s.tip, s.rule_index, s.context};
    segments_.insert_or_assign(std::move(key), std::move(s));  // a later frame wins
  });
}

const Segment* AuditCache::segment(const std::string& tip, std::int32_t rule_index,
                                   std::uint64_t context) const {
  auto it = segments_.find(Key{tip, rule_index, context});
  return it == segments_.end() ? nullptr : &it->second;
}

bool AuditCache::append_segment(const Segment& segment) {
  std::string header = file_header(fingerprint_, "segments");
  std::uint64_t size = 0;
  UniqueFd fd(open_locked(seg_path_, header, size));
  if (fd.get() < 0)
    return false;
  std::string all = read_whole(fd.get());
  std::size_t end = for_each_frame(all, header.size(), [](std::string_view) {});
  if (end != all.size() && ::ftruncate(fd.get(), static_cast<off_t>(end)) != 0)
    return false;
  std::string frame;
  put_segment(frame, segment);
  return pwrite_all(fd.get(), frame.data(), frame.size(), end);
}

}  // namespace trailgate::audit
