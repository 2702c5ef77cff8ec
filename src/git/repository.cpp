#include "git/repository.h"

#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>

#include <fmt/format.h>
#include <cstdlib>
#include <fstream>

namespace trailgate::git {

void check(int rc, const std::string& what) {
  if (rc >= 0)
    return;
  const git_error* e = git_error_last();
  throw GitError(fmt::format("{}: {}", what, e && e->message ? e->message : "unknown error"), rc);
}

namespace {

void ensure_libgit2() {
  static const int initialised = [] {
    git_libgit2_init();
    return 1;
  }();
  (void)initialised;
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

Identity to_identity(const git_signature* sig) {
  Identity id;
  if (!sig)
    return id;
  id.name = sig->name ? sig->name : "";
  id.email = sig->email ? sig->email : "";
  id.time = sig->when.time;
  id.offset_minutes = sig->when.offset;
  return id;
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

}  // namespace

bool is_zero_id(const std::string& id) {
  return (id.size() == 40 || id.size() == 64) && id.find_first_not_of('0') == std::string::npos;
}

Repository Repository::open_for_hook() {
  ensure_libgit2();
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
  // costs more than re-reading the few objects a diff reads twice).
  git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
  git_repository* repo = nullptr;
  check(git_repository_open_ext(&repo, git_dir.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr),
        fmt::format("opening the repository at {}", git_dir));
  return Repository(RepositoryPtr(repo));
}

int Repository::lines_changed(const std::string& id) const {
  // Owned like every handle in handles.h; only this function needs diffs.
  git_oid oid = to_oid(id);
  git_commit* commit = nullptr;
  check(git_commit_lookup(&commit, repo_.get(), &oid), fmt::format("reading commit {}", id));
  CommitPtr owned(commit);
  git_tree* tree = nullptr;
  check(git_commit_tree(&tree, commit), fmt::format("reading the tree of {}", id));
  TreePtr owned_tree(tree);
  TreePtr parent_tree;
  if (git_commit_parentcount(commit) > 0) {
    git_commit* parent = nullptr;
    check(git_commit_parent(&parent, commit, 0), fmt::format("reading the parent of {}", id));
    CommitPtr owned_parent(parent);
    git_tree* ptree = nullptr;
    check(git_commit_tree(&ptree, parent), fmt::format("reading the parent tree of {}", id));
    parent_tree.reset(ptree);
  }
  git_diff_options options = GIT_DIFF_OPTIONS_INIT;
  options.context_lines = 0;  // counts only; context would be computed for nothing
  options.interhunk_lines = 0;
  git_diff* diff = nullptr;
  check(git_diff_tree_to_tree(&diff, repo_.get(), parent_tree.get(), tree, &options),
        fmt::format("diffing {}", id));
  DiffPtr owned_diff(diff);
  git_diff_stats* stats = nullptr;
  check(git_diff_get_stats(&stats, diff), fmt::format("counting the changes of {}", id));
  DiffStatsPtr owned_stats(stats);
  std::size_t total = git_diff_stats_insertions(stats) + git_diff_stats_deletions(stats);
  return total > 0x7fffffff ? 0x7fffffff : static_cast<int>(total);
}

std::string Repository::git_dir() const {
  return git_repository_path(repo_.get());
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
  git_oid a = to_oid(ancestor), d = to_oid(descendant);
  int rc = git_graph_descendant_of(repo_.get(), &d, &a);
  check(rc, fmt::format("checking whether {} contains {}", descendant, ancestor));
  return rc == 1;
}

void Repository::for_each_ref(const std::function<void(const RefEntry&)>& fn) const {
  git_reference_iterator* it = nullptr;
  check(git_reference_iterator_new(&it, repo_.get()), "listing refs");
  ReferenceIteratorPtr owned(it);
  git_reference* ref = nullptr;
  int rc;
  while ((rc = git_reference_next(&ref, it)) == 0) {
    ReferencePtr owned_ref(ref);
    if (git_reference_type(ref) != GIT_REFERENCE_DIRECT)
      continue;
    const git_oid* peeled = git_reference_target_peel(ref);
    fn(RefEntry{git_reference_name(ref), to_hex(git_reference_target(ref)),
                peeled ? to_hex(peeled) : std::string()});
  }
  if (rc != GIT_ITEROVER)
    check(rc, "listing refs");
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
  git_oid oid = to_oid(id);
  git_commit* commit = nullptr;
  check(git_commit_lookup(&commit, repo_.get(), &oid), fmt::format("reading commit {}", id));
  CommitPtr owned(commit);
  CommitInfo info;
  info.id = id;
  info.tree_id = to_hex(git_commit_tree_id(commit));
  unsigned int parents = git_commit_parentcount(commit);
  for (unsigned int i = 0; i < parents; ++i)
    info.parent_ids.push_back(to_hex(git_commit_parent_id(commit, i)));
  info.author = to_identity(git_commit_author(commit));
  info.committer = to_identity(git_commit_committer(commit));
  const char* raw = git_commit_message_raw(commit);
  info.message = raw ? raw : "";
  const char* encoding = git_commit_message_encoding(commit);
  info.encoding = encoding ? encoding : "";
  if (parent_trees == ParentTrees::read) {
    for (unsigned int i = 0; i < parents; ++i) {
      git_commit* parent = nullptr;
      check(git_commit_parent(&parent, commit, i),
            fmt::format("reading parent {} of commit {}", i + 1, id));
      CommitPtr owned_parent(parent);
      info.parent_tree_ids.push_back(to_hex(git_commit_tree_id(parent)));
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
  check(rc, "walking history");
  return to_hex(&oid);
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
