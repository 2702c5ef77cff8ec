#include "audit/cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>

#include "audit/cache_format.h"
#include "util/unique_fd.h"

namespace trailgate::audit {

using cache_format::blocks_end;
using cache_format::file_header;
using cache_format::fnv1a64;
using cache_format::has_header;
using cache_format::kMagic;
using cache_format::open_locked;
using cache_format::pwrite_all;

std::string cache_fingerprint(std::string_view version, std::string_view policy_bytes) {
  std::uint64_t h = fnv1a64(kMagic);
  h = fnv1a64(version, fnv1a64(std::to_string(version.size()), h));
  h = fnv1a64(policy_bytes, fnv1a64(std::to_string(policy_bytes.size()), h));
  return fmt::format("{:016x}", h);
}

std::vector<std::int64_t> verdict_time_boundaries(const Policy& policy) {
  std::vector<std::int64_t> out;
  for (const auto& person : policy.people) {
    if (person.expires)
      out.push_back(*person.expires);
    for (const auto& key : person.keys) {
      if (key.valid_after)
        out.push_back(*key.valid_after);
      if (key.valid_before)
        out.push_back(*key.valid_before);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool time_stable(const std::vector<std::int64_t>& boundaries, std::int64_t from, std::int64_t to) {
  // Does any boundary b satisfy from < b <= to (either direction of travel)?
  std::int64_t lo = std::min(from, to), hi = std::max(from, to);
  auto it = std::upper_bound(boundaries.begin(), boundaries.end(), lo);
  return it == boundaries.end() || *it > hi;
}

AuditCache::AuditCache(const std::string& dir, const std::string& fingerprint)
    : fingerprint_(fingerprint),
      bin_path_(dir + "/" + fingerprint + ".bin"),
      seg_path_(dir + "/" + fingerprint + ".seg"),
      header_(file_header(fingerprint, "records")) {
  fd_ = ::open(bin_path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ >= 0) {
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !has_header(fd_, header_)) {
      ::close(fd_);
      fd_ = -1;
    } else {
      size_ = static_cast<std::uint64_t>(st.st_size);
    }
  }
  if (fd_ >= 0)
    load_segments();
}

AuditCache::~AuditCache() {
  if (fd_ >= 0)
    ::close(fd_);
}

std::optional<std::uint64_t> AuditCache::append_block(const std::string& block) {
  std::uint64_t size = 0;
  util::UniqueFd fd(open_locked(bin_path_, header_, size));
  if (fd.get() < 0)
    return std::nullopt;
  // Cut a torn last block, so that the new one starts where the sound ones end. The blocks
  // before this cache's own last append were sound then, so the walk starts there (an audit
  // appends hundreds of blocks); when what lies there is no block, the file changed under us
  // and the walk starts from the beginning.
  const std::uint64_t start = header_.size();
  const std::uint64_t from = appended_end_ > start && appended_end_ <= size ? appended_end_ : start;
  std::uint64_t end = blocks_end(fd.get(), from, size);
  if (end == from && end != size && from != start)
    end = blocks_end(fd.get(), start, size);
  if (end != size && ::ftruncate(fd.get(), static_cast<off_t>(end)) != 0)
    return std::nullopt;
  if (!pwrite_all(fd.get(), block.data(), block.size(), end))
    return std::nullopt;
  appended_end_ = end + block.size();
  return end;
}

}  // namespace trailgate::audit
