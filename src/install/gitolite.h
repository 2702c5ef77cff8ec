// gitolite, as trailgate's installer sees it: where a gitolite site keeps its repositories and
// its own code, which repositories it manages, and asking gitolite to lay out its hooks again.
//
// gitolite (3.x) owns every repository's hooks/: `gitolite setup` and every push to
// gitolite-admin link hooks/update to gitolite's access control and each file of
// $LOCAL_CODE/hooks/common/ into every repository, replacing whatever is there under the same
// name. A site-wide hook that survives that is a file in $LOCAL_CODE/hooks/common/
// (gitolite's documented "site-local" hooks); anything written straight into a repository's
// hooks/ is lost at the next `gitolite setup`. docs/install.md has the admin's side.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace trailgate::install {

// What gitolite's rc says for one site (the hosting user's $HOME).
struct GitoliteSite {
  std::string home;        // the hosting user's home, where .gitolite.rc is
  std::string repo_base;   // GL_REPO_BASE, canonical: where the repositories are
  std::string local_code;  // LOCAL_CODE: site-local code, hooks/common/ among it; "" when unset
  // The canonical git dir of gitolite-admin under repo_base.
  std::string admin_repository() const;
};

// Reads the site at `home` by asking gitolite itself (`gitolite query-rc`, with HOME=home), so
// that the rc's Perl is evaluated as gitolite evaluates it. Throws Refused when `home` has no
// .gitolite.rc or the gitolite command cannot be run; FileError when it cannot be read.
GitoliteSite read_gitolite_site(const std::string& home);

// Runs `gitolite setup --hooks-only` for `site`, which links $LOCAL_CODE/hooks/common/* into
// every repository now rather than at the next setup. Returns "" when it ran, otherwise why not
// (for the admin to run it): it is not run as a user other than the owner of the site's home,
// whose files gitolite must keep owning.
std::string propagate_hooks(const GitoliteSite& site);

// True when `content` is gitolite's update hook (its access control).
bool is_gitolite_update_hook(std::string_view content);

// True when git runs gitolite's update hook in the repository whose git dir is `git_dir`:
// hooks/update leads to gitolite's access control, so gitolite manages the repository's hooks.
bool gitolite_managed(const std::string& git_dir);

// The bare repositories under `dir` (directories named *.git with a HEAD, searched
// recursively, as gitolite lays them out), sorted. Does not follow symbolic links.
std::vector<std::string> repositories_under(const std::string& dir);

}  // namespace trailgate::install
