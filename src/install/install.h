// Putting trailgate's hook where a Git host runs hooks, and taking it out again, without
// ever destroying someone else's hook.
//
// A target is a set of slots: files that git or a host runs. A slot is one of two kinds.
// - Git runs exactly one file per hook (a repository's hooks/<hook>, or a core.hooksPath
//   directory). A hook that is already there is chained: it is kept, unchanged, beside the
//   slot as <hook>.before-trailgate, and the slot gets the chain runner, which runs trailgate
//   and then the kept hook. Uninstall renames the kept hook back, so it returns byte for byte
//   with its mode, owner and times.
// - The host runs every executable in a directory (GitLab's custom_hooks/<hook>.d/, Gitea's
//   hooks/<hook>.d/): trailgate adds its own file, `trailgate`, and touches nothing else.
// What install did is recorded in the files themselves: the runner names the kept hook, and
// every file trailgate writes carries a marker and a checksum (hook_text.h). Work is planned
// first, then applied, so a refusal anywhere writes nothing.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace trailgate::install {

// The suffix of a hook that install kept when it chained it.
inline constexpr const char* kKeptSuffix = ".before-trailgate";
// trailgate's file name in a directory whose every hook the host runs.
inline constexpr const char* kDropInName = "trailgate";

// Install or uninstall will not go ahead because of what is on disk (a foreign file where
// trailgate's must go, a hand-edited trailgate file, a leftover kept hook). what() says what
// was found and what to do. Nothing has been written when it is thrown.
class Refused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The filesystem refused a read or write that install or uninstall needed. what() names the
// file and gives the system's reason.
class FileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where trailgate's hooks go, and what `dir` names for each.
enum class Layout {
  hooks_dir,      // <dir>/<hook>: dir is a repository's hooks/ or a core.hooksPath directory
  gitlab,         // <dir>/custom_hooks/<hook>.d/trailgate: dir is the repository
  gitea,          // <dir>/hooks/<hook>.d/trailgate: dir is the repository (Gitea or Forgejo)
  pre_receive_d,  // <dir>/trailgate: dir is a pre-receive.d directory (pre-receive only)
  gitolite,       // <dir>/hooks/common/pre-receive: dir is gitolite's LOCAL_CODE (pre-receive
                  // only; gitolite's access control is its own update hook)
};

// One file trailgate manages.
struct Slot {
  std::string hook;  // "pre-receive", "update" or "pre-push": the trailgate subcommand it runs
  std::string path;  // the file
  bool chains;       // git runs exactly this file, so an existing hook there is chained
  // Directories the layout adds (innermost first): install creates them when missing, and
  // uninstall removes them when trailgate's file was the last thing in them.
  std::vector<std::string> own_dirs;
  // A repository (canonical git dir) where the hook does not run trailgate: gitolite-admin
  // under Layout::gitolite unless it is protected too. "" for none.
  std::string skip_git_dir;
};

// The slots for `hooks` ("pre-receive" and/or "update") under `layout` at `dir`. Throws
// std::invalid_argument for an unknown hook, or "update" under Layout::pre_receive_d or
// Layout::gitolite.
std::vector<Slot> slots(Layout layout, const std::string& dir,
                        const std::vector<std::string>& hooks);

// Whether to go ahead over a trailgate file that was edited by hand (its edits are lost).
enum class Force { yes, no };

// One change to one slot.
struct Step {
  enum class Action {
    create,     // write trailgate's file where there was none
    chain,      // keep the existing hook as <path>.before-trailgate, write the chain runner
    update,     // rewrite trailgate's own file (another binary path or trailgate version)
    unchanged,  // trailgate's file is already exactly what install would write
    restore,    // rename <path>.before-trailgate back over trailgate's runner
    remove,     // delete trailgate's file (and own_dirs left empty)
    absent,     // uninstall: trailgate is not installed in this slot
  };
  Action action = Action::absent;
  Slot slot;
  std::string text;             // create, chain, update: the new content
  std::string kept;             // chain, restore: the previous hook's path
  bool discards_edits = false;  // update, restore, remove over a hand-edited file (Force::yes)
};

// What installing trailgate (running `binary`) into `slots` takes. Reads the filesystem,
// writes nothing; throws FileError when it cannot read. Throws Refused when a slot holds a foreign
// file that cannot be chained, a directory, Gitea's runner (that needs Layout::hook_d), a
// hand-edited trailgate file (unless Force::yes), or a kept hook without a runner in front of it.
std::vector<Step> plan_install(const std::vector<Slot>& slots, const std::string& binary,
                               Force force);

// What uninstalling trailgate from `slots` takes: restore what was there or remove
// trailgate's file; Step::Action::absent where trailgate is not installed. Writes nothing.
// Throws Refused for a hand-edited trailgate file (unless Force::yes), or a kept hook whose
// slot no longer holds trailgate's runner.
std::vector<Step> plan_uninstall(const std::vector<Slot>& slots, Force force);

// Carries out `steps` from plan_install or plan_uninstall. A slot never disappears while it
// changes: new files are written beside it and renamed into place, a chained hook is linked
// to its kept name before the runner replaces it, and a restore is a single rename. Throws
// FileError when the filesystem refuses; the steps before the failing one stay done.
void apply(const std::vector<Step>& steps);

// The first MiB of the file at `path`, following links; "" when there is no regular file there
// or it cannot be read.
std::string read_hook(const std::string& path);

// The absolute path of the running trailgate binary.
std::string current_binary();

}  // namespace trailgate::install
