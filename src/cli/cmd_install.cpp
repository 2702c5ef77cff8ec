// `trailgate install`: puts the hook where git or the host runs it, chaining any hook already
// there, and `--uninstall` puts back what was there before. The file work is src/install/;
// this driver picks the target, checks that git or the host will really run what it writes
// there, and reports each step.
#include <fmt/format.h>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/cli.h"
#include "cli/commands.h"
#include "install/hook_text.h"
#include "install/install.h"

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
};

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

// The start of the file at `path`; "" when there is none.
std::string file_head(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text(1 << 16, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

// Installing into a repository's hooks/ only helps when git runs hooks from there.
void check_plain_repository(const git::Repository& repo, const std::string& hooks) {
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
    if (!install::is_gitea_runner(file_head(runner)))
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
      target.note = fmt::format(
          "git runs hooks from {0} only in repositories whose core.hooksPath is {0} (for "
          "every repository of this machine: git config --system core.hooksPath {0}).",
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

}  // namespace

int run_install(const GlobalOptions& options, const InstallOptions& o) {
  try {
    std::vector<std::string> hooks = o.hooks;
    bool implicit_hooks = hooks.empty();
    if (implicit_hooks) {
      hooks = {"pre-receive"};
      if (o.uninstall && o.pre_receive_d.empty())
        hooks.push_back("update");
    }
    Target target = choose_target(options, o, hooks);
    std::vector<install::Slot> slots = install::slots(target.layout, target.dir, hooks);
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
