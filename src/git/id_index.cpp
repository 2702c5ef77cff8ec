#include "git/id_index.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace trailgate::git {

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    this->~MappedFile();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (data_)
    ::munmap(const_cast<unsigned char*>(data_), size_);
}

bool MappedFile::map(const std::string& path, std::size_t min_size) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  struct stat st {};
  void* p = MAP_FAILED;
  if (::fstat(fd, &st) == 0 && st.st_size > 0 &&
      static_cast<std::uint64_t>(st.st_size) >= std::max<std::size_t>(min_size, 1))
    p = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED)
    return false;
  *this = MappedFile();
  data_ = static_cast<const unsigned char*>(p);
  size_ = static_cast<std::size_t>(st.st_size);
  return true;
}

void MappedFile::release_pages() const {
  if (data_)
    ::madvise(const_cast<unsigned char*>(data_), size_, MADV_DONTNEED);
}

namespace {

// memcmp's order on two ids, deciding on the first eight bytes when they differ (almost always,
// in a binary search).
int compare_ids(const unsigned char* a, const unsigned char* b) {
  const std::uint64_t x = be64(a), y = be64(b);
  if (x != y)
    return x < y ? -1 : 1;
  return std::memcmp(a + 8, b + 8, IdIndex::kIdBytes - 8);
}

}  // namespace

bool IdIndex::ordered() const {
  for (int i = 1; i < 256; ++i)
    if (be32(fanout + 4 * (i - 1)) > be32(fanout + 4 * i))
      return false;
  return true;
}

bool IdIndex::find(const unsigned char* id, std::uint32_t& pos) const {
  std::uint32_t lo = id[0] == 0 ? 0 : be32(fanout + 4 * (id[0] - 1));
  std::uint32_t hi = be32(fanout + 4 * id[0]);
  // Interpolation on the ids' first eight bytes: for uniform ids each probe cuts the range to
  // about its square root, so two or three probes (each a cache miss in a large index) find the
  // place where a binary search needs a dozen. The bounds of the range are the smallest and
  // largest key it can hold, tightened by each probe. Ids made to cluster would make
  // interpolation crawl, so it gets a fixed number of probes and the binary search finishes.
  const std::uint64_t key = be64(id);
  std::uint64_t low_key = std::uint64_t{id[0]} << 56;
  std::uint64_t high_key = low_key | 0x00ffffffffffffffULL;
  for (int probe = 0; probe < kInterpolationProbes && hi - lo > 16 && low_key < high_key; ++probe) {
    const double share =
        static_cast<double>(key - low_key) / static_cast<double>(high_key - low_key);
    std::uint32_t mid = lo + static_cast<std::uint32_t>(share * static_cast<double>(hi - lo));
    mid = std::clamp(mid, lo, hi - 1);
    const unsigned char* at = id_at(mid);
    const int order = compare_ids(id, at);
    if (order == 0) {
      pos = mid;
      return true;
    }
    if (order < 0) {
      hi = mid;
      high_key = be64(at);
    } else {
      lo = mid + 1;
      low_key = be64(at);
    }
  }
  while (lo < hi) {
    const std::uint32_t mid = lo + (hi - lo) / 2;
    const int order = compare_ids(id, id_at(mid));
    if (order == 0) {
      pos = mid;
      return true;
    }
    if (order < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return false;
}

}  // namespace trailgate::git
