#include "git/repository.h"
#include "git/tree_changes.h"
#include "model/work_counters.h"

#include <fcntl.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>

namespace trailgate::git {

void check(int rc, const std::string& what) {
  if (rc >= 0)
    return;
  const git_error* e = git_error_last();
  throw GitError(fmt::format("{}: {}", what, e && e->message ? e->message : "unknown error"), rc,
                 e ? e->klass : GIT_ERROR_NONE);
}

bool GitError::damaged_object() const {
  if (error_class_ == GIT_ERROR_ZLIB || error_class_ == GIT_ERROR_ODB)
    return true;
  const std::string_view message = what();
  for (std::string_view sign : {"no match for id", "object not found", "inflat", "corrupt",
                                "packfile", "bad object", "invalid object", "truncated"}) {
    if (message.find(sign) != std::string_view::npos)
      return true;
  }
  return false;
}

std::string to_hex(const git_oid* oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, oid);
  return buf;
}

git_oid to_oid(const std::string& hex) {
  git_oid oid;
  if (hex.size() != GIT_OID_HEXSZ || git_oid_fromstr(&oid, hex.c_str()) < 0)
    throw GitError(fmt::format("not a full object id: \"{}\"", hex), GIT_EINVALID);
  return oid;
}

namespace {

void ensure_libgit2() {
  static const int initialised = [] {
    git_libgit2_init();
    return 1;
  }();
  (void)initialised;
}

ObjectPtr lookup_object(git_repository* repo, const std::string& id) {
  git_oid oid = to_oid(id);
  git_object* obj = nullptr;
  check(git_object_lookup(&obj, repo, &oid, GIT_OBJECT_ANY), fmt::format("reading object {}", id));
  return ObjectPtr(obj);
}

#if LIBGIT2_VER_MAJOR == 1 && LIBGIT2_VER_MINOR < 6
// libgit2 before 1.6 hashes the whole commit-graph file the first time a walk touches it (fixed
// by libgit2 PR #6420): about 30 ms per push on a 200k-commit repository, more than the rest of
// the hook. An object database built from the same directories, minus the commit-graph, avoids
// it; walks then parse commits from the packs, which for a push's few commits is cheaper.
constexpr int kMaxAlternateDepth = 5;  // as git and libgit2

void add_backend(git_odb* odb, git_odb_backend* backend, int priority, bool alternate) {
  int rc = alternate ? git_odb_add_alternate(odb, backend, priority)
                     : git_odb_add_backend(odb, backend, priority);
  if (rc < 0) {
    backend->free(backend);  // the database takes ownership only on success
    check(rc, "setting up the object database");
  }
}

void add_object_directory(git_odb* odb, const std::string& dir, bool alternate, int depth) {
  git_odb_backend* pack = nullptr;
  check(git_odb_backend_pack(&pack, dir.c_str()), fmt::format("opening packs in {}", dir));
  add_backend(odb, pack, 2, alternate);  // libgit2's own priorities: packs before loose
  git_odb_backend* loose = nullptr;
  check(git_odb_backend_loose(&loose, dir.c_str(), -1, 0, 0, 0),
        fmt::format("opening loose objects in {}", dir));
  add_backend(odb, loose, 1, alternate);
  if (depth >= kMaxAlternateDepth)
    return;
  std::ifstream alternates(dir + "/info/alternates");
  std::string line;
  while (std::getline(alternates, line)) {
    if (line.empty() || line[0] == '#')
      continue;
    add_object_directory(odb, line[0] == '/' ? line : dir + "/" + line, true, depth + 1);
  }
}
#endif

// On libgit2 before 1.6, replaces `repo`'s object database with one over the same directories
// that never loads a commit-graph: the repository's objects (or $GIT_OBJECT_DIRECTORY, the push
// quarantine, when `from_environment`), $GIT_ALTERNATE_OBJECT_DIRECTORIES likewise, then
// `extra_alternate`, each with its own info/alternates.
void tune_object_database(git_repository* repo, bool from_environment,
                          const char* extra_alternate) {
#if LIBGIT2_VER_MAJOR == 1 && LIBGIT2_VER_MINOR < 6
  std::string primary = std::string(git_repository_commondir(repo)) + "objects";
  std::vector<std::string> alternates;
  if (from_environment) {
    if (const char* dir = std::getenv("GIT_OBJECT_DIRECTORY"); dir && *dir)
      primary = dir;
    // Split like libgit2's FROM_ENV does (on ':'), so both see the same directories.
    if (const char* list = std::getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES")) {
      std::string all = list;
      for (std::size_t pos = 0; pos <= all.size();) {
        std::size_t colon = all.find(':', pos);
        std::string dir = all.substr(pos, colon == std::string::npos ? colon : colon - pos);
        if (!dir.empty())
          alternates.push_back(dir);
        if (colon == std::string::npos)
          break;
        pos = colon + 1;
      }
    }
  }
  if (extra_alternate)
    alternates.push_back(extra_alternate);
  git_odb* odb = nullptr;
  check(git_odb_new(&odb), "creating an object database");
  OdbPtr owned(odb);
  add_object_directory(odb, primary, false, 0);
  for (const auto& dir : alternates)
    add_object_directory(odb, dir, true, 0);
  check(git_repository_set_odb(repo, odb), "installing the object database");
#else
  (void)repo;
  (void)from_environment;
  (void)extra_alternate;
#endif
}

// The hook and `check` read each commit once; libgit2's object cache only grows with the walk
// (1 GiB instead of about 310 MiB for a 1,000,000-commit push, bench/huge_push.sh) and makes
// nothing faster. The setting is process-wide, as libgit2 keeps it.
void disable_object_cache() {
  static const int disabled = [] {
    git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
    return 0;
  }();
  (void)disabled;
}

}  // namespace

bool is_zero_id(const std::string& id) {
  return (id.size() == 40 || id.size() == 64) && id.find_first_not_of('0') == std::string::npos;
}

Repository Repository::open_for_hook() {
  ensure_libgit2();
  disable_object_cache();
  git_repository* repo = nullptr;
  // FROM_ENV reads GIT_DIR and makes GIT_OBJECT_DIRECTORY (the quarantine) the main object
  // store with GIT_ALTERNATE_OBJECT_DIRECTORIES behind it; a plain open would miss the pushed
  // objects entirely.
  if (git_repository_open_ext(&repo, nullptr, GIT_REPOSITORY_OPEN_FROM_ENV, nullptr) == 0) {
    RepositoryPtr owned(repo);
    tune_object_database(repo, true, nullptr);
    return Repository(std::move(owned));
  }
  std::string first_error = git_error_last() ? git_error_last()->message : "unknown error";
  // FROM_ENV refuses GIT_WORK_TREE / GIT_COMMON_DIR in libgit2 1.5; open the directory the
  // hook runs in and add the quarantine by hand.
  const char* dir = std::getenv("GIT_DIR");
  check(git_repository_open_ext(&repo, dir ? dir : ".", GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr),
        fmt::format("opening the repository (after \"{}\")", first_error));
  RepositoryPtr owned(repo);
  tune_object_database(repo, false, std::getenv("GIT_QUARANTINE_PATH"));
  return Repository(std::move(owned));
}

Repository Repository::discover(const std::string& path) {
  ensure_libgit2();
  disable_object_cache();
  git_repository* repo = nullptr;
  check(git_repository_open_ext(&repo, path.c_str(), 0, nullptr),
        fmt::format("opening the repository at {}", path));
  RepositoryPtr owned(repo);
  tune_object_database(repo, false, nullptr);
  return Repository(std::move(owned));
}

Repository Repository::open_for_scan(const std::string& git_dir) {
  ensure_libgit2();
  // A scan reads each commit once; libgit2's object cache would only grow (and its bookkeeping
  // costs more than re-reading the few objects a diff reads twice). Re-hashing every object
  // read (strict verification) costs about a fifth of a scan; git does not do it when reading
  // either, and a damaged pack entry still fails to inflate. Pack files are mapped in windows
  // of bounded total size, so memory does not grow with the repository.
  static const int tuned = [] {
    git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
    git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, static_cast<std::size_t>(32u << 20));
    git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, kScanMappedBytes);
    return 1;
  }();
  (void)tuned;
  git_repository* repo = nullptr;
  check(git_repository_open_ext(&repo, git_dir.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr),
        fmt::format("opening the repository at {}", git_dir));
  return Repository(RepositoryPtr(repo));
}

git_odb* Repository::odb() const {
  if (!odb_) {
    git_odb* odb = nullptr;
    check(git_repository_odb(&odb, repo_.get()), "opening the object database");
    odb_.reset(odb);
  }
  return odb_.get();
}

namespace {

// Raw object reads; freed here like the handles of handles.h.
using OdbObjectPtr = std::unique_ptr<git_odb_object, Deleter<git_odb_object_free>>;

OdbObjectPtr read_raw(git_odb* odb, const git_oid& oid, git_object_t expected, const char* what) {
  git_odb_object* obj = nullptr;
  check(git_odb_read(&obj, odb, &oid), fmt::format("reading {} {}", what, to_hex(&oid)));
  OdbObjectPtr owned(obj);
  if (git_odb_object_type(obj) != expected)
    throw GitError(fmt::format("reading {} {}: the object is a {}", what, to_hex(&oid),
                               git_object_type2string(git_odb_object_type(obj))),
                   GIT_EINVALID);
  return owned;
}

std::string_view data_of(const OdbObjectPtr& obj) {
  return {static_cast<const char*>(git_odb_object_data(obj.get())), git_odb_object_size(obj.get())};
}

bool is_git_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == '\v';
}

bool starts_with(const char* p, const char* end, std::string_view prefix) {
  return static_cast<std::size_t>(end - p) >= prefix.size() &&
         std::memcmp(p, prefix.data(), prefix.size()) == 0;
}

// libgit2 copies names, emails, the encoding and the message with strndup-like calls and hands
// them out as C strings: each ends at its first NUL byte.
std::string c_string(const char* p, std::size_t n) {
  const void* nul = std::memchr(p, '\0', n);
  return std::string(p, nul ? static_cast<std::size_t>(static_cast<const char*>(nul) - p) : n);
}

// What libgit2 (like git's ident.c) trims from both ends of a name or email.
bool is_crud(unsigned char c) {
  return c <= 32 || c == '.' || c == ',' || c == ':' || c == ';' || c == '<' || c == '>' ||
         c == '"' || c == '\\' || c == '\'';
}

std::string trimmed(const char* p, std::size_t n) {
  while (n && is_crud(static_cast<unsigned char>(p[0]))) {
    ++p;
    --n;
  }
  while (n && is_crud(static_cast<unsigned char>(p[n - 1])))
    --n;
  return c_string(p, n);
}

// libgit2's git__strntol64 in base 10: leading whitespace, a sign, at least one digit, and no
// overflow. Stops at the first non-digit.
bool parse_int64(const char* p, std::size_t n, std::int64_t& out, const char*& end) {
  while (n && is_git_space(*p)) {
    ++p;
    --n;
  }
  bool neg = false;
  if (n && (*p == '-' || *p == '+')) {
    neg = *p == '-';
    ++p;
    --n;
  }
  std::int64_t v = 0;
  int digits = 0;
  bool overflow = false;
  for (; n && *p >= '0' && *p <= '9'; ++p, --n, ++digits) {
    std::int64_t d = *p - '0';
    if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, neg ? -d : d, &v))
      overflow = true;
  }
  if (digits == 0 || overflow)
    return false;
  end = p;
  out = v;
  return true;
}

// git_oid__parse: `header`, 40 hex digits, a newline.
bool parse_id_line(const char*& p, const char* end, std::string_view header, std::string* out) {
  if (static_cast<std::size_t>(end - p) < header.size() + GIT_OID_HEXSZ + 1 ||
      std::memcmp(p, header.data(), header.size()) != 0 || p[header.size() + GIT_OID_HEXSZ] != '\n')
    return false;
  const char* hex = p + header.size();
  std::string id(GIT_OID_HEXSZ, '0');
  for (std::size_t i = 0; i < GIT_OID_HEXSZ; ++i) {
    char c = hex[i];
    if (c >= 'A' && c <= 'F')
      c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
    id[i] = c;
  }
  if (out)
    *out = std::move(id);
  p += header.size() + GIT_OID_HEXSZ + 1;
  return true;
}

// git_signature__parse with a newline as the end of the line.
bool parse_signature(const char*& p, const char* end, std::string_view header, Identity* out) {
  const char* line_end = static_cast<const char*>(std::memchr(p, '\n', end - p));
  if (!line_end || p + header.size() >= line_end ||
      std::memcmp(p, header.data(), header.size()) != 0)
    return false;
  const char* b = p + header.size();
  const char* email_start = static_cast<const char*>(memrchr(b, '<', line_end - b));
  const char* email_end = static_cast<const char*>(memrchr(b, '>', line_end - b));
  if (!email_start || !email_end || email_end <= email_start)
    return false;
  ++email_start;
  Identity id;
  id.name = trimmed(b, static_cast<std::size_t>(email_start - b - 1));
  id.email = trimmed(email_start, static_cast<std::size_t>(email_end - email_start));
  if (email_end + 2 < line_end) {
    const char* time_start = email_end + 2;
    const char* time_end = nullptr;
    if (!parse_int64(time_start, static_cast<std::size_t>(line_end - time_start), id.time,
                     time_end))
      return false;
    if (time_end + 1 < line_end) {
      const char* tz = time_end + 1;
      std::int64_t offset = 0;
      const char* tz_end = nullptr;
      if ((tz[0] != '-' && tz[0] != '+') ||
          !parse_int64(tz + 1, static_cast<std::size_t>(line_end - tz - 1), offset, tz_end) ||
          offset != static_cast<std::int32_t>(offset))
        offset = 0;
      auto hours = static_cast<int>(offset / 100), mins = static_cast<int>(offset % 100);
      if (hours <= 14 && mins <= 59)
        id.offset_minutes = tz[0] == '-' ? -(hours * 60 + mins) : hours * 60 + mins;
    }
  }
  if (out)
    *out = std::move(id);
  p = line_end + 1;
  return true;
}

[[noreturn]] void malformed_commit(const std::string& id, const char* what) {
  throw GitError(fmt::format("reading commit {}: failed to parse bad commit object ({})", id, what),
                 GIT_EINVALID);
}

// The header lines every commit starts with, up to and including the committer. Leaves `p`
// after the committer line.
void parse_commit_start(const std::string& id, const char*& p, const char* end, std::string* tree,
                        std::vector<std::string>& parents, Identity* author, Identity& committer) {
  if (!parse_id_line(p, end, "tree ", tree))
    malformed_commit(id, "tree");
  std::string parent;
  while (parse_id_line(p, end, "parent ", &parent))
    parents.push_back(std::move(parent));
  if (!parse_signature(p, end, "author ", author))
    malformed_commit(id, "author");
  // Some tools write several author lines; libgit2 checks and ignores the extra ones.
  while (starts_with(p, end, "author "))
    if (!parse_signature(p, end, "author ", nullptr))
      malformed_commit(id, "author");
  if (!parse_signature(p, end, "committer ", &committer))
    malformed_commit(id, "committer");
}

}  // namespace

CommitInfo parse_commit_object(const std::string& id, std::string_view raw) {
  CommitInfo info;
  info.id = id;
  const char* start = raw.data();
  const char* end = start + raw.size();
  const char* p = start;
  parse_commit_start(id, p, end, &info.tree_id, info.parent_ids, &info.author, info.committer);
  while (p < end) {
    if (p[-1] == '\n' && p[0] == '\n')
      break;
    const char* eoln = p;
    while (eoln < end && *eoln != '\n')
      ++eoln;
    if (eoln < end && *eoln == '\n')
      ++eoln;
    p = eoln;
  }
  const char* message = p + 1;
  if (message <= end)
    info.message = c_string(message, static_cast<std::size_t>(end - message));
  // git (unlike libgit2, which keeps the last) re-encodes by the first encoding header.
  info.encoding = first_encoding_header(raw);
  info.decoded_messages = decoded_messages(raw, info.encoding);
  info.malformed = commit_object_problems(raw);
  // The identities as git shows them (split_ident_line), where git can read them: for a
  // well-formed object the same as libgit2's; otherwise `malformed` says how they differ.
  auto as_git = [](Identity& person, std::string_view raw_object, std::string_view header) {
    std::size_t pos = 0;
    while (pos < raw_object.size()) {
      const std::size_t eol = raw_object.find('\n', pos);
      std::string_view line =
          raw_object.substr(pos, eol == std::string_view::npos ? eol : eol - pos);
      if (line.empty())
        return;
      if (line.starts_with(header)) {
        if (GitIdent git = git_ident(line.substr(header.size())); git.ok) {
          person.name = std::move(git.name);
          person.email = std::move(git.email);
        }
        return;
      }
      if (eol == std::string_view::npos)
        return;
      pos = eol + 1;
    }
  };
  if (!info.malformed.empty()) {
    as_git(info.author, raw, "author ");
    as_git(info.committer, raw, "committer ");
  }
  return info;
}

CommitLinks parse_commit_links(const std::string& id, std::string_view raw) {
  CommitLinks links;
  const char* p = raw.data();
  Identity committer;
  parse_commit_start(id, p, raw.data() + raw.size(), nullptr, links.parent_ids, nullptr, committer);
  links.committer_time = committer.time;
  return links;
}

std::string Repository::read_commit_object(const std::string& id) const {
  OdbObjectPtr obj = read_raw(odb(), to_oid(id), GIT_OBJECT_COMMIT, "commit");
  return std::string(data_of(obj));
}

CommitInfo Repository::read_commit_raw(const std::string& id) const {
  OdbObjectPtr obj = read_raw(odb(), to_oid(id), GIT_OBJECT_COMMIT, "commit");
  return parse_commit_object(id, data_of(obj));
}

std::string Repository::commit_tree_id(const std::string& id) const {
  OdbObjectPtr obj = read_raw(odb(), to_oid(id), GIT_OBJECT_COMMIT, "commit");
  std::string_view data = data_of(obj);
  const char* p = data.data();
  std::string tree;
  if (!parse_id_line(p, data.data() + data.size(), "tree ", &tree))
    malformed_commit(id, "tree");
  return tree;
}

namespace {

// One entry of a raw tree object: "<octal mode> <name>\0<20-byte id>".
struct TreeEntry {
  unsigned mode = 0;
  std::string_view name;
  const unsigned char* id = nullptr;
};

class TreeReader {
 public:
  TreeReader(std::string_view data, const std::string& tree)
      : p_(data.data()), end_(p_ + data.size()), tree_(tree) {}
  bool next(TreeEntry& e) {
    if (p_ >= end_)
      return false;
    e.mode = 0;
    while (p_ < end_ && *p_ >= '0' && *p_ <= '7')
      e.mode = e.mode * 8 + static_cast<unsigned>(*p_++ - '0');
    if (p_ >= end_ || *p_++ != ' ')
      bad();
    const char* nul = static_cast<const char*>(std::memchr(p_, '\0', end_ - p_));
    if (!nul || end_ - nul < 21)
      bad();
    e.name = std::string_view(p_, static_cast<std::size_t>(nul - p_));
    e.id = reinterpret_cast<const unsigned char*>(nul + 1);
    p_ = nul + 21;
    return true;
  }

 private:
  [[noreturn]] void bad() const {
    throw GitError(fmt::format("reading tree {}: malformed entry", tree_), GIT_EINVALID);
  }
  const char* p_;
  const char* end_;
  const std::string& tree_;
};

constexpr unsigned kModeType = 0170000, kTree = 0040000, kGitlink = 0160000;

// git's order of tree entries: names compared bytewise, a tree's name as if it ended in '/'.
int compare_entries(const TreeEntry& a, const TreeEntry& b) {
  std::size_t n = std::min(a.name.size(), b.name.size());
  if (int c = std::memcmp(a.name.data(), b.name.data(), n))
    return c;
  auto tail = [&](const TreeEntry& e) -> unsigned char {
    if (e.name.size() > n)
      return static_cast<unsigned char>(e.name[n]);
    return (e.mode & kModeType) == kTree ? '/' : '\0';
  };
  return static_cast<int>(tail(a)) - static_cast<int>(tail(b));
}

constexpr std::size_t kBinaryProbe = 8000;                // git's and libgit2's NUL probe
constexpr std::size_t kMaxDiffSize = 512u * 1024 * 1024;  // libgit2's default max_size

bool is_binary(std::string_view blob) {
  return blob.size() > kMaxDiffSize ||
         std::memchr(blob.data(), '\0', std::min(blob.size(), kBinaryProbe)) != nullptr;
}

std::int64_t count_lines(std::string_view blob) {
  if (blob.empty() || is_binary(blob))
    return 0;
  auto n = static_cast<std::int64_t>(std::count(blob.begin(), blob.end(), '\n'));
  return blob.back() == '\n' ? n : n + 1;
}

int count_diff_line(const git_diff_delta*, const git_diff_hunk*, const git_diff_line* line,
                    void* payload) {
  if (line->origin == GIT_DIFF_LINE_ADDITION || line->origin == GIT_DIFF_LINE_DELETION)
    ++*static_cast<std::int64_t*>(payload);
  return 0;
}

struct TreeDiff {
  git_odb* odb;

  // Lines of one side of a file that exists on one side only (or changed type).
  std::int64_t one_side(const TreeEntry& e) const {
    if ((e.mode & kModeType) == kGitlink)
      return 1;  // "Subproject commit <id>"
    git_oid oid;
    git_oid_fromraw(&oid, e.id);
    OdbObjectPtr blob = read_raw(odb, oid, GIT_OBJECT_BLOB, "blob");
    return count_lines(data_of(blob));
  }

  std::int64_t both_sides(const TreeEntry& a, const TreeEntry& b) const {
    if ((a.mode & kModeType) != (b.mode & kModeType))
      return one_side(a) + one_side(b);  // libgit2 splits a type change into delete + add
    if ((a.mode & kModeType) == kGitlink)
      return 2;
    git_oid oa, ob;
    git_oid_fromraw(&oa, a.id);
    git_oid_fromraw(&ob, b.id);
    OdbObjectPtr old_blob = read_raw(odb, oa, GIT_OBJECT_BLOB, "blob");
    OdbObjectPtr new_blob = read_raw(odb, ob, GIT_OBJECT_BLOB, "blob");
    std::string_view x = data_of(old_blob), y = data_of(new_blob);
    if (is_binary(x) || is_binary(y))
      return 0;
    git_diff_options options = GIT_DIFF_OPTIONS_INIT;
    options.context_lines = 0;  // counts only; context would be computed for nothing
    options.interhunk_lines = 0;
    std::int64_t lines = 0;
    check(git_diff_buffers(x.data(), x.size(), nullptr, y.data(), y.size(), nullptr, &options,
                           nullptr, nullptr, nullptr, count_diff_line, &lines),
          fmt::format("diffing blobs {} and {}", to_hex(&oa), to_hex(&ob)));
    return lines;
  }

  // Lines added plus deleted between trees `a` and `b` (either may be null: the empty tree),
  // descending only into subtrees whose ids differ. An explicit stack of trees being compared,
  // so that a hostile tree cannot exhaust the call stack; each level holds both trees' bytes.
  std::int64_t trees(const git_oid* a, const git_oid* b) const {
    struct Level {
      OdbObjectPtr ta, tb;
      std::string ha, hb;
      std::optional<TreeReader> ra, rb;
      TreeEntry x, y;
      bool hx = false, hy = false;
    };
    std::vector<std::unique_ptr<Level>> stack;
    auto push = [&](const git_oid* old_id, const git_oid* new_id) {
      if (stack.size() > FileCounter::kMaxDepth)  // the root, then kMaxDepth directories
        throw TreeTooDeep(
            fmt::format("its tree nests directories more than {} deep", FileCounter::kMaxDepth));
      auto level = std::make_unique<Level>();
      if (old_id) {
        work::add(work::Counter::tree_reads);
        level->ta = read_raw(odb, *old_id, GIT_OBJECT_TREE, "tree");
        level->ha = to_hex(old_id);
      }
      if (new_id) {
        work::add(work::Counter::tree_reads);
        level->tb = read_raw(odb, *new_id, GIT_OBJECT_TREE, "tree");
        level->hb = to_hex(new_id);
      }
      level->ra.emplace(level->ta ? data_of(level->ta) : std::string_view(), level->ha);
      level->rb.emplace(level->tb ? data_of(level->tb) : std::string_view(), level->hb);
      level->hx = level->ra->next(level->x);
      level->hy = level->rb->next(level->y);
      stack.push_back(std::move(level));
    };
    auto oid_of = [](const TreeEntry& e) {
      git_oid oid;
      git_oid_fromraw(&oid, e.id);
      return oid;
    };
    std::int64_t lines = 0;
    push(a, b);
    while (!stack.empty()) {
      Level& top = *stack.back();  // entries point into its objects, alive until it is popped
      if (!top.hx && !top.hy) {
        stack.pop_back();
        continue;
      }
      const int c = !top.hx ? 1 : !top.hy ? -1 : compare_entries(top.x, top.y);
      const TreeEntry x = top.x, y = top.y;
      if (c <= 0)
        top.hx = top.ra->next(top.x);
      if (c >= 0)
        top.hy = top.rb->next(top.y);
      if (c != 0) {  // an entry on one side only
        const TreeEntry& e = c < 0 ? x : y;
        if ((e.mode & kModeType) == kTree) {
          const git_oid oid = oid_of(e);
          push(c < 0 ? &oid : nullptr, c < 0 ? nullptr : &oid);  // invalidates `top`
        } else {
          lines += one_side(e);
        }
        continue;
      }
      if (std::memcmp(x.id, y.id, GIT_OID_RAWSZ) == 0 &&
          (x.mode & kModeType) == (y.mode & kModeType))
        continue;
      if ((x.mode & kModeType) == kTree) {
        const git_oid oa = oid_of(x), ob = oid_of(y);
        push(&oa, &ob);  // invalidates `top`
      } else {
        lines += both_sides(x, y);
      }
    }
    return lines;
  }
};

}  // namespace

namespace {

std::uint32_t be32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

std::uint64_t be64(const unsigned char* p) {
  return (std::uint64_t{be32(p)} << 32) | be32(p + 4);
}

constexpr std::uint32_t chunk_id(const char (&s)[5]) {
  return (std::uint32_t{static_cast<unsigned char>(s[0])} << 24) |
         (std::uint32_t{static_cast<unsigned char>(s[1])} << 16) |
         (std::uint32_t{static_cast<unsigned char>(s[2])} << 8) |
         std::uint32_t{static_cast<unsigned char>(s[3])};
}

[[noreturn]] void bad_graph(const char* what) {
  throw GitError(fmt::format("the commit-graph is damaged ({}); rewrite it with `git "
                             "commit-graph write --reachable` or delete it",
                             what),
                 GIT_EINVALID);
}

}  // namespace

std::unique_ptr<CommitGraph> CommitGraph::open(const std::string& objects_dir) {
  std::unique_ptr<CommitGraph> graph(new CommitGraph());
  std::string single = objects_dir + "/info/commit-graph";
  if (::access(single.c_str(), R_OK) == 0)
    return graph->add_layer(single) ? std::move(graph) : nullptr;
  std::ifstream chain(objects_dir + "/info/commit-graphs/commit-graph-chain");
  std::string line;
  bool any = false;
  while (std::getline(chain, line)) {
    if (line.size() != GIT_OID_HEXSZ ||
        !graph->add_layer(objects_dir + "/info/commit-graphs/graph-" + line + ".graph"))
      return nullptr;
    any = true;
  }
  return any ? std::move(graph) : nullptr;
}

CommitGraph::~CommitGraph() {
  for (const auto& l : layers_)
    ::munmap(const_cast<unsigned char*>(l.map), l.map_size);
}

bool CommitGraph::add_layer(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  struct stat st {};
  void* map = MAP_FAILED;
  if (::fstat(fd, &st) == 0 && st.st_size >= 8 + 12 + GIT_OID_RAWSZ)
    map = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED)
    return false;
  Layer l;
  l.map = static_cast<const unsigned char*>(map);
  l.map_size = static_cast<std::size_t>(st.st_size);
  layers_.push_back(l);  // unmapped by the destructor, whatever follows
  Layer& layer = layers_.back();
  const unsigned char* p = layer.map;
  const std::size_t size = layer.map_size;
  // "CGPH", version 1, hash version 1 (SHA-1), chunk count, base graph count.
  if (std::memcmp(p, "CGPH", 4) != 0 || p[4] != 1 || p[5] != 1 || p[7] != layers_.size() - 1)
    return false;
  const std::size_t chunks = p[6];
  if (8 + (chunks + 1) * 12 > size - GIT_OID_RAWSZ)
    return false;
  std::uint64_t fanout_size = 0, ids_size = 0, data_size = 0, edges_size = 0;
  for (std::size_t i = 0; i < chunks; ++i) {
    const unsigned char* entry = p + 8 + i * 12;
    std::uint64_t start = be64(entry + 4), end = be64(entry + 12 + 4);
    if (start > end || end > size - GIT_OID_RAWSZ)
      return false;
    const unsigned char* at = p + start;
    switch (be32(entry)) {
      case chunk_id("OIDF"):
        layer.fanout = at;
        fanout_size = end - start;
        break;
      case chunk_id("OIDL"):
        layer.ids = at;
        ids_size = end - start;
        break;
      case chunk_id("CDAT"):
        layer.data = at;
        data_size = end - start;
        break;
      case chunk_id("EDGE"):
        layer.edges = at;
        edges_size = end - start;
        break;
      default:
        break;  // generation data, Bloom filters, base graph list: not needed to walk
    }
  }
  if (!layer.fanout || !layer.ids || !layer.data || fanout_size != 256 * 4)
    return false;
  layer.count = be32(layer.fanout + 255 * 4);
  for (int i = 1; i < 256; ++i)
    if (be32(layer.fanout + (i - 1) * 4) > be32(layer.fanout + i * 4))
      return false;
  if (ids_size != std::uint64_t{layer.count} * GIT_OID_RAWSZ ||
      data_size != std::uint64_t{layer.count} * (GIT_OID_RAWSZ + 16) || edges_size % 4 != 0 ||
      std::uint64_t{total_} + layer.count > 0x70000000u)
    return false;
  layer.edge_count = edges_size / 4;
  layer.first = total_;
  total_ += layer.count;
  return true;
}

const CommitGraph::Layer& CommitGraph::layer_of(std::uint32_t pos) const {
  for (const auto& l : layers_)
    if (pos < l.first + l.count)
      return l;
  bad_graph("a position beyond the graph");
}

std::optional<std::uint32_t> CommitGraph::find(std::string_view id) const {
  git_oid oid;
  if (id.size() != GIT_OID_HEXSZ || git_oid_fromstrn(&oid, id.data(), id.size()) < 0)
    return std::nullopt;
  for (const auto& l : layers_) {
    std::uint32_t lo = oid.id[0] ? be32(l.fanout + (oid.id[0] - 1) * 4) : 0;
    std::uint32_t hi = be32(l.fanout + oid.id[0] * 4);
    while (lo < hi) {
      std::uint32_t mid = lo + (hi - lo) / 2;
      int c = std::memcmp(l.ids + std::size_t{mid} * GIT_OID_RAWSZ, oid.id, GIT_OID_RAWSZ);
      if (c == 0)
        return l.first + mid;
      if (c < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  }
  return std::nullopt;
}

std::string CommitGraph::id(std::uint32_t pos) const {
  const Layer& l = layer_of(pos);
  git_oid oid;
  git_oid_fromraw(&oid, l.ids + std::size_t{pos - l.first} * GIT_OID_RAWSZ);
  return to_hex(&oid);
}

std::int64_t CommitGraph::commit_time(std::uint32_t pos) const {
  const Layer& l = layer_of(pos);
  const unsigned char* d = l.data + std::size_t{pos - l.first} * (GIT_OID_RAWSZ + 16);
  return static_cast<std::int64_t>((std::uint64_t{be32(d + 28) & 3} << 32) | be32(d + 32));
}

void CommitGraph::parents(std::uint32_t pos, std::vector<std::uint32_t>& out) const {
  constexpr std::uint32_t kNone = 0x70000000u, kExtra = 0x80000000u;
  const Layer& l = layer_of(pos);
  const unsigned char* d = l.data + std::size_t{pos - l.first} * (GIT_OID_RAWSZ + 16);
  auto add = [&](std::uint32_t parent) {
    if (parent >= total_)
      bad_graph("a parent beyond the graph");
    out.push_back(parent);
  };
  std::uint32_t p1 = be32(d + 20), p2 = be32(d + 24);
  if (p1 == kNone)
    return;
  add(p1);
  if (p2 == kNone)
    return;
  if (!(p2 & kExtra)) {
    add(p2);
    return;
  }
  for (std::size_t e = p2 & ~kExtra;; ++e) {
    if (!l.edges || e >= l.edge_count)
      bad_graph("an octopus merge's parents beyond its edge list");
    std::uint32_t v = be32(l.edges + e * 4);
    add(v & ~kExtra);
    if (v & kExtra)
      return;
  }
}

int Repository::lines_changed(const std::string& id) const {
  CommitInfo commit = parse_commit_object(id, read_commit_object(id));
  return lines_changed_between(
      commit.parent_ids.empty() ? std::string() : commit_tree_id(commit.parent_ids.front()),
      commit.tree_id);
}

int Repository::lines_changed_between(const std::string& old_tree,
                                      const std::string& new_tree) const {
  TreeDiff diff{odb()};
  git_oid a{}, b = to_oid(new_tree);
  if (!old_tree.empty())
    a = to_oid(old_tree);
  std::int64_t total = diff.trees(old_tree.empty() ? nullptr : &a, &b);
  return total > 0x7fffffff ? 0x7fffffff : static_cast<int>(total);
}

std::string Repository::git_dir() const {
  return git_repository_path(repo_.get());
}

bool Repository::is_bare() const {
  return git_repository_is_bare(repo_.get()) == 1;
}

std::string Repository::objects_dir() const {
  return std::string(git_repository_commondir(repo_.get())) + "objects";
}

std::optional<std::string> Repository::config_string(const std::string& key) const {
  git_config* cfg = nullptr;
  check(git_repository_config_snapshot(&cfg, repo_.get()), "reading git config");
  ConfigPtr owned(cfg);
  const char* value = nullptr;
  int rc = git_config_get_string(&value, cfg, key.c_str());
  if (rc == GIT_ENOTFOUND)
    return std::nullopt;
  check(rc, fmt::format("reading git config {}", key));
  return std::string(value);
}

std::optional<std::string> Repository::local_config_string(const std::string& key) const {
  git_config* cfg = nullptr;
  check(git_repository_config_snapshot(&cfg, repo_.get()), "reading git config");
  ConfigPtr all(cfg);
  git_config* local_cfg = nullptr;
  int rc = git_config_open_level(&local_cfg, all.get(), GIT_CONFIG_LEVEL_LOCAL);
  if (rc == GIT_ENOTFOUND)
    return std::nullopt;  // the repository has no config file
  check(rc, "reading the repository's git config");
  ConfigPtr local(local_cfg);
  const char* value = nullptr;
  rc = git_config_get_string(&value, local.get(), key.c_str());
  if (rc == GIT_ENOTFOUND)
    return std::nullopt;
  check(rc, fmt::format("reading git config {} of the repository", key));
  return std::string(value);
}

std::optional<std::string> Repository::resolve_ref(const std::string& refname) const {
  git_oid oid;
  int rc = git_reference_name_to_id(&oid, repo_.get(), refname.c_str());
  if (rc == GIT_ENOTFOUND)
    return std::nullopt;
  check(rc, fmt::format("resolving {}", refname));
  return to_hex(&oid);
}

std::string Repository::resolve_commit(const std::string& revision) const {
  git_object* obj = nullptr;
  check(git_revparse_single(&obj, repo_.get(), revision.c_str()),
        fmt::format("resolving revision \"{}\"", revision));
  ObjectPtr owned(obj);
  git_object* commit = nullptr;
  check(git_object_peel(&commit, obj, GIT_OBJECT_COMMIT),
        fmt::format("\"{}\" does not name a commit", revision));
  ObjectPtr owned_commit(commit);
  return to_hex(git_object_id(commit));
}

std::optional<std::string> Repository::peel_to_commit(const std::string& id) const {
  ObjectPtr obj = lookup_object(repo_.get(), id);
  // Tags can point at tags; each hop reads a real object, so a chain ends or fails.
  for (int depth = 0; depth < 64; ++depth) {
    git_object_t type = git_object_type(obj.get());
    if (type == GIT_OBJECT_COMMIT)
      return to_hex(git_object_id(obj.get()));
    if (type != GIT_OBJECT_TAG)
      return std::nullopt;
    git_object* target = nullptr;
    check(git_tag_target(&target, reinterpret_cast<git_tag*>(obj.get())),
          fmt::format("reading the target of tag {}", to_hex(git_object_id(obj.get()))));
    obj.reset(target);
  }
  throw GitError(fmt::format("tag {} nests more than 64 levels deep", id), GIT_EINVALID);
}

bool Repository::is_ancestor(const std::string& ancestor, const std::string& descendant) const {
  if (ancestor == descendant)
    return true;
  work::add(work::Counter::ancestry_walks);
  git_oid a = to_oid(ancestor), d = to_oid(descendant);
  int rc = git_graph_descendant_of(repo_.get(), &d, &a);
  check(rc, fmt::format("checking whether {} contains {}", descendant, ancestor));
  return rc == 1;
}

namespace {

// Calls `fn` with every ref of `repo`, direct and symbolic, in the refdb's order.
void each_reference(git_repository* repo, const std::function<void(git_reference*)>& fn) {
  git_reference_iterator* it = nullptr;
  check(git_reference_iterator_new(&it, repo), "listing refs");
  ReferenceIteratorPtr owned(it);
  git_reference* ref = nullptr;
  int rc;
  while ((rc = git_reference_next(&ref, it)) == 0) {
    ReferencePtr owned_ref(ref);
    fn(ref);
  }
  if (rc != GIT_ITEROVER)
    check(rc, "listing refs");
}

}  // namespace

void Repository::for_each_ref(const std::function<void(const RefEntry&)>& fn) const {
  each_reference(repo_.get(), [&](git_reference* ref) {
    if (git_reference_type(ref) != GIT_REFERENCE_DIRECT)
      return;
    const git_oid* peeled = git_reference_target_peel(ref);
    fn(RefEntry{git_reference_name(ref), to_hex(git_reference_target(ref)),
                peeled ? to_hex(peeled) : std::string()});
  });
}

std::vector<std::pair<std::string, std::string>> Repository::symbolic_refs() const {
  std::vector<std::pair<std::string, std::string>> out;
  each_reference(repo_.get(), [&](git_reference* ref) {
    if (git_reference_type(ref) == GIT_REFERENCE_SYMBOLIC)
      out.emplace_back(git_reference_name(ref), git_reference_symbolic_target(ref));
  });
  std::sort(out.begin(), out.end());
  return out;
}

bool Repository::has_object(const std::string& id) const {
  git_oid oid = to_oid(id);
  return git_odb_exists(odb(), &oid) == 1;
}

bool Repository::is_commit(const std::string& id) const {
  git_odb* odb = nullptr;
  check(git_repository_odb(&odb, repo_.get()), "opening the object database");
  OdbPtr owned(odb);
  git_oid oid = to_oid(id);
  std::size_t size = 0;
  git_object_t type = GIT_OBJECT_INVALID;
  check(git_odb_read_header(&size, &type, odb, &oid), fmt::format("reading object {}", id));
  return type == GIT_OBJECT_COMMIT;
}

CommitInfo Repository::read_commit(const std::string& id, ParentTrees parent_trees) const {
  // The object's bytes, parsed as libgit2's git_commit_lookup parses them
  // (parse_commit_object), so that the checks of a malformed object see exactly what was pushed.
  OdbObjectPtr obj = read_raw(odb(), to_oid(id), GIT_OBJECT_COMMIT, "commit");
  CommitInfo info = parse_commit_object(id, data_of(obj));
  if (parent_trees == ParentTrees::read) {
    for (std::size_t i = 0; i < info.parent_ids.size(); ++i) {
      try {
        info.parent_tree_ids.push_back(commit_tree_id(info.parent_ids[i]));
      } catch (const GitError& e) {
        throw GitError(fmt::format("reading parent {} of commit {}: {}", i + 1, id, e.what()),
                       e.code(), e.error_class());
      }
    }
  }
  return info;
}

std::optional<Repository::Upstream> Repository::head_upstream() const {
  git_reference* head = nullptr;
  int rc = git_repository_head(&head, repo_.get());
  if (rc == GIT_EUNBORNBRANCH || rc == GIT_ENOTFOUND)
    return std::nullopt;
  check(rc, "reading HEAD");
  ReferencePtr owned_head(head);
  if (!git_reference_is_branch(head))
    return std::nullopt;
  git_reference* upstream = nullptr;
  rc = git_branch_upstream(&upstream, head);
  if (rc == GIT_ENOTFOUND)
    return std::nullopt;
  check(rc, "reading the upstream of the current branch");
  ReferencePtr owned_upstream(upstream);
  Buf merge;
  check(git_branch_upstream_merge(&merge.buf, repo_.get(), git_reference_name(head)),
        "reading branch.<name>.merge");
  Upstream result;
  result.remote_ref = merge.str();
  result.tracking_ref = git_reference_name(upstream);
  git_object* target = nullptr;
  check(git_reference_peel(&target, upstream, GIT_OBJECT_COMMIT), "reading the upstream's tip");
  ObjectPtr owned_target(target);
  result.tip = to_hex(git_object_id(target));
  return result;
}

Walk Repository::walk(const std::vector<std::string>& include,
                      const std::vector<std::string>& exclude) const {
  work::add(work::Counter::ancestry_walks);
  git_revwalk* w = nullptr;
  check(git_revwalk_new(&w, repo_.get()), "starting a history walk");
  RevwalkPtr owned(w);
  for (const auto& id : include) {
    git_oid oid = to_oid(id);
    check(git_revwalk_push(w, &oid), fmt::format("walking from {}", id));
  }
  for (const auto& id : exclude) {
    git_oid oid = to_oid(id);
    check(git_revwalk_hide(w, &oid), fmt::format("excluding history of {}", id));
  }
  return Walk(std::move(owned));
}

std::optional<std::string> Walk::next() {
  git_oid oid;
  int rc = git_revwalk_next(&oid, walk_.get());
  if (rc == GIT_ITEROVER)
    return std::nullopt;
  check(rc, last_.empty() ? std::string("walking history")
                          : fmt::format("walking history after commit {}", last_));
  last_ = to_hex(&oid);
  return last_;
}

bool Repository::has_uncommitted_changes() const {
  if (git_repository_is_bare(repo_.get()))
    return false;
  git_status_options options = GIT_STATUS_OPTIONS_INIT;
  options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  options.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES;  // untracked files are not "uncommitted"
  git_status_list* list = nullptr;
  check(git_status_list_new(&list, repo_.get(), &options), "reading the work tree's status");
  StatusListPtr owned(list);
  return git_status_list_entrycount(list) > 0;
}

std::vector<std::string> Repository::range_oldest_first(const std::string& from,
                                                        const std::string& to) const {
  git_revwalk* w = nullptr;
  check(git_revwalk_new(&w, repo_.get()), "starting a history walk");
  RevwalkPtr owned(w);
  check(git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE), "sorting a walk");
  git_oid to_id = to_oid(to);
  check(git_revwalk_push(w, &to_id), fmt::format("walking from {}", to));
  if (!from.empty()) {
    git_oid from_id = to_oid(from);
    check(git_revwalk_hide(w, &from_id), fmt::format("excluding history of {}", from));
  }
  Walk walk(std::move(owned));
  std::vector<std::string> ids;
  while (auto id = walk.next())
    ids.push_back(*id);
  return ids;
}

std::string Repository::write_commit_copy(const CommitInfo& original,
                                          const std::vector<std::string>& parents,
                                          const std::string& message) const {
  git_oid original_id = to_oid(original.id);
  git_commit* commit = nullptr;
  check(git_commit_lookup(&commit, repo_.get(), &original_id),
        fmt::format("reading commit {}", original.id));
  CommitPtr owned(commit);
  git_tree* tree = nullptr;
  check(git_commit_tree(&tree, commit), fmt::format("reading the tree of {}", original.id));
  TreePtr owned_tree(tree);
  std::vector<CommitPtr> parent_commits;
  std::vector<const git_commit*> parent_ptrs;
  for (const auto& id : parents) {
    git_oid oid = to_oid(id);
    git_commit* parent = nullptr;
    check(git_commit_lookup(&parent, repo_.get(), &oid), fmt::format("reading commit {}", id));
    parent_commits.emplace_back(parent);
    parent_ptrs.push_back(parent);
  }
  git_oid new_id;
  check(git_commit_create(&new_id, repo_.get(), nullptr, git_commit_author(commit),
                          git_commit_committer(commit), git_commit_message_encoding(commit),
                          message.c_str(), tree, parent_ptrs.size(), parent_ptrs.data()),
        fmt::format("writing the new version of {}", original.id));
  return to_hex(&new_id);
}

void Repository::move_head(const std::string& old_tip, const std::string& new_tip,
                           const std::string& reflog) const {
  git_reference* head = nullptr;
  check(git_repository_head(&head, repo_.get()), "reading HEAD");
  ReferencePtr owned_head(head);
  // The branch HEAD points to, or HEAD itself when detached; moved only if it still points at
  // old_tip, so a concurrent change is never overwritten.
  std::string name = git_reference_name(head);
  if (!git_reference_is_branch(head))
    name = "HEAD";
  git_oid old_id = to_oid(old_tip), new_id = to_oid(new_tip);
  git_reference* moved = nullptr;
  check(git_reference_create_matching(&moved, repo_.get(), name.c_str(), &new_id, 1, &old_id,
                                      reflog.c_str()),
        fmt::format("moving {} from {} to {}", name, short_id(old_tip), short_id(new_tip)));
  ReferencePtr owned_moved(moved);
}

}  // namespace trailgate::git
