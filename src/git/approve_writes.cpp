// What `trailgate approve` needs of the work tree and HEAD's branch, and the only writing the
// git layer does: a copy of a commit with new parents and message, and moving HEAD.
#include <fmt/format.h>

#include "git/libgit2.h"
#include "git/repository.h"

namespace trailgate::git {

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
