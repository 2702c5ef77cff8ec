// `trailgate install`: puts the hook where git or the host runs it, chaining any hook already
// there, and `--uninstall` puts back what was there before. The file work is src/install/;
// this driver picks the target, checks that git or the host will really run what it writes
// there, and reports each step.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>

#include "cli/cli.h"
#include "cli/commands.h"
#include "git/error.h"
#include "install/gitolite.h"
#include "install/hook_text.h"
#include "install/install.h"
#include "install/verify.h"
#include "policy/policy_loader.h"

namespace trailgate::cli {

namespace {

namespace fs = std::filesystem;

// A target option names something that does not fit: the message says what to do.
class TargetError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Target {
  install::Layout layout = install::Layout::hooks_dir;
  std::string dir;
  std::string note;  // printed after an install that created or chained something
  std::optional<install::GitoliteSite> gitolite;
  std::string skip_git_dir;  // the repository the hook leaves alone (gitolite-admin)
};

// The message for a target that gitolite would undo or that would switch gitolite off.
std::string use_gitolite_target(const std::string& what) {
  return fmt::format(
      "{} is managed by gitolite: `gitolite setup` and every push to gitolite-admin put "
      "gitolite's own links back into its hooks/, dropping what install wrote there, and "
      "gitolite's access control is its update hook. Install with --gitolite (site-wide, from "
      "gitolite's LOCAL_CODE/hooks/common); see docs/install.md.",
      what);
}

// The gitolite site named by --gitolite-home (or $HOME).
install::GitoliteSite gitolite_site(const InstallOptions& o) {
  std::string home = o.gitolite_home;
  if (home.empty()) {
    const char* env = std::getenv("HOME");
    home = env ? env : "";
  }
  if (home.empty())
    throw TargetError("--gitolite: no --gitolite-home given and HOME is not set");
  return install::read_gitolite_site(fs::absolute(home).lexically_normal().string());
}

Target gitolite_target(const GlobalOptions& options, const InstallOptions& o) {
  if (!options.repo.empty())
    throw TargetError(
        "--gitolite installs for every repository of the site; --repo names one. Give only "
        "--gitolite (and --gitolite-home).");
  Target target;
  target.gitolite = gitolite_site(o);
  const install::GitoliteSite& site = *target.gitolite;
  if (site.local_code.empty())
    throw TargetError(fmt::format(
        "gitolite's rc ({}/.gitolite.rc) does not set LOCAL_CODE, and gitolite runs site-wide "
        "hooks only from $LOCAL_CODE/hooks/common/. Enable the rc's own line\n"
        "    LOCAL_CODE => \"$ENV{{HOME}}/local\",\n"
        "(outside gitolite-admin, so that pushing to gitolite-admin cannot replace the hook) and "
        "run install again.",
        site.home));
  target.layout = install::Layout::gitolite;
  target.dir = site.local_code;
  if (!o.gitolite_admin)
    target.skip_git_dir = site.admin_repository();
  return target;
}

// `dir` made absolute; it must exist and be a directory.
std::string existing_directory(const std::string& option, const std::string& dir) {
  fs::path path = fs::absolute(dir).lexically_normal();
  std::error_code ec;
  if (!fs::is_directory(path, ec))
    throw TargetError(fmt::format(
        "{} {}: no such directory. Create it first if that is where your hooks are run from.",
        option, path.string()));
  std::string out = path.string();
  if (out.size() > 1 && out.back() == '/')
    out.pop_back();
  return out;
}

// Installing into a repository's hooks/ only helps when git runs hooks from there.
void check_plain_repository(const git::Repository& repo, const std::string& hooks) {
  if (install::gitolite_managed(repo.git_dir()))
    throw TargetError(use_gitolite_target(repo.git_dir()));
  if (auto configured = repo.config_string("core.hooksPath"))
    throw TargetError(fmt::format(
        "this repository sets core.hooksPath = {}; git runs hooks from there, not from {}. "
        "Install with --hooks-dir {} instead.",
        *configured, hooks, *configured));
  if (auto fullpath = repo.config_string("gitlab.fullpath"))
    throw TargetError(fmt::format(
        "this is a GitLab repository ({}); GitLab runs server hooks from custom_hooks/, not from "
        "hooks/. Install with --gitlab.",
        *fullpath));
  std::error_code ec;
  if (fs::is_symlink(hooks, ec)) {
    fs::path shared = fs::canonical(hooks, ec);
    if (ec)
      shared = fs::read_symlink(hooks, ec);
    throw TargetError(
        fmt::format("{} is a symbolic link to {}, which other repositories may share. Install with "
                    "--hooks-dir {} to change that directory deliberately.",
                    hooks, shared.string(), shared.string()));
  }
}

// --gitea adds trailgate to hooks/<hook>.d/, which only Gitea's generated runner runs.
void check_gitea_repository(const git::Repository& repo, const std::string& git_dir,
                            const std::vector<std::string>& hooks) {
  if (auto configured = repo.config_string("core.hooksPath"))
    throw TargetError(fmt::format(
        "this repository sets core.hooksPath = {}; git does not run Gitea's hooks in {}hooks/.",
        *configured, git_dir));
  for (const auto& hook : hooks) {
    std::string runner = git_dir + "hooks/" + hook;
    if (!install::is_gitea_runner(install::read_hook(runner)))
      throw TargetError(fmt::format(
          "{} is not Gitea's hook runner, so nothing would run trailgate from {}.d/. Is this a "
          "Gitea or Forgejo repository? (Gitea's admin panel can resynchronize its hooks.) "
          "Without --gitea, install chains whatever hook is there.",
          runner, runner));
  }
}

Target choose_target(const GlobalOptions& options, const InstallOptions& o,
                     const std::vector<std::string>& hooks) {
  Target target;
  if (!o.hooks_dir.empty() || !o.pre_receive_d.empty()) {
    if (!options.repo.empty())
      throw TargetError(
          "--repo and --hooks-dir/--pre-receive-d name different places; give only one");
    if (!o.hooks_dir.empty()) {
      target.dir = existing_directory("--hooks-dir", o.hooks_dir);
      if (install::is_gitolite_update_hook(install::read_hook(target.dir + "/update")))
        throw TargetError(use_gitolite_target(target.dir));
      target.note = fmt::format(
          "git runs hooks from {0} only in repositories whose core.hooksPath is {0} (git config "
          "core.hooksPath {0}, in each). A host that keeps its own hooks in each repository "
          "(gitolite's access control is one) loses them where core.hooksPath is set: never set "
          "it system-wide there; see docs/install.md.",
          target.dir);
    } else {
      target.layout = install::Layout::pre_receive_d;
      target.dir = existing_directory("--pre-receive-d", o.pre_receive_d);
      // A host runs <its hooks dir>/pre-receive.d/*; trailgate anywhere else would never run.
      if (fs::path(target.dir).filename() != "pre-receive.d")
        throw TargetError(fmt::format(
            "--pre-receive-d {}: that is not a pre-receive.d directory, so no host would run "
            "trailgate from it. Give the pre-receive.d directory itself.",
            target.dir));
    }
    return target;
  }
  if (o.gitolite)
    return gitolite_target(options, o);
  git::Repository repo = open_repository(options);
  std::string git_dir = repo.git_dir();
  if (o.gitlab) {
    target.layout = install::Layout::gitlab;
    target.dir = git_dir;
  } else if (o.gitea) {
    if (!o.uninstall)
      check_gitea_repository(repo, git_dir, hooks);
    target.layout = install::Layout::gitea;
    target.dir = git_dir;
  } else {
    target.dir = git_dir + "hooks";
    if (!o.uninstall)
      check_plain_repository(repo, target.dir);
  }
  return target;
}

std::string describe(const install::Step& step, const std::string& binary, bool dry_run) {
  using Action = install::Step::Action;
  const std::string& path = step.slot.path;
  std::string edits = step.discards_edits ? ", discarding the edits made by hand" : "";
  std::string would = dry_run ? "would be " : "";
  switch (step.action) {
    case Action::create:
      return fmt::format("{}created: {} (runs {})", would, path, binary);
    case Action::chain:
      return fmt::format(
          "{}chained: {} runs {}, then the hook that was there, kept unchanged as {}", would, path,
          binary, step.kept);
    case Action::update:
      return fmt::format("{}updated: {} (runs {}{})", would, path, binary, edits);
    case Action::unchanged:
      return fmt::format("unchanged: {}", path);
    case Action::restore:
      return fmt::format("{}restored: {}, the hook that was there before trailgate (from {}{})",
                         would, path, step.kept, edits);
    case Action::remove:
      return fmt::format("{}removed: {}{}", would, path, edits);
    case Action::absent:
      return fmt::format("not installed: {}", path);
  }
  return {};
}

// The file git runs as `hook` in the repository at `git_dir`, for the target's layout.
std::string hook_git_runs(const git::Repository& repo, const InstallOptions& o,
                          const std::string& hook) {
  fs::path git_dir(repo.git_dir());
  if (o.gitlab)
    return (git_dir / "custom_hooks" / (hook + ".d") / install::kDropInName).string();
  if (o.gitea)
    return (git_dir / "hooks" / (hook + ".d") / install::kDropInName).string();
  fs::path hooks = git_dir / "hooks";
  if (auto configured = repo.config_string("core.hooksPath")) {
    // Like git: a relative core.hooksPath is relative to where hooks run, the git dir of a bare
    // repository.
    hooks = fs::path(*configured).is_absolute() ? fs::path(*configured) : git_dir / *configured;
  }
  return (hooks / hook).lexically_normal().string();
}

// Checks one repository; prints its verdict and returns whether it is protected.
bool verify_repository(const GlobalOptions& options, const InstallOptions& o,
                       const std::string& path, const std::optional<install::GitoliteSite>& site) {
  std::vector<std::string> problems;
  std::vector<std::string> route;
  bool left_alone = false;
  std::string policy_said;
  std::string shown = path;
  try {
    git::Repository repo = git::Repository::discover(path);
    std::error_code ec;
    fs::path canonical = fs::canonical(repo.git_dir(), ec);
    std::string git_dir = ec ? repo.git_dir() : canonical.string();
    shown = git_dir;
    std::vector<std::string> hooks =
        o.hooks.empty() ? std::vector<std::string>{"pre-receive"} : o.hooks;
    for (const auto& hook : hooks) {
      std::string file = hook_git_runs(repo, o, hook);
      install::HookTrace trace = install::trace_hook(file, git_dir);
      route.insert(route.end(), trace.route.begin(), trace.route.end());
      problems.insert(problems.end(), trace.problems.begin(), trace.problems.end());
      left_alone = left_alone || trace.left_alone;
      if (auto configured = repo.config_string("core.hooksPath");
          configured && !trace.runs_trailgate)
        problems.push_back(fmt::format(
            "core.hooksPath = {} is set for this repository, so git runs hooks from there and "
            "not from {}hooks/.",
            *configured, repo.git_dir()));
    }
    const bool gitolite_update_hook = install::gitolite_managed(git_dir);
    if (gitolite_update_hook || site) {
      if (!gitolite_update_hook)
        problems.push_back(
            "hooks/update is not gitolite's access control any more: gitolite's own rules are not "
            "enforced here. Run gitolite setup --hooks-only.");
      std::string pre_receive = (fs::path(git_dir) / "hooks" / "pre-receive").string();
      std::string target = fs::read_symlink(pre_receive, ec).string();
      if (problems.empty() && (ec || target.find("/hooks/common/") == std::string::npos))
        problems.push_back(fmt::format(
            "{} is not gitolite's link to the site-wide hook, so the next `gitolite setup` "
            "replaces it and trailgate with it. {}",
            pre_receive, use_gitolite_target("this repository")));
    }
    if (problems.empty() && !left_alone) {
      try {
        PolicySeen seen;
        load_policy(options, &repo, &seen);
        policy_said = fmt::format("policy {} sha256:{}", seen.path, seen.sha256);
      } catch (const NoPolicyError& e) {
        std::string what = e.what();
        for (std::size_t at = what.find('\n'); at != std::string::npos;
             at = what.find('\n', at + 1))
          what.insert(at + 1, "    ");
        problems.push_back(fmt::format(
            "trailgate runs but finds no policy, so it rejects every push here: {}", what));
      } catch (const PolicyError& e) {
        std::string what = "the policy does not load, so trailgate rejects every push here:";
        for (const auto& d : e.diagnostics())
          what += "\n      " + d.to_string();
        problems.push_back(what);
      }
    }
  } catch (const git::GitError& e) {
    problems.push_back(fmt::format("not a repository trailgate can open: {}", e.what()));
  }
  if (!problems.empty()) {
    std::cout << fmt::format("NOT PROTECTED: {}\n", shown);
    for (const auto& p : problems)
      std::cout << "  - " << p << "\n";
    for (const auto& step : route)
      std::cout << "    " << step << "\n";
    return false;
  }
  if (left_alone)
    std::cout << fmt::format(
        "left to gitolite: {} (trailgate's hook skips gitolite-admin; install --gitolite "
        "--gitolite-admin to judge it too)\n",
        shown);
  else
    std::cout << fmt::format("protected: {}: {}; {}\n", shown, fmt::join(route, ", "), policy_said);
  return true;
}

int run_verify(const GlobalOptions& options, const InstallOptions& o) {
  try {
    if (!o.hooks_dir.empty() || !o.pre_receive_d.empty())
      throw TargetError(
          "--verify checks repositories: give --repo, --under DIR or --gitolite (a hooks "
          "directory protects nothing until a repository's git runs it)");
    std::optional<install::GitoliteSite> site;
    std::vector<std::string> repositories;
    if (o.gitolite) {
      site = gitolite_site(o);
      repositories = install::repositories_under(site->repo_base);
    } else if (!o.under.empty()) {
      repositories = install::repositories_under(existing_directory("--under", o.under));
    } else {
      repositories.push_back(options.repo.empty() ? "." : options.repo);
    }
    if (repositories.empty())
      throw TargetError("no repositories found to verify");
    int unprotected = 0;
    for (const auto& path : repositories)
      unprotected += verify_repository(options, o, path, site) ? 0 : 1;
    std::cout << fmt::format("{} of {} repositories protected\n",
                             repositories.size() - static_cast<std::size_t>(unprotected),
                             repositories.size());
    return unprotected == 0 ? kPassed : kViolations;
  } catch (const install::Refused& e) {
    std::cerr << "trailgate: install --verify: " << e.what() << "\n";
    return kUsage;
  } catch (const TargetError& e) {
    std::cerr << "trailgate: install --verify: " << e.what() << "\n";
    return kUsage;
  } catch (...) {
    return report_exception("install --verify failed");
  }
}

}  // namespace

int run_install(const GlobalOptions& options, const InstallOptions& o) {
  if (o.verify)
    return run_verify(options, o);
  try {
    std::vector<std::string> hooks = o.hooks;
    if (o.pre_push)
      hooks = {"pre-push"};
    bool implicit_hooks = hooks.empty();
    if (implicit_hooks) {
      hooks = {"pre-receive"};
      if (o.uninstall && o.pre_receive_d.empty())
        hooks.push_back("update");
    }
    Target target = choose_target(options, o, hooks);
    std::vector<install::Slot> slots = install::slots(target.layout, target.dir, hooks);
    for (auto& slot : slots)
      slot.skip_git_dir = target.skip_git_dir;
    install::Force force = o.force ? install::Force::yes : install::Force::no;
    std::string binary = install::current_binary();
    std::vector<install::Step> steps = o.uninstall ? install::plan_uninstall(slots, force)
                                                   : install::plan_install(slots, binary, force);

    bool all_absent = true;
    bool wrote_new = false;
    for (const auto& step : steps) {
      all_absent = all_absent && step.action == install::Step::Action::absent;
      wrote_new = wrote_new || step.action == install::Step::Action::create ||
                  step.action == install::Step::Action::chain;
    }
    for (const auto& step : steps) {
      if (!o.dry_run)
        install::apply({step});
      // Uninstall looks for both hooks unless told which; one never installed is not news.
      if (step.action == install::Step::Action::absent && implicit_hooks && !all_absent)
        continue;
      std::cout << describe(step, binary, o.dry_run) << "\n";
      if (o.dry_run && !step.text.empty() && step.action != install::Step::Action::unchanged)
        std::cout << step.text;
    }
    if (o.uninstall && all_absent)
      std::cout << "trailgate is not installed there; nothing to do.\n";
    if (wrote_new && !target.note.empty())
      std::cout << "note: " << target.note << "\n";
    if (target.gitolite && !o.dry_run) {
      // Repositories pick up $LOCAL_CODE/hooks/common/* at gitolite's next setup; now is better.
      std::string why_not = install::propagate_hooks(*target.gitolite);
      if (why_not.empty())
        std::cout << "gitolite: every repository runs the site-wide hooks now (ran gitolite "
                     "setup --hooks-only)\n";
      else
        std::cout << "gitolite: " << why_not << "\n";
      if (!target.skip_git_dir.empty() && !o.uninstall)
        std::cout << fmt::format(
            "gitolite: pushes to {} are left to gitolite (--gitolite-admin to judge them too)\n",
            target.skip_git_dir);
    }
    return kPassed;
  } catch (const install::Refused& e) {
    std::cerr << "trailgate: install: " << e.what() << "\n";
    return kUsage;
  } catch (const TargetError& e) {
    std::cerr << "trailgate: install: " << e.what() << "\n";
    return kUsage;
  } catch (const std::invalid_argument& e) {
    std::cerr << "trailgate: install: " << e.what() << "\n";
    return kUsage;
  } catch (const install::FileError& e) {
    std::cerr << "trailgate: install: " << e.what() << "\n";
    return kInternal;
  } catch (...) {
    return report_exception("install failed");
  }
}

}  // namespace trailgate::cli
