// `trailgate install --verify`: following the hook git will actually run to trailgate, and
// saying in words what stands in the way when it does not lead there. Reads the filesystem
// only; which hooks directory git uses (core.hooksPath) and whether the policy loads are the
// caller's to decide.
#pragma once

#include <string>
#include <vector>

namespace trailgate::install {

// What git runs for one hook in one repository.
struct HookTrace {
  bool runs_trailgate = false;  // the hook leads to an executable trailgate binary
  bool left_alone = false;      // trailgate's hook, which skips this repository (gitolite-admin)
  std::string binary;           // the trailgate binary it runs
  // The way from the file git runs to trailgate: "<path> -> <link target>", "trailgate's chain
  // runner, then <kept hook>", for the report.
  std::vector<std::string> route;
  // What is wrong, one sentence each (what was found, what it means, what to do). Empty when
  // the hook is trailgate's, intact, and everything it chains is there.
  std::vector<std::string> problems;
};

// Follows `hook_path`, the file git runs for a hook (<hooks dir>/pre-receive, or a host's
// drop-in file), in the repository whose canonical git dir is `git_dir` ("" when there is
// none). Reports a missing or non-executable hook, dangling links (also of the hook trailgate
// chains), a foreign or hand-edited file where trailgate's was, a kept hook whose runner was
// replaced (as `gitolite setup` does), and a trailgate binary that is gone. Never throws for
// what it finds on disk.
HookTrace trace_hook(const std::string& hook_path, const std::string& git_dir);

}  // namespace trailgate::install
