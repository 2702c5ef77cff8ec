#include "audit/cache.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

namespace trailgate::audit {

namespace {

constexpr std::string_view kMagic = "trailgate-audit-cache 1";

std::uint64_t fnv1a64(std::string_view s, std::uint64_t h = 0xcbf29ce484222325ULL) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::uint32_t fnv1a32(std::string_view s) {
  std::uint32_t h = 0x811c9dc5U;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x01000193U;
  }
  return h;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// 40 hex digits to 20 bytes; false for anything else.
bool raw_id(std::string_view hex, char (&out)[20]) {
  if (hex.size() != 40)
    return false;
  for (std::size_t i = 0; i < 20; ++i) {
    int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return false;
    out[i] = static_cast<char>(hi * 16 + lo);
  }
  return true;
}

std::string hex_id(std::string_view raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (char c : raw) {
    auto u = static_cast<unsigned char>(c);
    out += kHex[u >> 4];
    out += kHex[u & 15];
  }
  return out;
}

template <typename T>
void put(std::string& out, T value) {
  char buf[sizeof(T)];
  std::memcpy(buf, &value, sizeof(T));
  out.append(buf, sizeof(T));
}

void put_str(std::string& out, std::string_view s) {
  put<std::uint32_t>(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}

struct Reader {
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

void put_identity(std::string& out, const Identity& id) {
  put_str(out, id.name);
  put_str(out, id.email);
  put<std::int64_t>(out, id.time);
  put<std::int32_t>(out, id.offset_minutes);
}

Identity get_identity(Reader& r) {
  Identity id;
  id.name = r.str();
  id.email = r.str();
  id.time = r.get<std::int64_t>();
  id.offset_minutes = r.get<std::int32_t>();
  return id;
}

}  // namespace

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

void serialize_record(const AuditRecord& record, int rule_index, std::int64_t judged_at,
                      std::string& out) {
  char raw[20];
  if (!raw_id(record.id, raw))
    std::memset(raw, 0, sizeof raw);
  out.append(raw, sizeof raw);
  put<std::int32_t>(out, rule_index);
  put<std::int64_t>(out, judged_at);
  put_str(out, record.subject);
  put_identity(out, record.author);
  put_identity(out, record.committer);
  put<std::uint32_t>(out, static_cast<std::uint32_t>(record.trailers.size()));
  for (const auto& t : record.trailers) {
    put_str(out, t.key);
    put_str(out, t.value);
  }
  put<std::uint32_t>(out, static_cast<std::uint32_t>(record.markers.size()));
  for (const auto& m : record.markers) {
    put_str(out, m.marker_id);
    put_str(out, m.tool);
    put_str(out, m.evidence);
  }
  put<std::uint32_t>(out, static_cast<std::uint32_t>(record.reviews.size()));
  for (const auto& c : record.reviews) {
    put_str(out, c.trailer);
    put_str(out, c.email);
    put_str(out, c.person);
    put<std::uint8_t>(out, static_cast<std::uint8_t>(c.status));
    put_str(out, c.reason);
  }
  put<std::int32_t>(out, record.approvals_required);
  put<std::int32_t>(out, record.approvals_verified);
  put_str(out, record.verdict);
  put<std::int32_t>(out, record.lines_changed);
}

bool deserialize_record(std::string_view payload, AuditRecord& record, int& rule_index,
                        std::int64_t& judged_at) {
  if (payload.size() < 20)
    return false;
  Reader r{payload.substr(20)};
  record = AuditRecord{};
  record.id = hex_id(payload.substr(0, 20));
  rule_index = r.get<std::int32_t>();
  judged_at = r.get<std::int64_t>();
  record.subject = r.str();
  record.author = get_identity(r);
  record.committer = get_identity(r);
  for (auto n = r.count(8); r.ok && n > 0; --n) {
    trailers::Trailer t;
    t.key = r.str();
    t.value = r.str();
    record.trailers.push_back(std::move(t));
  }
  for (auto n = r.count(12); r.ok && n > 0; --n) {
    detect::Detection d;
    d.marker_id = r.str();
    d.tool = r.str();
    d.evidence = r.str();
    record.markers.push_back(std::move(d));
  }
  for (auto n = r.count(17); r.ok && n > 0; --n) {
    review::ReviewClaim c;
    c.trailer = r.str();
    c.email = r.str();
    c.person = r.str();
    auto status = r.get<std::uint8_t>();
    if (status > static_cast<std::uint8_t>(review::ClaimStatus::payload_mismatch))
      return false;
    c.status = static_cast<review::ClaimStatus>(status);
    c.reason = r.str();
    record.reviews.push_back(std::move(c));
  }
  record.approvals_required = r.get<std::int32_t>();
  record.approvals_verified = r.get<std::int32_t>();
  record.verdict = r.str();
  record.lines_changed = r.get<std::int32_t>();
  return r.ok && r.in.empty();
}

void AuditCache::frame(std::string_view payload, std::string& out) {
  put<std::uint32_t>(out, static_cast<std::uint32_t>(payload.size()));
  out.append(payload);
  put<std::uint32_t>(out, fnv1a32(payload));
}

AuditCache::AuditCache(std::string path, std::string fingerprint)
    : path_(std::move(path)),
      header_(fmt::format("{} {} {}\n", kMagic, fingerprint,
                          std::endian::native == std::endian::little ? "le" : "be")) {
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) {
    void* p = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (p != MAP_FAILED) {
      map_ = static_cast<const char*>(p);
      map_size_ = static_cast<std::size_t>(st.st_size);
    }
  }
  ::close(fd);
  if (!map_)
    return;
  std::string_view all(map_, map_size_);
  if (all.substr(0, header_.size()) != header_)
    return;
  header_ok_ = true;
  ::madvise(const_cast<char*>(map_), map_size_, MADV_SEQUENTIAL);
  std::string_view rest = all.substr(header_.size());
  while (rest.size() >= 8) {
    std::uint32_t n;
    std::memcpy(&n, rest.data(), 4);
    if (n < 20 || rest.size() - 8 < n)
      break;
    std::string_view payload = rest.substr(4, n);
    std::uint32_t sum;
    std::memcpy(&sum, rest.data() + 4 + n, 4);
    if (sum != fnv1a32(payload))
      break;
    index_.insert_or_assign(payload.substr(0, 20), payload);  // a later frame wins
    rest.remove_prefix(8 + n);
  }
  valid_end_ = map_size_ - rest.size();
}

AuditCache::~AuditCache() {
  if (map_)
    ::munmap(const_cast<char*>(map_), map_size_);
}

std::optional<std::string_view> AuditCache::find(std::string_view id) const {
  char raw[20];
  if (!raw_id(id, raw))
    return std::nullopt;
  auto it = index_.find(std::string_view(raw, sizeof raw));
  if (it == index_.end())
    return std::nullopt;
  return it->second;
}

bool AuditCache::append(const std::string& frames) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(fs::path(path_).parent_path(), ec);
  int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0)
    return false;
  bool ok = ::flock(fd, LOCK_EX) == 0;
  struct stat st {};
  ok = ok && ::fstat(fd, &st) == 0;
  if (ok) {
    auto size = static_cast<std::size_t>(st.st_size);
    // Start afresh when the file is not ours (another fingerprint or format, or garbage); cut
    // a torn tail we saw, so that new frames start at a frame boundary.
    char head[256] = {};
    ssize_t got = ::pread(fd, head, std::min(sizeof head, header_.size()), 0);
    bool same_header = got == static_cast<ssize_t>(header_.size()) &&
                       std::string_view(head, header_.size()) == header_;
    off_t end = static_cast<off_t>(size);
    if (!same_header || size < header_.size()) {
      ok = ::ftruncate(fd, 0) == 0 &&
           ::pwrite(fd, header_.data(), header_.size(), 0) == static_cast<ssize_t>(header_.size());
      end = static_cast<off_t>(header_.size());
    } else if (header_ok_ && valid_end_ < map_size_ && size == map_size_) {
      ok = ::ftruncate(fd, static_cast<off_t>(valid_end_)) == 0;
      end = static_cast<off_t>(valid_end_);
    }
    std::size_t done = 0;
    while (ok && done < frames.size()) {
      ssize_t n =
          ::pwrite(fd, frames.data() + done, frames.size() - done, end + static_cast<off_t>(done));
      if (n <= 0)
        ok = false;
      else
        done += static_cast<std::size_t>(n);
    }
  }
  ::close(fd);  // also releases the lock
  return ok;
}

}  // namespace trailgate::audit
