#include "audit/cache_format.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <bit>
#include <filesystem>
#include <system_error>

namespace trailgate::audit {

namespace cache_format {

std::string hex_id(const unsigned char* raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(40, '0');
  for (std::size_t i = 0; i < 20; ++i) {
    out[2 * i] = kHex[raw[i] >> 4];
    out[2 * i + 1] = kHex[raw[i] & 15];
  }
  return out;
}

// Reads exactly `n` bytes at `offset`; false on a short read or an error.
bool pread_all(int fd, char* out, std::size_t n, std::uint64_t offset) {
  while (n > 0) {
    ssize_t got = ::pread(fd, out, n, static_cast<off_t>(offset));
    if (got <= 0)
      return false;
    out += got;
    n -= static_cast<std::size_t>(got);
    offset += static_cast<std::uint64_t>(got);
  }
  return true;
}

bool pwrite_all(int fd, const char* data, std::size_t n, std::uint64_t offset) {
  while (n > 0) {
    ssize_t put_n = ::pwrite(fd, data, n, static_cast<off_t>(offset));
    if (put_n <= 0)
      return false;
    data += put_n;
    n -= static_cast<std::size_t>(put_n);
    offset += static_cast<std::uint64_t>(put_n);
  }
  return true;
}

std::string file_header(const std::string& fingerprint, const char* kind) {
  return fmt::format("{} {} {} {}\n", kMagic, kind, fingerprint,
                     std::endian::native == std::endian::little ? "le" : "be");
}

bool has_header(int fd, const std::string& header) {
  std::string head(header.size(), '\0');
  return pread_all(fd, head.data(), head.size(), 0) && head == header;
}

// Where the structurally sound blocks of the records file end (a torn last block excluded).
std::uint64_t blocks_end(int fd, std::uint64_t start, std::uint64_t size) {
  std::uint64_t at = start;
  BlockHeader h;
  while (at + sizeof h <= size && pread_all(fd, reinterpret_cast<char*>(&h), sizeof h, at) &&
         h.plausible() && at + h.total() <= size)
    at += h.total();
  return at;
}

std::string read_whole(int fd) {
  std::string all;
  char buf[1 << 16];
  for (std::uint64_t at = 0;;) {
    ssize_t got = ::pread(fd, buf, sizeof buf, static_cast<off_t>(at));
    if (got <= 0)
      break;
    all.append(buf, static_cast<std::size_t>(got));
    at += static_cast<std::uint64_t>(got);
  }
  return all;
}

// Opens `path` for appending under an exclusive lock, starting it with `header` when it is
// new or not ours. Returns the descriptor (or -1) and the current size.
int open_locked(const std::string& path, const std::string& header, std::uint64_t& size) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0)
    return -1;
  struct stat st {};
  if (::flock(fd, LOCK_EX) != 0 || ::fstat(fd, &st) != 0) {
    ::close(fd);
    return -1;
  }
  size = static_cast<std::uint64_t>(st.st_size);
  if (size < header.size() || !has_header(fd, header)) {
    // Start afresh when the file is not ours (another fingerprint or format, or garbage).
    if (::ftruncate(fd, 0) != 0 || !pwrite_all(fd, header.data(), header.size(), 0)) {
      ::close(fd);
      return -1;
    }
    size = header.size();
  }
  return fd;
}

}  // namespace cache_format

using cache_format::BlockHeader;
using cache_format::hex_id;

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

}  // namespace

bool raw_id(std::string_view hex, unsigned char (&out)[20]) {
  if (hex.size() != 40)
    return false;
  for (std::size_t i = 0; i < 20; ++i) {
    int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return false;
    out[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return true;
}

std::string CachedMeta::id_hex() const {
  return hex_id(id);
}

std::uint64_t cache_checksum(std::string_view bytes) {
  // Eight independent lanes of xor, multiply and rotate: each step is a bijection of its lane,
  // so a changed word always changes the result of its lane; eight lanes keep the multiplier
  // busy, so a rerun checks its cached JSON at close to memory speed.
  constexpr std::uint64_t kMul = 0x9e3779b97f4a7c15ULL;
  constexpr int kLanes = 8;
  std::uint64_t h[kLanes] = {0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL, 0xa4093822299f31d0ULL,
                             0x082efa98ec4e6c89ULL, 0x452821e638d01377ULL, 0xbe5466cf34e90c6cULL,
                             0xc0ac29b7c97c50ddULL, 0x3f84d5b5b5470917ULL};
  const char* p = bytes.data();
  std::size_t n = bytes.size();
  auto step = [&](const char* at) {
    for (int i = 0; i < kLanes; ++i) {
      std::uint64_t w;
      std::memcpy(&w, at + 8 * i, 8);
      h[i] = std::rotl((h[i] ^ w) * kMul, 29);
    }
  };
  for (; n >= 8 * kLanes; p += 8 * kLanes, n -= 8 * kLanes)
    step(p);
  char tail[8 * kLanes] = {};
  std::memcpy(tail, p, n);
  step(tail);
  std::uint64_t r = bytes.size();
  for (std::uint64_t lane : h) {
    r = (r ^ lane) * kMul;
    r ^= r >> 32;
  }
  return r;
}

void BlockBuilder::add(const CachedMeta& meta, std::string_view json, std::string_view bin) {
  metas_.push_back(meta);
  metas_.back().json_size = static_cast<std::uint32_t>(json.size());
  metas_.back().bin_size = static_cast<std::uint32_t>(bin.size());
  json_ += json;
  bin_ += bin;
}

std::string BlockBuilder::finish() const {
  std::string_view metas(reinterpret_cast<const char*>(metas_.data()),
                         metas_.size() * sizeof(CachedMeta));
  BlockHeader h;
  h.count = static_cast<std::uint32_t>(metas_.size());
  h.json_bytes = json_.size();
  h.bin_bytes = bin_.size();
  h.meta_sum = cache_checksum(metas);
  h.json_sum = cache_checksum(json_);
  h.bin_sum = cache_checksum(bin_);
  h.header_sum = h.own_sum();
  std::string out;
  out.reserve(h.total());
  out.append(reinterpret_cast<const char*>(&h), sizeof h);
  out += metas;
  out += json_;
  out += bin_;
  return out;
}

void BlockBuilder::clear() {
  metas_.clear();
  json_.clear();
  bin_.clear();
}

}  // namespace trailgate::audit
