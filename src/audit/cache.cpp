#include "audit/cache.h"
#include "model/unique_fd.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <filesystem>

namespace trailgate::audit {

namespace {

constexpr std::string_view kMagic = "trailgate-audit-cache 3";
constexpr std::uint32_t kBlockMagic = 0x32424754;  // "TGB2"
// A block never claims more than this; anything larger is damage.
constexpr std::uint64_t kMaxBlockPart = std::uint64_t{1} << 31;

static_assert(sizeof(CachedMeta) == 72, "CachedMeta is stored as is");

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

std::uint64_t fnv1a64(std::string_view s, std::uint64_t h = 0xcbf29ce484222325ULL) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
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

namespace {

std::string hex_id(const unsigned char* raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(40, '0');
  for (std::size_t i = 0; i < 20; ++i) {
    out[2 * i] = kHex[raw[i] >> 4];
    out[2 * i + 1] = kHex[raw[i] & 15];
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
  Reader r{payload.substr(20)};
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

}  // namespace

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

std::uint64_t context_of(const std::vector<std::string>& earlier_tips) {
  if (earlier_tips.empty())
    return 0;
  std::uint64_t h = fnv1a64("context");
  for (const auto& tip : earlier_tips)
    h = fnv1a64(tip, fnv1a64(",", h));
  return h | 1;  // never 0, the context of a first target
}

std::string CachedMeta::id_hex() const {
  return hex_id(id);
}

namespace {

void put_reviews(std::string& out, const review::ReviewOutcome& reviews) {
  put<std::uint32_t>(out, static_cast<std::uint32_t>(reviews.claims.size()));
  for (const auto& c : reviews.claims) {
    put_str(out, c.trailer);
    put_str(out, c.email);
    put_str(out, c.person);
    put<std::uint8_t>(out, static_cast<std::uint8_t>(c.status));
    put_str(out, c.reason);
  }
  put<std::int32_t>(out, reviews.verified);
  put_str(out, reviews.over_limit);
}

// Reads what put_reviews wrote; false for a status no claim has.
bool get_reviews(Reader& r, review::ReviewOutcome& reviews) {
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
    reviews.claims.push_back(std::move(c));
  }
  reviews.verified = r.get<std::int32_t>();
  reviews.over_limit = r.str();
  return true;
}

}  // namespace

void serialize_record(const AuditRecord& record, std::string& out) {
  const CommitEvaluation& e = record.evaluation;
  put_str(out, e.subject);
  put_identity(out, e.author);
  put_identity(out, e.committer);
  put<std::uint32_t>(out, static_cast<std::uint32_t>(e.trailers.size()));
  for (const auto& t : e.trailers) {
    put_str(out, t.key);
    put_str(out, t.value);
  }
  put<std::uint32_t>(out, static_cast<std::uint32_t>(e.detections.size()));
  for (const auto& m : e.detections) {
    put_str(out, m.marker_id);
    put_str(out, m.tool);
    put_str(out, m.evidence);
  }
  put<std::uint8_t>(out, e.declaration.has_value());
  put_str(out, e.declaration.value_or(""));
  put<std::uint8_t>(out, e.review_required);
  put<std::int32_t>(out, e.approvals_required);
  put<std::int32_t>(out, e.required.approvals);
  put_str(out, e.required.min_level);
  put<std::uint32_t>(out, static_cast<std::uint32_t>(e.blast_reasons.size()));
  for (const auto& b : e.blast_reasons) {
    put<std::uint8_t>(out, static_cast<std::uint8_t>(b.kind));
    put<std::int32_t>(out, b.requirement.approvals);
    put_str(out, b.requirement.min_level);
    put<std::int32_t>(out, b.source_line);
    put<std::uint32_t>(out, static_cast<std::uint32_t>(b.paths.size()));
    for (const auto& [path, pattern] : b.paths) {
      put_str(out, path);
      put_str(out, pattern);
    }
    put<std::uint64_t>(out, b.matching_paths);
    put<std::uint64_t>(out, b.deleted);
    put<std::uint64_t>(out, b.parent_files);
    put_str(out, b.directory);
    put<std::uint64_t>(out, b.files_before);
    put<std::uint64_t>(out, b.files_after);
    put_str(out, b.message);
  }
  put<std::uint8_t>(out, e.changes_unread);
  put_reviews(out, e.reviews);
  put_reviews(out, e.late_reviews);
  put<std::uint8_t>(out, static_cast<std::uint8_t>(e.verdict));
  put<std::uint32_t>(out, static_cast<std::uint32_t>(e.findings.size()));
  for (const auto& f : e.findings) {
    put_str(out, f.rule);
    put_str(out, f.problem);
    put_str(out, f.fix);
  }
  put<std::int32_t>(out, record.lines_changed);
}

bool deserialize_record(std::string_view payload, AuditRecord& record) {
  Reader r{payload};
  std::string id = std::move(record.evaluation.id);
  std::string ref = std::move(record.evaluation.ref);
  record = AuditRecord{};
  CommitEvaluation& e = record.evaluation;
  e.id = std::move(id);
  e.ref = std::move(ref);
  e.subject = r.str();
  e.author = get_identity(r);
  e.committer = get_identity(r);
  for (auto n = r.count(8); r.ok && n > 0; --n) {
    trailers::Trailer t;
    t.key = r.str();
    t.value = r.str();
    e.trailers.push_back(std::move(t));
  }
  for (auto n = r.count(12); r.ok && n > 0; --n) {
    detect::Detection d;
    d.marker_id = r.str();
    d.tool = r.str();
    d.evidence = r.str();
    e.detections.push_back(std::move(d));
  }
  const bool declared = r.get<std::uint8_t>() != 0;
  std::string declaration = r.str();
  if (declared)
    e.declaration = std::move(declaration);
  e.review_required = r.get<std::uint8_t>() != 0;
  e.approvals_required = r.get<std::int32_t>();
  e.required.approvals = r.get<std::int32_t>();
  e.required.min_level = r.str();
  for (auto n = r.count(73); r.ok && n > 0; --n) {
    BlastReason b;
    auto kind = r.get<std::uint8_t>();
    if (kind > static_cast<std::uint8_t>(BlastReasonKind::recreated_directory))
      return false;
    b.kind = static_cast<BlastReasonKind>(kind);
    b.requirement.approvals = r.get<std::int32_t>();
    b.requirement.min_level = r.str();
    b.source_line = r.get<std::int32_t>();
    for (auto paths = r.count(8); r.ok && paths > 0; --paths) {
      std::string path = r.str();
      b.paths.emplace_back(std::move(path), r.str());
    }
    b.matching_paths = r.get<std::uint64_t>();
    b.deleted = r.get<std::uint64_t>();
    b.parent_files = r.get<std::uint64_t>();
    b.directory = r.str();
    b.files_before = r.get<std::uint64_t>();
    b.files_after = r.get<std::uint64_t>();
    b.message = r.str();
    e.blast_reasons.push_back(std::move(b));
  }
  e.changes_unread = r.get<std::uint8_t>() != 0;
  if (!get_reviews(r, e.reviews) || !get_reviews(r, e.late_reviews))
    return false;
  // A value no verdict has (to_string's "unknown") is damage.
  e.verdict = static_cast<Verdict>(r.get<std::uint8_t>());
  if (!verdict_named(to_string(e.verdict)))
    return false;
  for (auto n = r.count(12); r.ok && n > 0; --n) {
    Finding f;
    f.rule = r.str();
    f.ref = e.ref;
    f.commit_id = e.id;
    f.subject = e.subject;
    f.problem = r.str();
    f.fix = r.str();
    e.findings.push_back(std::move(f));
  }
  record.lines_changed = r.get<std::int32_t>();
  return r.ok && r.in.empty();
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

std::size_t AuditCache::KeyHash::operator()(const Key& k) const {
  return std::hash<std::string>()(k.tip) ^ (k.context * 31) ^
         static_cast<std::size_t>(k.rule_index);
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

// One block read from the records file: its header, metadata, JSON and (when asked) binary
// parts, each checked against its checksum.
struct LoadedBlock {
  std::uint64_t offset = ~std::uint64_t{0};
  CachePart parts = CachePart::meta;
  BlockHeader header;
  std::string bytes;                           // metas, json[, bin]
  std::vector<std::uint64_t> json_at, bin_at;  // each record's start in its part

  const CachedMeta* metas() const { return reinterpret_cast<const CachedMeta*>(bytes.data()); }

  bool has(CachePart wanted) const { return static_cast<int>(parts) >= static_cast<int>(wanted); }

  bool load(int fd, std::uint64_t at, CachePart wanted) {
    offset = ~std::uint64_t{0};
    if (fd < 0 || !pread_all(fd, reinterpret_cast<char*>(&header), sizeof header, at) ||
        !header.plausible())
      return false;
    bool json = wanted != CachePart::meta, bin = wanted == CachePart::all;
    std::uint64_t n =
        header.meta_bytes() + (json ? header.json_bytes : 0) + (bin ? header.bin_bytes : 0);
    bytes.resize(n);
    if (!pread_all(fd, bytes.data(), n, at + sizeof header))
      return false;
    std::string_view all(bytes);
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
      std::memcpy(&m, bytes.data() + std::uint64_t{i} * sizeof(CachedMeta), sizeof m);
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

  void record(std::uint32_t i, CachedRecord& out) const {
    std::memcpy(&out.meta, bytes.data() + std::uint64_t{i} * sizeof(CachedMeta), sizeof out.meta);
    std::string_view all(bytes);
    out.json = has(CachePart::json)
                   ? all.substr(header.meta_bytes() + json_at[i], out.meta.json_size)
                   : std::string_view();
    out.bin = has(CachePart::all) ? all.substr(header.meta_bytes() + header.json_bytes + bin_at[i],
                                               out.meta.bin_size)
                                  : std::string_view();
  }
};

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

std::optional<std::uint64_t> AuditCache::append_block(const std::string& block) {
  std::uint64_t size = 0;
  UniqueFd fd(open_locked(bin_path_, header_, size));
  if (fd.get() < 0)
    return std::nullopt;
  // Cut a torn last block, so that the new one starts where the sound ones end.
  std::uint64_t end = blocks_end(fd.get(), header_.size(), size);
  if (end != size && ::ftruncate(fd.get(), static_cast<off_t>(end)) != 0)
    return std::nullopt;
  if (!pwrite_all(fd.get(), block.data(), block.size(), end))
    return std::nullopt;
  return end;
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
