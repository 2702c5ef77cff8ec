// Reading a repository: refs, commits, ancestry and walks. The only stage that talks to
// libgit2; everything it returns is plain data (CommitInfo, hex ids).
//
// It reads; only `trailgate approve` writes, through the few functions marked so. Ids cross this
// boundary as full hex strings. Every libgit2 failure becomes a GitError (git/error.h); a
// missing or corrupt object is an error, never an empty result. libgit2's own types appear
// only as opaque forward declarations: <git2.h> stays inside src/git/*.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "git/commit_object.h"
#include "git/error.h"
#include "model/commit.h"

// libgit2's handles, opaque outside src/git/*.cpp.
struct git_repository;
struct git_odb;
struct git_odb_object;
struct git_revwalk;

namespace trailgate::git {

enum class ObjectType : std::uint8_t;
struct PackAccess;

// Frees a libgit2 handle (defined where <git2.h> is included).
struct HandleFree {
  void operator()(git_repository* p) const;
  void operator()(git_odb* p) const;
  void operator()(git_odb_object* p) const;
  void operator()(git_revwalk* p) const;
};
using RepositoryPtr = std::unique_ptr<git_repository, HandleFree>;
using RevwalkPtr = std::unique_ptr<git_revwalk, HandleFree>;

// Initialises libgit2 for the process (as opening a repository does) and says whether its
// start-up was spared parsing the system CA bundle: true with a libgit2 that loads it through a
// shared mbedTLS (Debian 12's), false where libgit2 loads no bundle at start-up (built on
// OpenSSL). trailgate makes no network connection through libgit2 (repository.cpp).
bool libgit2_ca_bundle_skipped();

// True when `id` is all zeros (git's "no object" in hook input), for SHA-1 or SHA-256 widths.
bool is_zero_id(const std::string& id);

class Walk;

enum class ParentTrees { read, skip };

// A ref as listed by Repository::for_each_ref.
struct RefEntry {
  std::string name;
  std::string target;  // the object id the ref points to
  std::string peeled;  // for an annotated tag, the id packed-refs records it peels to; else ""
};

class Repository {
 public:
  // Opens the repository a git hook runs in, honouring GIT_DIR, GIT_OBJECT_DIRECTORY and
  // GIT_ALTERNATE_OBJECT_DIRECTORIES, so objects still in the push quarantine are visible.
  // Falls back to the current directory plus GIT_QUARANTINE_PATH as an alternate.
  static Repository open_for_hook();
  // Opens the repository containing `path` (searching upwards), for check and audit.
  static Repository discover(const std::string& path);
  // Opens the repository at `git_dir` (no search) for scanning whole histories. Each thread of
  // a parallel scan opens its own. Process-wide, it also tunes libgit2 for reading every
  // object once: no object cache, no re-hashing of each object read (a corrupt pack entry
  // still fails to inflate; git does not re-hash on reading either), and at most
  // kScanMappedBytes of pack files mapped at a time, so a scan's memory does not grow with
  // the repository.
  static Repository open_for_scan(const std::string& git_dir);
  static constexpr std::size_t kScanMappedBytes = 96u << 20;

  Repository(Repository&&) noexcept;
  Repository& operator=(Repository&&) noexcept;
  ~Repository();

  // The git directory (for a bare repository, the repository itself), with a trailing '/'.
  std::string git_dir() const;
  // True for a bare repository (a server's), false for one with a work tree.
  bool is_bare() const;
  // The object directory (in the common git directory, for a linked work tree), no trailing '/'.
  std::string objects_dir() const;
  // The string value of config `key`, or nullopt when unset.
  std::optional<std::string> config_string(const std::string& key) const;
  // The string value of config `key` in the repository's own config file (<common git
  // dir>/config, with the files it includes), or nullopt when unset there. The other levels
  // (/etc/gitconfig, ~/.gitconfig, $XDG_CONFIG_HOME/git/config, whatever $HOME and
  // $GIT_CONFIG_GLOBAL point at) are never read, nor is config from the environment: they belong
  // to whoever runs the process, not to the repository.
  std::optional<std::string> local_config_string(const std::string& key) const;

  // The object id `refname` points to (following symbolic refs), or nullopt when absent.
  std::optional<std::string> resolve_ref(const std::string& refname) const;
  // Resolves a revision expression (e.g. "HEAD", "main~2", an id) to the commit it names.
  // Throws GitError when it names nothing or something that is not a commit.
  std::string resolve_commit(const std::string& revision) const;
  // Peels `id` (a commit or an annotated tag, possibly nested) to a commit id. Returns
  // nullopt when it peels to a tree or blob. Throws when the object is missing or corrupt.
  std::optional<std::string> peel_to_commit(const std::string& id) const;
  // True when `descendant` contains `ancestor` in its history (or they are equal).
  bool is_ancestor(const std::string& ancestor, const std::string& descendant) const;

  // Calls `fn` for every direct ref (symbolic refs are skipped).
  void for_each_ref(const std::function<void(const RefEntry&)>& fn) const;
  // Every symbolic ref under refs/, as (its name, the name it points to), sorted by name. The
  // target may itself be symbolic, or missing.
  std::vector<std::pair<std::string, std::string>> symbolic_refs() const;
  // for_each_ref and symbolic_refs in one pass over the refs, for the hook's start-up: calls
  // `fn` for every direct ref whose name `wanted` accepts (a ref it rejects costs no copy of its
  // ids), and returns every symbolic ref as symbolic_refs() does.
  std::vector<std::pair<std::string, std::string>> scan_refs(
      const std::function<bool(std::string_view)>& wanted,
      const std::function<void(const RefEntry&)>& fn) const;
  // True when the object database has object `id` (of any type).
  bool has_object(const std::string& id) const;
  // True when object `id` is a commit; reads only the object's header. Throws when missing.
  bool is_commit(const std::string& id) const;

  // Reads commit `id`; with ParentTrees::read also each parent's tree id (one more object
  // read per parent, needed only for review signatures). The encoding is the first "encoding"
  // header, as git reads it; when it is not UTF-8, decoded_messages is filled from the raw
  // object (one more read). Throws GitError when it is missing,
  // corrupt or not a commit.
  CommitInfo read_commit(const std::string& id, ParentTrees parent_trees = ParentTrees::skip) const;

  // The bytes of commit object `id` as stored: header lines, a blank line, the message. Throws
  // GitError when it is missing, corrupt or not a commit. parse_commit_object() reads them.
  std::string read_commit_object(const std::string& id) const;
  // Reads commit `id` and parses its bytes with parse_commit_object(): what read_commit()
  // returns without parent trees, at half the cost (for scans of whole histories). Throws
  // GitError when it is missing, corrupt or not a commit.
  CommitInfo read_commit_raw(const std::string& id) const;
  // The tree id of commit `id`. Throws GitError when it is missing, corrupt or not a commit.
  // The object is kept for the next read of the same commit (read_commit, read_commit_raw,
  // read_commit_object), which then costs no second read: the hook asks for a first parent's
  // tree when it diffs a commit, and judges that parent next.
  std::string commit_tree_id(const std::string& id) const;

  // The blob a commit's tree holds at `path` ('/'-separated, from the root, as `git show
  // COMMIT:PATH` names it), for reading a file as a commit has it, never as the work tree does.
  struct BlobAt {
    std::string id;     // the blob's full hex id
    std::string bytes;  // its content
  };
  // Reads the blob at `path` in commit `commit_id`'s tree. Nullopt when the tree has no entry
  // there. Throws GitError when the entry is not a file (a directory, a symbolic link, a
  // submodule), when the blob is larger than `max_size` bytes, or when an object is missing or
  // corrupt.
  std::optional<BlobAt> blob_at(const std::string& commit_id, const std::string& path,
                                std::size_t max_size) const;
  // Only the id of the blob at `path` in commit `commit_id`'s tree (the entry's id whatever its
  // kind); nullopt when the tree has no entry there. Reads trees only.
  std::optional<std::string> entry_id_at(const std::string& commit_id,
                                         const std::string& path) const;
  // Lines added plus lines deleted by commit `id` against its first parent (against the empty
  // tree for a root commit), as `git diff --numstat` counts them; binary files count 0. Reads
  // every changed blob: call it only for the few commits that need it.
  int lines_changed(const std::string& id) const;
  // The same count between two trees: `old_tree` ("" = the empty tree) and `new_tree`. Only
  // subtrees whose ids differ are read. A file counts as binary (0 lines) when it has a NUL
  // byte in its first 8,000 bytes, as git decides when no attributes say otherwise; a
  // submodule whose commit changed counts 2, one added or removed counts 1.
  int lines_changed_between(const std::string& old_tree, const std::string& new_tree) const;

  // --- writing, for `trailgate approve` (the hook never writes) ---------------------------

  // True when the index or a tracked file in the work tree differs from HEAD (untracked files
  // do not count). False for a bare repository.
  bool has_uncommitted_changes() const;
  // Commits in `from..to`, oldest first (parents before children). Empty `from` = all history.
  std::vector<std::string> range_oldest_first(const std::string& from, const std::string& to) const;
  // Writes a commit with `original`'s tree, author, committer (dates included) and encoding,
  // but `parents` and `message`. Returns the new id. Does not move any ref.
  std::string write_commit_copy(const CommitInfo& original, const std::vector<std::string>& parents,
                                const std::string& message) const;
  // Moves HEAD's branch (or a detached HEAD) from `old_tip` to `new_tip`, with `reflog` as the
  // reflog message. Throws when HEAD no longer points at `old_tip`.
  void move_head(const std::string& old_tip, const std::string& new_tip,
                 const std::string& reflog) const;

  // For the branch HEAD is on: its upstream's merge ref on the remote (e.g.
  // "refs/heads/main") and the remote-tracking ref's target. Nullopt when HEAD is detached or
  // has no upstream.
  struct Upstream {
    std::string remote_ref;    // e.g. "refs/heads/main"
    std::string tracking_ref;  // e.g. "refs/remotes/origin/main"
    std::string tip;           // commit id of tracking_ref
  };
  std::optional<Upstream> head_upstream() const;

  // Starts a walk over commits reachable from `include` but not from `exclude`, newest first.
  // Exclude ids that do not peel to commits are ignored.
  Walk walk(const std::vector<std::string>& include, const std::vector<std::string>& exclude) const;
  // The tips of `exclude` that the history `include` brings in reaches, when that history is
  // all new to the repository: commits only in the push quarantine (GIT_QUARANTINE_PATH, so
  // only for a handle from open_for_hook), at most `limit` of them. Hiding just those tips then
  // walks the commits that hiding all of `exclude` walks, without reading every other tip (a
  // server protects hundreds of tags). Whatever it returns is part of `exclude`, so a walk that
  // hides it can only list more commits, never fewer. nullopt, to hide all of `exclude`, when
  // there is no quarantine, when the history reaches a commit the repository held before the
  // push that is not a tip of `exclude` (it may hold older tips' history), or more than `limit`
  // new commits, or a commit that cannot be read.
  std::optional<std::vector<std::string>> tips_reached_by_push(
      const std::vector<std::string>& include, const std::vector<std::string>& exclude,
      std::size_t limit) const;

  // The libgit2 handle, for the other readers of src/git (opaque elsewhere).
  git_repository* raw() const { return repo_.get(); }
  // The repository's object database, looked up once (opaque outside src/git).
  git_odb* odb() const;
  // The bytes of object `raw_id` (20 bytes), which must be of type `type`. Read from the packs by
  // this handle's own git::PackReader (no lock shared with another thread's handle), else through
  // libgit2 (loose objects). Throws GitError when it is missing, damaged or of another type. For
  // src/git.
  std::shared_ptr<const std::string> read_object(const unsigned char* raw_id,
                                                 ObjectType type) const;

 private:
  Repository(RepositoryPtr repo, std::vector<std::string> object_dirs);
  // Commit object `id`: the one commit_tree_id() kept, when it is that one (and no longer kept
  // then), else read.
  std::shared_ptr<const std::string> take_commit_object(const std::string& id) const;

  RepositoryPtr repo_;
  mutable std::unique_ptr<git_odb, HandleFree> odb_;
  // This handle's pack reader, shared with the object database backend that serves libgit2's own
  // reads (revwalks) from it (repository.cpp).
  std::shared_ptr<PackAccess> packs_;
  // The object directories other than the push quarantine, when the handle has one (hook).
  std::vector<std::string> held_dirs_;
  mutable std::string kept_commit_id_;  // the commit commit_tree_id() read last, or ""
  mutable std::shared_ptr<const std::string> kept_commit_;
};

// A walk over commit ids; see Repository::walk.
class Walk {
 public:
  // Returns the next commit id, or nullopt at the end. A commit that cannot be read throws
  // GitError naming the last commit returned, the one whose parents were being read.
  std::optional<std::string> next();

 private:
  friend class Repository;
  explicit Walk(RevwalkPtr walk) : walk_(std::move(walk)) {}
  RevwalkPtr walk_;
  std::string last_;  // the id next() returned last, "" before the first
};

}  // namespace trailgate::git
