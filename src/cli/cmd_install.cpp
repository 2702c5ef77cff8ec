// `trailgate install`: puts the hook into a repository without clobbering an existing one.
#include <fmt/format.h>
#include <iostream>

#include "cli/cli.h"
#include "cli/commands.h"
#include "install/install.h"
#include "pipeline/pipeline.h"

namespace trailgate::cli {

int run_install(const GlobalOptions& options, const InstallOptions& install_options) {
  try {
    git::Repository repo = open_repository(options);
    std::string hooks_dir = repo.git_dir() + "hooks";
    if (auto configured = repo.config_string("core.hooksPath"))
      throw InputError(
          fmt::format("this repository sets core.hooksPath = {}; git runs hooks "
                      "from there, not from {}. Install into that directory instead.",
                      *configured, hooks_dir));
    std::string binary = install::current_binary();
    for (const auto& hook : install_options.hooks) {
      install::InstallResult r = install::install_hook(
          hooks_dir, hook, binary,
          install_options.dry_run ? install::DryRun::yes : install::DryRun::no);
      const char* verb = r.action == install::InstallResult::Action::unchanged  ? "unchanged"
                         : r.action == install::InstallResult::Action::replaced ? "replaced"
                                                                                : "created";
      std::cout << fmt::format("{}{}: {} (runs {})\n", install_options.dry_run ? "would be " : "",
                               verb, r.hook_path, binary);
      if (install_options.dry_run)
        std::cout << r.text;
    }
    return kPassed;
  } catch (const std::runtime_error& e) {
    if (dynamic_cast<const git::GitError*>(&e))
      return report_exception("install failed");
    std::cerr << "trailgate: install failed: " << e.what() << "\n";
    return kUsage;
  } catch (...) {
    return report_exception("install failed");
  }
}

}  // namespace trailgate::cli
