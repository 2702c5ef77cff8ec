// Opening a repository (for the hook, for check, for a scan), its config, refs, objects and
// commits. Walks are in walk.cpp, approve's writing in approve_writes.cpp.
#include "git/repository.h"

#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>

#include <fmt/format.h>

#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>

#include "git/libgit2.h"
#include "git/packs.h"
#include "model/work_counters.h"
#include "util/hex_id.h"

// --- libgit2's start-up, without the CA bundle ----------------------------------------------
//
// Debian 12's libgit2 1.5 is built with mbedTLS, whose git_libgit2_init() parses the whole system
// CA bundle (/etc/ssl/certs/ca-certificates.crt, about 140 certificates) for HTTPS transports:
// about 4 ms of CPU, more than everything else a 1-commit push costs the hook. trailgate never
// uses libgit2's network transports (it reads local repositories only), so the certificates are
// never used. This definition interposes mbedTLS's loader for the process (the executable comes
// first in the dynamic linker's search order, and the linker exports it because libgit2's
// mbedTLS library refers to it): while git_libgit2_init() runs it loads nothing and reports a
// file error, so libgit2 goes on with no CA chain; any other call goes to the real function.
// Fail closed: were a TLS connection ever made through libgit2, an empty chain verifies no
// server. With libgit2 built on OpenSSL (or mbedTLS linked statically) the function is never
// called and nothing changes. docs/architecture.md, "The hook's fixed cost".
struct mbedtls_x509_crt;

namespace {

std::atomic<bool> in_libgit2_init{false};
std::atomic<bool> ca_bundle_skipped{false};

}  // namespace

extern "C" int mbedtls_x509_crt_parse_file(mbedtls_x509_crt* chain, const char* path) {
  constexpr int kFileIoError = -0x2900;  // MBEDTLS_ERR_X509_FILE_IO_ERROR
  if (in_libgit2_init.load()) {
    ca_bundle_skipped.store(true);
    return kFileIoError;
  }
  using Loader = int (*)(mbedtls_x509_crt*, const char*);
  static const Loader real =
      reinterpret_cast<Loader>(dlsym(RTLD_NEXT, "mbedtls_x509_crt_parse_file"));
  return real != nullptr ? real(chain, path) : kFileIoError;
}

namespace trailgate::git {

namespace {

void ensure_libgit2() {
  static const int initialised = [] {
    in_libgit2_init.store(true);
    git_libgit2_init();
    in_libgit2_init.store(false);
    // The skipped bundle left "failed to load CA certificates" as the thread's last error.
    git_error_clear();
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

constexpr int kMaxAlternateDepth = 5;  // as git and libgit2

#if LIBGIT2_VER_MAJOR == 1 && LIBGIT2_VER_MINOR < 6
// libgit2 before 1.6 hashes the whole commit-graph file the first time a walk touches it (fixed
// by libgit2 PR #6420): about 30 ms per push on a 200k-commit repository, more than the rest of
// the hook. An object database built from the same directories, minus the commit-graph, avoids
// it; walks then parse commits from the packs, which for a push's few commits is cheaper.
void add_backend(git_odb* odb, git_odb_backend* backend, int priority, bool alternate) {
  int rc = alternate ? git_odb_add_alternate(odb, backend, priority)
                     : git_odb_add_backend(odb, backend, priority);
  if (rc < 0) {
    backend->free(backend);  // the database takes ownership only on success
    check(rc, "setting up the object database");
  }
}

void add_object_directory(git_odb* odb, const std::string& dir, bool alternate) {
  git_odb_backend* pack = nullptr;
  check(git_odb_backend_pack(&pack, dir.c_str()), fmt::format("opening packs in {}", dir));
  add_backend(odb, pack, 2, alternate);  // libgit2's own priorities: packs before loose
  git_odb_backend* loose = nullptr;
  check(git_odb_backend_loose(&loose, dir.c_str(), -1, 0, 0, 0),
        fmt::format("opening loose objects in {}", dir));
  add_backend(odb, loose, 1, alternate);
}
#endif

// The object directories a repository reads from, in libgit2's order: the repository's objects
// (or $GIT_OBJECT_DIRECTORY, the push quarantine, when `from_environment`), then
// $GIT_ALTERNATE_OBJECT_DIRECTORIES likewise, then `extra_alternate`; each followed by those its
// info/alternates names, to kMaxAlternateDepth.
std::vector<std::string> object_directories(git_repository* repo, bool from_environment,
                                            const char* extra_alternate) {
  std::vector<std::string> roots{std::string(git_repository_commondir(repo)) + "objects"};
  if (from_environment) {
    if (const char* dir = std::getenv("GIT_OBJECT_DIRECTORY"); dir && *dir)
      roots.front() = dir;
    // Split like libgit2's FROM_ENV does (on ':'), so both see the same directories.
    if (const char* list = std::getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES")) {
      std::string all = list;
      for (std::size_t pos = 0; pos <= all.size();) {
        std::size_t colon = all.find(':', pos);
        std::string dir = all.substr(pos, colon == std::string::npos ? colon : colon - pos);
        if (!dir.empty())
          roots.push_back(dir);
        if (colon == std::string::npos)
          break;
        pos = colon + 1;
      }
    }
  }
  if (extra_alternate)
    roots.push_back(extra_alternate);
  std::vector<std::string> dirs;
  std::function<void(const std::string&, int)> add = [&](const std::string& dir, int depth) {
    dirs.push_back(dir);
    if (depth >= kMaxAlternateDepth)
      return;
    std::ifstream alternates(dir + "/info/alternates");
    std::string line;
    while (std::getline(alternates, line)) {
      if (line.empty() || line[0] == '#')
        continue;
      add(line[0] == '/' ? line : dir + "/" + line, depth + 1);
    }
  };
  for (const auto& root : roots)
    add(root, 0);
  return dirs;
}

// The object directories of `dirs` other than the push quarantine (GIT_QUARANTINE_PATH): what
// the repository held before the push. Empty when there is no quarantine among them, or nothing
// else.
std::vector<std::string> held_directories(const std::vector<std::string>& dirs) {
  const char* quarantine = std::getenv("GIT_QUARANTINE_PATH");
  if (!quarantine || !*quarantine)
    return {};
  std::vector<std::string> held;
  bool found = false;
  for (const std::string& dir : dirs) {
    std::error_code ec;
    if (dir == quarantine || std::filesystem::equivalent(dir, quarantine, ec))
      found = true;
    else
      held.push_back(dir);
  }
  return found ? held : std::vector<std::string>();
}

// On libgit2 before 1.6, replaces `repo`'s object database with one over the same directories
// (object_directories) that never loads a commit-graph.
void tune_object_database(git_repository* repo, const std::vector<std::string>& dirs) {
#if LIBGIT2_VER_MAJOR == 1 && LIBGIT2_VER_MINOR < 6
  git_odb* odb = nullptr;
  check(git_odb_new(&odb), "creating an object database");
  OdbPtr owned(odb);
  for (std::size_t i = 0; i < dirs.size(); ++i)
    add_object_directory(odb, dirs[i], i > 0);
  check(git_repository_set_odb(repo, odb), "installing the object database");
#else
  (void)repo;
  (void)dirs;
#endif
}

// The hook and `check` read each commit once; libgit2's object cache only grows with the walk
// (1 GiB instead of about 310 MiB for a 1,000,000-commit push, bench/huge_push.sh) and makes
// nothing faster (the trees consecutive diffs share are kept by git::FileCounter). The setting
// is process-wide, as libgit2 keeps it.
void disable_object_cache() {
  static const int disabled = [] {
    git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
    return 0;
  }();
  (void)disabled;
}

// The hook does not re-hash every object it reads (libgit2's strict verification, SHA-1 with
// collision detection: about a sixth of a 10,000-commit push). git itself does not re-hash on
// reading either: the push's objects were named by index-pack from their content as they
// arrived, the repository's own when they arrived, and a damaged pack entry still fails to
// inflate. Process-wide, as libgit2 keeps it.
void disable_hash_verification() {
  static const int disabled = [] {
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
    return 0;
  }();
  (void)disabled;
}

}  // namespace

bool libgit2_ca_bundle_skipped() {
  ensure_libgit2();
  return ca_bundle_skipped.load();
}

bool is_zero_id(const std::string& id) {
  return util::is_null_object_id(id);
}

Repository Repository::open_for_hook() {
  ensure_libgit2();
  disable_object_cache();
  disable_hash_verification();
  git_repository* repo = nullptr;
  auto opened = [](RepositoryPtr owned, const std::vector<std::string>& dirs) {
    Repository r(std::move(owned), dirs);
    r.held_dirs_ = held_directories(dirs);
    return r;
  };
  // FROM_ENV reads GIT_DIR and makes GIT_OBJECT_DIRECTORY (the quarantine) the main object
  // store with GIT_ALTERNATE_OBJECT_DIRECTORIES behind it; a plain open would miss the pushed
  // objects entirely.
  if (git_repository_open_ext(&repo, nullptr, GIT_REPOSITORY_OPEN_FROM_ENV, nullptr) == 0) {
    RepositoryPtr owned(repo);
    std::vector<std::string> dirs = object_directories(repo, true, nullptr);
    tune_object_database(repo, dirs);
    return opened(std::move(owned), dirs);
  }
  std::string first_error = git_error_last() ? git_error_last()->message : "unknown error";
  // FROM_ENV refuses GIT_WORK_TREE / GIT_COMMON_DIR in libgit2 1.5; open the directory the
  // hook runs in and add the quarantine by hand.
  const char* dir = std::getenv("GIT_DIR");
  check(git_repository_open_ext(&repo, dir ? dir : ".", GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr),
        fmt::format("opening the repository (after \"{}\")", first_error));
  RepositoryPtr owned(repo);
  std::vector<std::string> dirs =
      object_directories(repo, false, std::getenv("GIT_QUARANTINE_PATH"));
  tune_object_database(repo, dirs);
  return opened(std::move(owned), dirs);
}

Repository Repository::discover(const std::string& path) {
  ensure_libgit2();
  disable_object_cache();
  git_repository* repo = nullptr;
  check(git_repository_open_ext(&repo, path.c_str(), 0, nullptr),
        fmt::format("opening the repository at {}", path));
  RepositoryPtr owned(repo);
  std::vector<std::string> dirs = object_directories(repo, false, nullptr);
  tune_object_database(repo, dirs);
  return Repository(std::move(owned), std::move(dirs));
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
  RepositoryPtr owned(repo);
  return Repository(std::move(owned), object_directories(repo, false, nullptr));
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

git_object_t libgit2_type(ObjectType type) {
  switch (type) {
    case ObjectType::commit:
      return GIT_OBJECT_COMMIT;
    case ObjectType::tree:
      return GIT_OBJECT_TREE;
    case ObjectType::blob:
      return GIT_OBJECT_BLOB;
    case ObjectType::tag:
      return GIT_OBJECT_TAG;
    case ObjectType::none:
      break;
  }
  return GIT_OBJECT_ANY;
}

}  // namespace

// The packs of a repository, read by trailgate (Repository::read_object) and, through an object
// database backend, by libgit2 (its revwalks parse every commit they pass): one reader, so a
// commit the walk read is still in its cache when the hook reads it to judge it.
struct PackAccess {
  std::vector<std::string> dirs;
  std::unique_ptr<PackReader> reader;  // opened on first use

  PackReader& get() {
    if (!reader)
      reader = std::make_unique<PackReader>(PackSet::open_shared(dirs));
    return *reader;
  }
};

namespace {

// libgit2's view of PackAccess: the highest-priority backend of the repository's object
// database. It only accelerates: for anything it does not find, or cannot read, it answers "not
// found", and libgit2's own backends behind it read the object (or report the damage) as before.
struct PackBackend {
  git_odb_backend parent;
  std::shared_ptr<PackAccess> packs;

  // Object `id`, read and kept (the hook reads again what libgit2's walk just read).
  static int read(void** out, std::size_t* size, git_object_t* type, git_odb_backend* backend,
                  const git_oid* id) {
    PackReader::Object found;
    try {
      found = reinterpret_cast<PackBackend*>(backend)->packs->get().read(id->id, true);
    } catch (...) {
      return GIT_ENOTFOUND;
    }
    if (!found.bytes)
      return GIT_ENOTFOUND;
    void* bytes = git_odb_backend_data_alloc(backend, found.bytes->size());
    if (!bytes)
      return -1;
    std::memcpy(bytes, found.bytes->data(), found.bytes->size());
    *out = bytes;
    *size = found.bytes->size();
    *type = libgit2_type(found.type);
    return 0;
  }
  // The type and size, for git_odb_read_header, from the entry's header: nothing is inflated,
  // so asking about a pushed gigabyte blob costs what it costs git. A delta is left to libgit2,
  // which finds its type at the end of its chain.
  static int read_header(std::size_t* size, git_object_t* type, git_odb_backend* backend,
                         const git_oid* id) {
    ObjectType found = ObjectType::none;
    std::uint64_t bytes = 0;
    try {
      if (!reinterpret_cast<PackBackend*>(backend)->packs->get().header(id->id, found, bytes))
        return GIT_ENOTFOUND;
    } catch (...) {
      return GIT_ENOTFOUND;
    }
    *size = static_cast<std::size_t>(bytes);
    *type = libgit2_type(found);
    return 0;
  }
  static int exists(git_odb_backend* backend, const git_oid* id) {
    auto* self = reinterpret_cast<PackBackend*>(backend);
    try {
      return self->packs->get().has(id->id) ? 1 : 0;
    } catch (...) {
      return 0;
    }
  }
  static void free(git_odb_backend* backend) { delete reinterpret_cast<PackBackend*>(backend); }
};
// libgit2 hands back the `parent` it was given; the casts above rely on it being the first member.
static_assert(std::is_standard_layout_v<PackBackend>);

constexpr int kPackBackendPriority = 100;  // before libgit2's packs (2) and loose objects (1)

}  // namespace

Repository::Repository(RepositoryPtr repo, std::vector<std::string> object_dirs)
    : repo_(std::move(repo)), packs_(std::make_shared<PackAccess>()) {
  packs_->dirs = std::move(object_dirs);
  auto backend = std::make_unique<PackBackend>();
  check(git_odb_init_backend(&backend->parent, GIT_ODB_BACKEND_VERSION),
        "setting up the object database");
  backend->parent.read = &PackBackend::read;
  backend->parent.read_header = &PackBackend::read_header;
  backend->parent.exists = &PackBackend::exists;
  backend->parent.free = &PackBackend::free;
  backend->packs = packs_;
  check(git_odb_add_backend(odb(), &backend->parent, kPackBackendPriority),
        "setting up the object database");
  backend.release();  // the object database owns it now
}
Repository::Repository(Repository&&) noexcept = default;
Repository& Repository::operator=(Repository&&) noexcept = default;
Repository::~Repository() = default;

std::shared_ptr<const std::string> Repository::read_object(const unsigned char* raw_id,
                                                           ObjectType type) const {
  git_oid oid;
  std::memcpy(oid.id, raw_id, GIT_OID_RAWSZ);
  PackReader::Object found;
  try {
    found = packs_->get().read(raw_id);
  } catch (const GitError& e) {
    throw GitError(fmt::format("reading {} {}: {}", type_name(type), to_hex(&oid), e.what()), e);
  }
  if (found.bytes) {
    if (found.type != type)
      throw GitError(fmt::format("reading {} {}: the object is a {}", type_name(type), to_hex(&oid),
                                 type_name(found.type)),
                     GitError::Kind::invalid);
    return found.bytes;
  }
  OdbObjectPtr obj = read_raw(odb(), oid, libgit2_type(type), type_name(type));
  return std::make_shared<const std::string>(data_of(obj));
}

std::string Repository::read_commit_object(const std::string& id) const {
  return *take_commit_object(id);
}

std::shared_ptr<const std::string> Repository::take_commit_object(const std::string& id) const {
  if (kept_commit_ && kept_commit_id_ == id) {
    kept_commit_id_.clear();
    return std::move(kept_commit_);
  }
  const git_oid oid = to_oid(id);
  return read_object(oid.id, ObjectType::commit);
}

CommitInfo Repository::read_commit_raw(const std::string& id) const {
  return parse_commit_object(id, *take_commit_object(id));
}

std::string Repository::commit_tree_id(const std::string& id) const {
  std::shared_ptr<const std::string> obj = take_commit_object(id);
  std::string tree = parse_commit_tree(id, *obj);
  kept_commit_ = std::move(obj);
  kept_commit_id_ = id;
  return tree;
}

namespace {

using TreeEntryPtr = std::unique_ptr<git_tree_entry, Deleter<git_tree_entry_free>>;

// The entry at `path` in commit `commit_id`'s tree; null when there is none.
TreeEntryPtr entry_at(const Repository& repo, const std::string& commit_id,
                      const std::string& path) {
  const std::string tree_id = repo.commit_tree_id(commit_id);
  const git_oid oid = to_oid(tree_id);
  git_tree* tree = nullptr;
  check(git_tree_lookup(&tree, repo.raw(), &oid), fmt::format("reading tree {}", tree_id));
  TreePtr owned_tree(tree);
  git_tree_entry* entry = nullptr;
  const int rc = git_tree_entry_bypath(&entry, tree, path.c_str());
  if (rc == GIT_ENOTFOUND)
    return nullptr;
  check(rc, fmt::format("reading {}:{}", commit_id, path));
  return TreeEntryPtr(entry);
}

}  // namespace

std::optional<Repository::BlobAt> Repository::blob_at(const std::string& commit_id,
                                                      const std::string& path,
                                                      std::size_t max_size) const {
  TreeEntryPtr entry = entry_at(*this, commit_id, path);
  if (!entry)
    return std::nullopt;
  const git_filemode_t mode = git_tree_entry_filemode(entry.get());
  if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE)
    throw GitError(fmt::format("{}:{} is not a file (its mode is {:o})", commit_id, path,
                               static_cast<unsigned>(mode)),
                   GitError::Kind::invalid);
  const git_oid* oid = git_tree_entry_id(entry.get());
  std::size_t size = 0;
  git_object_t type = GIT_OBJECT_INVALID;
  check(git_odb_read_header(&size, &type, odb(), oid), fmt::format("reading blob {}", to_hex(oid)));
  if (size > max_size)
    throw GitError(
        fmt::format("{}:{} is {} bytes, more than the {} allowed", commit_id, path, size, max_size),
        GitError::Kind::invalid);
  OdbObjectPtr blob = read_raw(odb(), *oid, GIT_OBJECT_BLOB, "blob");
  return BlobAt{to_hex(oid), std::string(data_of(blob))};
}

std::optional<std::string> Repository::entry_id_at(const std::string& commit_id,
                                                   const std::string& path) const {
  TreeEntryPtr entry = entry_at(*this, commit_id, path);
  if (!entry)
    return std::nullopt;
  return to_hex(git_tree_entry_id(entry.get()));
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
  throw GitError(fmt::format("tag {} nests more than 64 levels deep", id), GitError::Kind::invalid);
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

std::vector<std::pair<std::string, std::string>> Repository::scan_refs(
    const std::function<bool(std::string_view)>& wanted,
    const std::function<void(const RefEntry&)>& fn) const {
  std::vector<std::pair<std::string, std::string>> symbolic;
  each_reference(repo_.get(), [&](git_reference* ref) {
    const char* name = git_reference_name(ref);
    if (git_reference_type(ref) == GIT_REFERENCE_SYMBOLIC) {
      symbolic.emplace_back(name, git_reference_symbolic_target(ref));
      return;
    }
    if (!wanted(name))
      return;
    const git_oid* peeled = git_reference_target_peel(ref);
    fn(RefEntry{name, to_hex(git_reference_target(ref)), peeled ? to_hex(peeled) : std::string()});
  });
  std::sort(symbolic.begin(), symbolic.end());
  return symbolic;
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
  CommitInfo info = parse_commit_object(id, *take_commit_object(id));
  if (parent_trees == ParentTrees::read) {
    for (std::size_t i = 0; i < info.parent_ids.size(); ++i) {
      try {
        info.parent_tree_ids.push_back(commit_tree_id(info.parent_ids[i]));
      } catch (const GitError& e) {
        throw GitError(fmt::format("reading parent {} of commit {}: {}", i + 1, id, e.what()), e);
      }
    }
  }
  return info;
}

}  // namespace trailgate::git
