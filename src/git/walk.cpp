// Walks over history through libgit2's revwalk: newest first, or oldest first for a range.
#include <fmt/format.h>

#include "git/libgit2.h"
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
