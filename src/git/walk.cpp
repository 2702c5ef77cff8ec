// Walks over history through libgit2's revwalk: newest first, or oldest first for a range.
#include <fmt/format.h>
#include <sys/stat.h>

#include <set>
#include <unordered_set>

#include "git/libgit2.h"
#include "git/packs.h"
#include "git/repository.h"
#include "model/work_counters.h"

namespace trailgate::git {

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

std::optional<std::vector<std::string>> Repository::tips_reached_by_push(
    const std::vector<std::string>& include, const std::vector<std::string>& exclude,
    std::size_t limit) const {
  if (held_dirs_.empty())
    return std::nullopt;
  const std::shared_ptr<const PackSet> held_packs = PackSet::open_shared(held_dirs_);
  if (held_packs->skipped() > 0)
    return std::nullopt;  // a pack only libgit2 reads: what it holds is not known here
  auto held = [&](const std::string& id) {
    const git_oid oid = to_oid(id);
    PackSet::Location where;
    if (held_packs->find(oid.id, 0, where))
      return true;
    for (const std::string& dir : held_dirs_) {
      struct stat st {};
      if (::stat(fmt::format("{}/{}/{}", dir, id.substr(0, 2), id.substr(2)).c_str(), &st) == 0)
        return true;
    }
    return false;
  };
  const std::unordered_set<std::string> tips(exclude.begin(), exclude.end());
  std::set<std::string> reached;
  std::unordered_set<std::string> seen;
  std::vector<std::string> pending = include;
  std::size_t fresh = 0;
  while (!pending.empty()) {
    std::string id = std::move(pending.back());
    pending.pop_back();
    if (!seen.insert(id).second)
      continue;
    if (tips.count(id)) {
      reached.insert(id);
      continue;
    }
    try {
      if (++fresh > limit || held(id))
        return std::nullopt;
      CommitInfo commit = read_commit_raw(id);
      for (std::string& parent : commit.parent_ids)
        pending.push_back(std::move(parent));
    } catch (const GitError&) {
      return std::nullopt;  // an id or commit the full walk reports
    }
  }
  return std::vector<std::string>(reached.begin(), reached.end());
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

}  // namespace trailgate::git
