// Putting trailgate's hook into a repository without clobbering anything.
//
// A hook file trailgate did not write is never overwritten: install refuses and says what to
// do. A hook trailgate wrote is replaced in place (so running install twice changes nothing).
// The hook text is hooks/<name> from the source tree with the binary's absolute path filled in.
#pragma once

#include <string>

namespace trailgate::install {

// The marker line that identifies a hook file written by trailgate.
inline constexpr const char* kManagedMarker = "trailgate-managed hook";

enum class DryRun { yes, no };

struct InstallResult {
  std::string hook_path;  // where the hook is (or would be) written
  enum class Action { created, replaced, unchanged } action = Action::created;
  std::string text;  // the hook's content
};

// Returns the hook script for `hook_name` ("pre-receive" or "update") that execs `binary`.
// Throws std::invalid_argument for another hook name.
std::string hook_script(const std::string& hook_name, const std::string& binary);

// Installs hook `hook_name` into `<hooks_dir>/`, execing `binary`. Throws std::runtime_error
// when a hook trailgate did not write is already there, or the file cannot be written. With
// DryRun::yes nothing is written.
InstallResult install_hook(const std::string& hooks_dir, const std::string& hook_name,
                           const std::string& binary, DryRun dry_run);

// The absolute path of the running trailgate binary.
std::string current_binary();

}  // namespace trailgate::install
