#include "git/tree_changes.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

#include "git/libgit2.h"
#include "git/packs.h"
#include "model/work_counters.h"
#include "util/hex_id.h"

namespace trailgate::git {

namespace {

constexpr int kRenameThreshold = 50;  // git's default: -M50%

std::string raw_key(const unsigned char* id) {
  return std::string(reinterpret_cast<const char*>(id), GIT_OID_RAWSZ);
}

bool is_regular_blob(std::uint32_t mode) {
  return (mode & 0170000u) == 0100000u;  // 0100644 or 0100755, not a symlink or submodule
}

bool is_under(const std::string& path, const std::string& directory) {
  return directory.empty() || (path.size() > directory.size() && path[directory.size()] == '/' &&
                               path.compare(0, directory.size(), directory) == 0);
}

// A tree as trailgate reads it: its bytes (shared with the pack reader's cache) and its
// entries, in the order the tree stores them (git's order, which the walks rely on).
struct TreeEntry {
  std::string_view name;  // never empty; followed by a NUL in the tree's bytes
  std::uint16_t mode;     // as stored (libgit2 keeps 16 bits too)
  const unsigned char* id;

  // A directory: libgit2's git_tree_entry__is_tree (a submodule is not one).
  bool is_tree() const { return (mode & 0170000u) == 0040000u; }
  // The mode as libgit2's git_tree_entry_filemode normalises it.
  std::uint32_t filemode() const {
    if (is_tree())
      return 0040000u;
    if (mode & 0111u)
      return 0100755u;
    if ((mode & 0170000u) == 0160000u || (mode & 0170000u) == 0120000u)
      return mode & 0170000u;
    return 0100644u;
  }
  git_oid oid() const {
    git_oid out;
    std::memcpy(out.id, id, GIT_OID_RAWSZ);
    return out;
  }
};

struct Tree {
  std::shared_ptr<const std::string> bytes;
  std::vector<TreeEntry> entries;
};
using TreeRef = std::shared_ptr<const Tree>;

// git's tree order (libgit2's git_tree_entry_cmp): names compared bytewise, a directory's name
// as if it ended in '/'.
int entry_cmp(const TreeEntry& a, const TreeEntry& b) {
  const std::size_t len = std::min(a.name.size(), b.name.size());
  if (int order = std::memcmp(a.name.data(), b.name.data(), len))
    return order;
  const auto next = [len](const TreeEntry& e) -> unsigned char {
    return len < e.name.size() ? static_cast<unsigned char>(e.name[len]) : e.is_tree() ? '/' : 0;
  };
  const unsigned char x = next(a), y = next(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

// Parses tree `id`'s bytes as libgit2 1.5's git_tree__parse_raw accepts them, and as git reads
// a mode: octal digits only (libgit2 also takes a sign, git does not; such a tree is refused).
TreeRef parse_tree(const git_oid& id, std::shared_ptr<const std::string> bytes) {
  auto tree = std::make_shared<Tree>();
  const char* p = bytes->data();
  const char* const end = p + bytes->size();
  auto fail = [&](const char* why) {
    return GitError(fmt::format("reading tree {}: failed to parse tree: {}", to_hex(&id), why),
                    GitError::Kind::invalid);
  };
  while (p < end) {
    std::uint32_t mode = 0;
    const char* digits = p;
    while (p < end && *p >= '0' && *p <= '7' && p - digits < 7)
      mode = mode * 8 + static_cast<std::uint32_t>(*p++ - '0');
    if (p == digits || mode > 0xffffu)
      throw fail("can't parse filemode");
    if (p == end || *p++ != ' ')
      throw fail("missing space after filemode");
    const char* nul =
        static_cast<const char*>(std::memchr(p, 0, static_cast<std::size_t>(end - p)));
    if (!nul)
      throw fail("object is corrupted");
    const auto name_len = static_cast<std::size_t>(nul - p);
    if (name_len == 0 || name_len > 0xffffu)
      throw fail("can't parse filename");
    if (end - (nul + 1) < GIT_OID_RAWSZ)
      throw fail("can't parse OID");
    tree->entries.push_back(TreeEntry{std::string_view(p, name_len),
                                      static_cast<std::uint16_t>(mode),
                                      reinterpret_cast<const unsigned char*>(nul + 1)});
    p = nul + 1 + GIT_OID_RAWSZ;
  }
  tree->bytes = std::move(bytes);
  return tree;
}

TreeRef read_tree(const Repository& repo, const git_oid& id) {
  work::add(work::Counter::tree_reads);
  return parse_tree(id, repo.read_object(id.id, ObjectType::tree));
}

// libgit2's own handle on tree `id`, for its diff (renames, rewrites).
TreePtr lookup_libgit2_tree(git_repository* repo, const git_oid& id) {
  git_tree* tree = nullptr;
  check(git_tree_lookup(&tree, repo, &id), fmt::format("reading tree {}", to_hex(&id)));
  return TreePtr(tree);
}

struct OidHash {
  std::size_t operator()(const git_oid& id) const {
    std::size_t h;
    static_assert(sizeof(id.id) >= sizeof(h));
    std::memcpy(&h, id.id, sizeof(h));  // object ids are uniformly distributed
    return h;
  }
};
struct OidEqual {
  bool operator()(const git_oid& a, const git_oid& b) const { return git_oid_equal(&a, &b); }
};

}  // namespace

// Two generations of trees: those the current diff read, and those the previous diff read,
// which the current one takes over when it reads them again. Starting a diff frees the trees of
// the diff before the previous one.
class FileCounter::TreeCache {
 public:
  // Starts a diff in `repo`.
  void next_diff(const Repository& repo) {
    if (repo.raw() != repo_) {
      current_.clear();
      repo_ = repo.raw();
    }
    previous_ = std::move(current_);
    current_.clear();
    current_entries_ = 0;
  }

  // Tree `id`, kept or read (a read counts work::Counter::tree_reads). Throws GitError when it is
  // missing or not a tree.
  TreeRef get(const Repository& repo, const git_oid& id) {
    const bool same = repo.raw() == repo_;
    if (same) {
      if (auto it = current_.find(id); it != current_.end())
        return it->second;
      if (auto it = previous_.find(id); it != previous_.end()) {
        TreeRef kept = std::move(it->second);
        previous_.erase(it);
        keep(id, kept);
        return kept;
      }
    }
    TreeRef tree = read_tree(repo, id);
    if (same)
      keep(id, tree);
    return tree;
  }

  std::size_t size() const { return current_.size() + previous_.size(); }

 private:
  void keep(const git_oid& id, const TreeRef& tree) {
    const std::size_t entries = tree->entries.size();
    if (current_.size() >= FileCounter::kMaxKeptTrees ||
        current_entries_ + entries > FileCounter::kMaxKeptEntries)
      return;
    current_entries_ += entries;
    current_.emplace(id, tree);
  }

  git_repository* repo_ = nullptr;
  std::unordered_map<git_oid, TreeRef, OidHash, OidEqual> current_, previous_;
  std::size_t current_entries_ = 0;
};

FileCounter::FileCounter() : trees_(std::make_unique<TreeCache>()) {}
FileCounter::~FileCounter() = default;

std::size_t FileCounter::kept_trees() const {
  return trees_->size();
}

// The traversal behind FileCounter: depth-first with an explicit stack (a hostile tree cannot
// exhaust the call stack), each tree's own files counted before any subtree is read, so that a
// bounded count often stops without descending at all.
class TreeCounting {
 public:
  static std::size_t run(FileCounter& counter, const Repository& repo, const git_oid& root,
                         std::size_t limit) {
    auto& memo = counter.memo_;
    if (auto it = memo.find(raw_key(root.id)); it != memo.end())
      return std::min(it->second, limit == kUnbounded ? it->second : limit + 1);

    struct Frame {
      TreeRef tree;
      std::string key;
      std::size_t next = 0;   // the next entry to look at for subtrees
      std::size_t files = 0;  // files under this tree counted so far
    };
    std::vector<Frame> stack;
    std::size_t running = 0;  // files counted so far, all frames together
    auto enter = [&](const git_oid& id) {
      if (stack.size() > FileCounter::kMaxDepth)  // the root, then kMaxDepth directories
        throw TreeTooDeep(fmt::format("tree {} nests more than {} directories deep", to_hex(&root),
                                      FileCounter::kMaxDepth));
      Frame frame{read_tree(repo, id), raw_key(id.id), 0, 0};
      for (const TreeEntry& e : frame.tree->entries)
        frame.files += !e.is_tree();
      running += frame.files;
      stack.push_back(std::move(frame));
    };

    enter(root);
    while (true) {
      if (running > limit)
        return limit + 1;
      Frame& top = stack.back();
      const auto& entries = top.tree->entries;
      while (top.next < entries.size() && !entries[top.next].is_tree())
        ++top.next;
      if (top.next == entries.size()) {
        const std::size_t files = top.files;
        remember(memo, std::move(top.key), files);
        stack.pop_back();
        if (stack.empty())
          return files;
        stack.back().files += files;
        continue;
      }
      const TreeEntry& sub = entries[top.next++];
      if (auto it = memo.find(raw_key(sub.id)); it != memo.end()) {
        top.files += it->second;
        running += it->second;
        continue;
      }
      enter(sub.oid());  // invalidates `top`
    }
  }

  static constexpr std::size_t kUnbounded = static_cast<std::size_t>(-1);

 private:
  static void remember(std::unordered_map<std::string, std::size_t>& memo, std::string key,
                       std::size_t files) {
    if (memo.size() >= FileCounter::kMaxRemembered)
      memo.clear();
    memo.emplace(std::move(key), files);
  }
};

std::size_t FileCounter::count(const Repository& repo, const std::string& tree_id) {
  return TreeCounting::run(*this, repo, to_oid(tree_id), TreeCounting::kUnbounded);
}

std::size_t FileCounter::count_up_to(const Repository& repo, const std::string& tree_id,
                                     std::size_t limit) {
  return TreeCounting::run(*this, repo, to_oid(tree_id), limit);
}

namespace {

// git_diff_tree_to_tree with the options every diff here shares; `paths`, when not null,
// restricts it to exactly those paths.
DiffPtr diff_trees(git_repository* repo, git_tree* old_tree, git_tree* new_tree,
                   const std::string& commit_id, const std::vector<std::string>* paths) {
  git_diff_options options = GIT_DIFF_OPTIONS_INIT;
  // A path that turns from a file into a symlink or submodule stays one change; nothing here
  // needs the binary flag, so blobs are not read for it.
  options.flags = GIT_DIFF_INCLUDE_TYPECHANGE | GIT_DIFF_SKIP_BINARY_CHECK;
  options.ignore_submodules = GIT_SUBMODULE_IGNORE_NONE;
  std::vector<char*> specs;
  if (paths) {
    options.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH;  // exact paths, no wildcards
    for (const auto& path : *paths)
      specs.push_back(const_cast<char*>(path.c_str()));
    options.pathspec.strings = specs.data();
    options.pathspec.count = specs.size();
  }
  git_diff* diff = nullptr;
  check(git_diff_tree_to_tree(&diff, repo, old_tree, new_tree, &options),
        fmt::format("diffing commit {} against its first parent", commit_id));
  return DiffPtr(diff);
}

FileChange to_change(const git_diff_delta& delta, const std::string& commit_id) {
  FileChange change;
  auto old_side = [&] {
    change.old_path = delta.old_file.path ? delta.old_file.path : "";
    change.old_id = to_hex(&delta.old_file.id);
    change.old_mode = delta.old_file.mode;
  };
  auto new_side = [&] {
    change.new_path = delta.new_file.path ? delta.new_file.path : "";
    change.new_id = to_hex(&delta.new_file.id);
    change.new_mode = delta.new_file.mode;
  };
  switch (delta.status) {
    case GIT_DELTA_ADDED:
      change.kind = ChangeKind::added;
      new_side();
      break;
    case GIT_DELTA_DELETED:
      change.kind = ChangeKind::deleted;
      old_side();
      break;
    case GIT_DELTA_MODIFIED:
      change.kind = ChangeKind::modified;
      old_side();
      new_side();
      if (change.old_id == change.new_id)
        change.similarity = 100;
      break;
    case GIT_DELTA_TYPECHANGE:
      change.kind = ChangeKind::modified;
      old_side();
      new_side();
      change.similarity = 0;
      break;
    case GIT_DELTA_RENAMED:
      change.kind = ChangeKind::renamed;
      old_side();
      new_side();
      change.similarity = delta.similarity;
      break;
    default:
      // Copies are not searched for and a tree-to-tree diff has no work-tree states; anything
      // else means this code and libgit2 disagree, and guessing could hide a change.
      throw GitError(fmt::format("diffing commit {}: unexpected change status {} for \"{}\"",
                                 commit_id, static_cast<int>(delta.status),
                                 delta.new_file.path ? delta.new_file.path : ""),
                     GitError::Kind::other);
  }
  return change;
}

}  // namespace

namespace {

// The kind of entry a mode stands for: a regular file (either mode), a symlink, a submodule.
std::uint32_t entry_kind(std::uint32_t mode) {
  return is_regular_blob(mode) ? 0100000u : mode;
}

// Compares two trees entry by entry, as git does, descending only into subtrees whose ids
// differ, and records each changed file in `set` (renames are left to libgit2). Along the way it
// learns, for each directory of the old tree it enters, how many files it had and whether any of
// them is left untouched: the replaced directories. An explicit stack, so that a hostile tree
// cannot exhaust the call stack.
class TreeWalk {
 public:
  // Subtrees come from `trees` when given (kept there for the next diff), else are read.
  TreeWalk(const Repository& repo, ChangeSet& set, FileCounter::TreeCache* trees = nullptr)
      : repo_(repo), set_(set), trees_(trees) {}

  // Null trees stand for none (the parent of a root commit).
  void run(TreeRef old_root, TreeRef new_root) {
    push(std::move(old_root), std::move(new_root), std::string());
    while (!stack_.empty()) {
      Frame& top = stack_.back();
      const std::size_t old_count = top.old_tree ? top.old_tree->entries.size() : 0;
      const std::size_t new_count = top.new_tree ? top.new_tree->entries.size() : 0;
      if (top.i == old_count && top.j == new_count) {
        finish();
        continue;
      }
      const TreeEntry* a = top.i < old_count ? &top.old_tree->entries[top.i] : nullptr;
      const TreeEntry* b = top.j < new_count ? &top.new_tree->entries[top.j] : nullptr;
      const int order = !a ? 1 : !b ? -1 : entry_cmp(*a, *b);
      if (order < 0) {
        ++top.i;
        removed(*a);
      } else if (order > 0) {
        ++top.j;
        added(*b);
      } else {
        ++top.i;
        ++top.j;
        both(*a, *b);
      }
    }
  }

 private:
  struct Frame {
    TreeRef old_tree, new_tree;
    std::string prefix;  // "" or "dir/sub/"
    std::size_t i = 0, j = 0;
    std::size_t old_files = 0;  // files of the old tree seen so far (recursively)
    bool untouched = false;     // some file of the old tree is left as it was
  };

  // The entries a frame points at stay valid while the frame's trees do: a push may move the
  // frames, never the trees they share.
  void push(TreeRef old_tree, TreeRef new_tree, std::string prefix) {
    if (stack_.size() > FileCounter::kMaxDepth)  // the root, then kMaxDepth directories
      throw TreeTooDeep(fmt::format("its tree nests directories more than {} deep (at \"{}...\")",
                                    FileCounter::kMaxDepth, prefix.substr(0, 60)));
    Frame frame;
    frame.old_tree = std::move(old_tree);
    frame.new_tree = std::move(new_tree);
    frame.prefix = std::move(prefix);
    stack_.push_back(std::move(frame));
  }

  TreeRef subtree(const TreeEntry& entry) {
    return trees_ ? trees_->get(repo_, entry.oid()) : read_tree(repo_, entry.oid());
  }

  std::string path_of(const TreeEntry& entry) const {
    std::string path = stack_.back().prefix;
    path.append(entry.name);
    return path;
  }

  void finish() {
    Frame done = std::move(stack_.back());
    stack_.pop_back();
    if (done.old_tree && done.old_files > 0 && !done.untouched) {
      std::string path =
          done.prefix.empty() ? std::string() : done.prefix.substr(0, done.prefix.size() - 1);
      set_.replaced_directories.push_back({std::move(path), done.old_files});
    }
    if (!stack_.empty()) {
      stack_.back().old_files += done.old_files;
      stack_.back().untouched = stack_.back().untouched || done.untouched;
    }
  }

  void removed(const TreeEntry& a) {
    if (a.is_tree()) {
      std::string prefix = path_of(a) + "/";
      push(subtree(a), nullptr, std::move(prefix));
      return;
    }
    FileChange change;
    change.kind = ChangeKind::deleted;
    old_side(change, a);
    ++stack_.back().old_files;
    set_.changes.push_back(std::move(change));
  }

  void added(const TreeEntry& b) {
    if (b.is_tree()) {
      std::string prefix = path_of(b) + "/";
      push(nullptr, subtree(b), std::move(prefix));
      return;
    }
    FileChange change;
    change.kind = ChangeKind::added;
    new_side(change, b);
    set_.changes.push_back(std::move(change));
  }

  // Same name and both directories or both not (tree order tells them apart).
  void both(const TreeEntry& a, const TreeEntry& b) {
    const bool same_id = std::memcmp(a.id, b.id, GIT_OID_RAWSZ) == 0;
    if (a.is_tree()) {
      if (same_id) {
        stack_.back().untouched = true;
        return;
      }
      std::string prefix = path_of(a) + "/";
      TreeRef old_sub = subtree(a);
      push(std::move(old_sub), subtree(b), std::move(prefix));
      return;
    }
    const std::uint32_t old_mode = a.filemode();
    const std::uint32_t new_mode = b.filemode();
    ++stack_.back().old_files;
    if (same_id && old_mode == new_mode) {
      stack_.back().untouched = true;
      return;
    }
    FileChange change;
    change.kind = ChangeKind::modified;
    old_side(change, a);
    new_side(change, b);
    if (entry_kind(old_mode) != entry_kind(new_mode)) {
      change.similarity = 0;  // the kind of entry changed
      ++type_changes_;
    } else if (same_id) {
      change.similarity = 100;  // a mode change
    }
    set_.changes.push_back(std::move(change));
  }

  void old_side(FileChange& change, const TreeEntry& a) const {
    change.old_path = path_of(a);
    change.old_id = util::hex_encode(a.id, GIT_OID_RAWSZ);
    change.old_mode = a.filemode();
  }
  void new_side(FileChange& change, const TreeEntry& b) const {
    change.new_path = path_of(b);
    change.new_id = util::hex_encode(b.id, GIT_OID_RAWSZ);
    change.new_mode = b.filemode();
  }

 public:
  std::size_t type_changes() const { return type_changes_; }

 private:
  const Repository& repo_;
  ChangeSet& set_;
  FileCounter::TreeCache* trees_;
  std::vector<Frame> stack_;
  std::size_t type_changes_ = 0;
};

// The changes from tree `parent_id` (`parent_tree`; null for none, as for a root commit) to tree
// `id` (`tree`), filled into `set`, which names the two sides; `deleted_share` as
// first_parent_changes takes it.
ChangeSet changes_between_trees(const Repository& repo, const git_oid* parent_id,
                                TreeRef parent_tree, const git_oid& id, TreeRef tree, ChangeSet set,
                                FileCounter& counter, double deleted_share) {
  git_repository* raw = repo.raw();
  const std::string commit_id = set.commit_id;
  // The changes and the replaced directories from one walk over the differing trees.
  TreeWalk walk(repo, set, &counter.tree_cache());
  walk.run(parent_tree, tree);
  // libgit2's diff, where content is compared, reads the trees again through libgit2.
  TreePtr libgit2_parent, libgit2_tree;
  auto libgit2_trees = [&] {
    if (!libgit2_tree) {
      libgit2_tree = lookup_libgit2_tree(raw, id);
      if (parent_id)
        libgit2_parent = lookup_libgit2_tree(raw, *parent_id);
    }
  };
  std::sort(set.replaced_directories.begin(), set.replaced_directories.end(),
            [](const auto& a, const auto& b) { return a.path < b.path; });
  std::size_t sources = walk.type_changes(), targets = 0;
  for (const auto& change : set.changes) {
    sources += change.kind == ChangeKind::deleted;
    targets += change.kind == ChangeKind::added;
  }

  // Renames need content, and libgit2's pairing is git's: only when there is something to pair
  // (a deleted or retyped file and an added one) is the commit diffed again through libgit2.
  if (sources > 0 && targets > 0) {
    libgit2_trees();
    DiffPtr diff = diff_trees(raw, libgit2_parent.get(), libgit2_tree.get(), commit_id, nullptr);
    git_diff_find_options find = GIT_DIFF_FIND_OPTIONS_INIT;
    find.flags = GIT_DIFF_FIND_RENAMES;
    find.rename_threshold = kRenameThreshold;
    find.rename_limit = kRenameLimit;
    // git gives up pairing by content past renameLimit^2 candidate pairs and keeps only exact
    // renames; so does this, which also bounds what a hostile commit can make the hook compute.
    if (sources > kRenameLimit * kRenameLimit / targets) {
      find.flags |= GIT_DIFF_FIND_EXACT_MATCH_ONLY;
      set.exact_renames_only = true;
    }
    check(git_diff_find_similar(diff.get(), &find),
          fmt::format("detecting renames in commit {}", commit_id));
    set.changes.clear();
    for (std::size_t i = 0, n = git_diff_num_deltas(diff.get()); i < n; ++i)
      set.changes.push_back(to_change(*git_diff_get_delta(diff.get(), i), commit_id));
  }
  for (const auto& change : set.changes)
    set.deleted += change.kind == ChangeKind::deleted;

  if (!parent_id) {
    set.parent_files = 0;
    return set;
  }
  if (set.deleted > 0) {
    if (deleted_share < 0) {
      set.parent_files = counter.count(repo, to_hex(parent_id));
    } else {
      // The rule fires when parent_files < deleted / deleted_share: only counts below that
      // need to be exact.
      const double bound =
          deleted_share > 0 ? std::ceil(static_cast<double>(set.deleted) / deleted_share) : 1.0;
      const std::size_t limit =
          bound >= 1e15 ? TreeCounting::kUnbounded - 1 : static_cast<std::size_t>(bound);
      set.parent_files = counter.count_up_to(repo, to_hex(parent_id), limit);
    }
  }

  // How similar each modified file under a replaced directory still is to what it was: the one
  // place the content matters, since a directory whose files were all rewritten beyond
  // recognition was replaced, not edited. A second diff over just those paths measures it.
  std::vector<std::string> measure;
  for (const auto& change : set.changes) {
    if (change.kind != ChangeKind::modified || change.similarity >= 0 ||
        !is_regular_blob(change.old_mode) || !is_regular_blob(change.new_mode))
      continue;
    if (std::any_of(set.replaced_directories.begin(), set.replaced_directories.end(),
                    [&](const ReplacedDirectory& d) { return is_under(change.old_path, d.path); }))
      measure.push_back(change.old_path);
  }
  if (!measure.empty()) {
    libgit2_trees();
    DiffPtr rewrites =
        diff_trees(raw, libgit2_parent.get(), libgit2_tree.get(), commit_id, &measure);
    git_diff_find_options find = GIT_DIFF_FIND_OPTIONS_INIT;
    // Measures each modified file against its own old content and changes nothing else.
    find.flags = GIT_DIFF_FIND_REWRITES;
    find.rename_limit = kRenameLimit;
    check(git_diff_find_similar(rewrites.get(), &find),
          fmt::format("measuring rewrites in commit {}", commit_id));
    std::map<std::string, int> measured;
    for (std::size_t i = 0, n = git_diff_num_deltas(rewrites.get()); i < n; ++i) {
      const git_diff_delta* delta = git_diff_get_delta(rewrites.get(), i);
      if (delta->status == GIT_DELTA_MODIFIED && delta->old_file.path)
        measured[delta->old_file.path] = delta->similarity;
    }
    for (auto& change : set.changes) {
      if (change.kind != ChangeKind::modified || change.similarity >= 0)
        continue;
      if (auto it = measured.find(change.old_path); it != measured.end())
        change.similarity = it->second;
    }
  }
  return set;
}

}  // namespace

namespace {

// The changes from tree `parent_tree_id` ("" for none) to tree `tree_id`, as one diff of
// `counter`: the trees the previous diff read are taken over, the others are read.
ChangeSet changes_of_trees(const Repository& repo, ChangeSet set, const std::string& tree_id,
                           const std::string& parent_tree_id, FileCounter& counter,
                           double deleted_share = -1) {
  FileCounter::TreeCache& trees = counter.tree_cache();
  trees.next_diff(repo);
  const git_oid id = to_oid(tree_id);
  TreeRef tree = trees.get(repo, id);
  if (parent_tree_id.empty())
    return changes_between_trees(repo, nullptr, nullptr, id, tree, std::move(set), counter,
                                 deleted_share);
  const git_oid parent_id = to_oid(parent_tree_id);
  TreeRef parent_tree = trees.get(repo, parent_id);
  return changes_between_trees(repo, &parent_id, std::move(parent_tree), id, std::move(tree),
                               std::move(set), counter, deleted_share);
}

}  // namespace

ChangeSet first_parent_changes(const Repository& repo, const std::string& commit_id,
                               FileCounter& counter) {
  const CommitInfo commit = repo.read_commit_raw(commit_id);
  if (commit.tree_id.empty())
    throw GitError(fmt::format("reading commit {}: it names no tree", commit_id),
                   GitError::Kind::invalid);
  std::string parent_id, parent_tree_id;
  if (!commit.parent_ids.empty()) {
    parent_id = commit.parent_ids.front();
    parent_tree_id = repo.commit_tree_id(parent_id);
  }
  return first_parent_changes(repo, commit_id, commit.tree_id, parent_id, parent_tree_id, counter);
}

ChangeSet first_parent_changes(const Repository& repo, const std::string& commit_id,
                               const std::string& tree_id, const std::string& parent_id,
                               const std::string& parent_tree_id, FileCounter& counter,
                               double deleted_share) {
  ChangeSet set;
  set.commit_id = commit_id;
  set.parent_id = parent_id;
  return changes_of_trees(repo, std::move(set), tree_id, parent_tree_id, counter, deleted_share);
}

ChangeSet changes_between(const Repository& repo, const std::string& old_commit_id,
                          const std::string& new_commit_id, FileCounter& counter) {
  ChangeSet set;
  set.commit_id = new_commit_id;
  set.parent_id = old_commit_id;
  const std::string new_tree = repo.commit_tree_id(new_commit_id);
  const std::string old_tree = repo.commit_tree_id(old_commit_id);
  return changes_of_trees(repo, std::move(set), new_tree, old_tree, counter);
}

// --- lines changed: the same walk, then blob contents -----------------------------------------

namespace {

constexpr std::uint32_t kModeType = 0170000u, kGitlink = 0160000u;
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

// Lines of one side of a file that exists on one side only (or changed type).
std::int64_t one_side(git_odb* odb, const std::string& id, std::uint32_t mode) {
  if ((mode & kModeType) == kGitlink)
    return 1;  // "Subproject commit <id>"
  OdbObjectPtr blob = read_raw(odb, to_oid(id), GIT_OBJECT_BLOB, "blob");
  return count_lines(data_of(blob));
}

// Lines added plus deleted by one change, as `git diff --numstat` counts them.
std::int64_t lines_of(git_odb* odb, const FileChange& c) {
  if (c.kind == ChangeKind::added)
    return one_side(odb, c.new_id, c.new_mode);
  if (c.kind == ChangeKind::deleted)
    return one_side(odb, c.old_id, c.old_mode);
  if ((c.old_mode & kModeType) != (c.new_mode & kModeType))
    return one_side(odb, c.old_id, c.old_mode) +
           one_side(odb, c.new_id, c.new_mode);  // a type change: delete + add
  if (c.old_id == c.new_id)
    return 0;  // a mode change
  if ((c.old_mode & kModeType) == kGitlink)
    return 2;
  OdbObjectPtr old_blob = read_raw(odb, to_oid(c.old_id), GIT_OBJECT_BLOB, "blob");
  OdbObjectPtr new_blob = read_raw(odb, to_oid(c.new_id), GIT_OBJECT_BLOB, "blob");
  std::string_view x = data_of(old_blob), y = data_of(new_blob);
  if (is_binary(x) || is_binary(y))
    return 0;
  git_diff_options options = GIT_DIFF_OPTIONS_INIT;
  options.context_lines = 0;  // counts only; context would be computed for nothing
  options.interhunk_lines = 0;
  std::int64_t lines = 0;
  check(git_diff_buffers(x.data(), x.size(), nullptr, y.data(), y.size(), nullptr, &options,
                         nullptr, nullptr, nullptr, count_diff_line, &lines),
        fmt::format("diffing blobs {} and {}", c.old_id, c.new_id));
  return lines;
}

}  // namespace

int Repository::lines_changed(const std::string& id) const {
  CommitInfo commit = read_commit_raw(id);
  return lines_changed_between(
      commit.parent_ids.empty() ? std::string() : commit_tree_id(commit.parent_ids.front()),
      commit.tree_id);
}

int Repository::lines_changed_between(const std::string& old_tree,
                                      const std::string& new_tree) const {
  TreeRef a;
  if (!old_tree.empty())
    a = read_tree(*this, to_oid(old_tree));
  TreeRef b = read_tree(*this, to_oid(new_tree));
  // Without rename detection: a renamed file counts as deleted plus added, as --numstat
  // counts it when renames are off.
  ChangeSet set;
  TreeWalk(*this, set).run(std::move(a), std::move(b));
  std::int64_t total = 0;
  for (const auto& change : set.changes)
    total += lines_of(odb(), change);
  return total > 0x7fffffff ? 0x7fffffff : static_cast<int>(total);
}

}  // namespace trailgate::git
