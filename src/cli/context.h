// What every subcommand shares: the global options, finding and loading the policy, and
// turning exceptions into messages and exit codes.
#pragma once

#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "detect/markers.h"
#include "git/repository.h"
#include "policy/policy.h"

namespace trailgate::cli {

struct GlobalOptions {
  std::string repo;            // --repo DIR; empty = the hook's environment or "."
  std::string policy;          // --policy FILE; empty = look it up
  std::string color = "auto";  // --color auto|always|never
};

// No policy file was found anywhere. what() lists every place looked, in order.
class NoPolicyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Finds the policy file, first match wins: --policy, $TRAILGATE_POLICY, git config
// trailgate.policy of `repo`, <git dir>/trailgate.toml, /etc/trailgate/policy.toml. An
// explicitly named file (the first three) is returned even if missing, so that loading it
// reports "cannot read" rather than silently falling through. Throws NoPolicyError.
std::string locate_policy(const GlobalOptions& options, const git::Repository* repo);

// A policy with its markers compiled.
struct LoadedPolicy {
  Policy policy;
  detect::MarkerSet markers;
};

// locate_policy, then load_policy_file, then compile its markers. Throws NoPolicyError, or
// PolicyError (a marker pattern RE2 rejects is a policy error too).
LoadedPolicy load_policy(const GlobalOptions& options, const git::Repository* repo);

// The policy when one is found, otherwise the defaults: for commands that need only its review
// settings (approve, explain --payload), which a reviewer's clone rarely holds. Throws
// PolicyError for a policy that is found but malformed.
Policy policy_or_defaults(const GlobalOptions& options, const git::Repository* repo);

// Opens --repo, or the repository containing the current directory.
git::Repository open_repository(const GlobalOptions& options);

// Whether to color output for a stream that is `fd`.
bool use_color(const GlobalOptions& options, int fd);

// Classifies the current exception: writes "trailgate: <prefix>: <what>" (plus details) to
// `out` (stderr by default) and returns the exit code (kUsage for policy/input errors,
// kInternal otherwise).
// REQUIRES: called from a catch block.
int report_exception(const std::string& prefix, std::ostream& out = std::cerr);

}  // namespace trailgate::cli
