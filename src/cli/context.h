// What every subcommand shares: the global options, finding and loading the policy, and
// turning exceptions into messages and exit codes.
#pragma once

#include <exception>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
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

// Finds the policy file, first match wins: --policy, $TRAILGATE_POLICY, `trailgate.policy` in
// the repository's own git config file (never ~/.gitconfig, /etc/gitconfig or config from the
// environment: Repository::local_config_string), <git dir>/trailgate.toml,
// /etc/trailgate/policy.toml. A place counts when anything is there: a dangling symbolic link,
// a directory, a FIFO or a device is chosen like a file, so that loading it reports why it
// cannot be read instead of the lookup silently falling through to a place further down. An
// explicitly named file (the first three) is returned even if missing, for the same reason.
// Throws NoPolicyError when none of the places has anything.
std::string locate_policy(const GlobalOptions& options, const git::Repository* repo);

// Which policy a run used, as far as it got, for the hook to name in every message.
struct PolicySeen {
  std::string path;    // the file chosen; empty when none was found
  std::string sha256;  // SHA-256 of the bytes read from it; empty when it could not be read
};

// The line naming the policy: "trailgate: policy <path> sha256:<64 hex digits>\n", or
// "trailgate: policy <path> (could not be read)\n", or "" when no file was chosen. The path is
// sanitized (control characters escaped), so the line is always one line.
std::string policy_line(const PolicySeen& seen);

// A policy with its markers compiled.
struct LoadedPolicy {
  Policy policy;
  detect::MarkerSet markers;
  std::string bytes;   // exactly the bytes that were parsed: the file is read once
  std::string sha256;  // SHA-256 of `bytes`, 64 lowercase hex digits
};

// locate_policy, then load_policy_file (one read of the file), then compile its markers.
// Everything that depends on the policy's content (verdicts, the decision log's digest, the
// audit cache's fingerprint) must use this one snapshot, never read the file again. Throws
// NoPolicyError, or PolicyError (a marker pattern RE2 rejects is a policy error too).
// When `seen` is not null it receives the path as soon as it is chosen and the digest as soon as
// the file is read, so that a run that fails later (a policy with errors) can still name both.
LoadedPolicy load_policy(const GlobalOptions& options, const git::Repository* repo,
                         PolicySeen* seen = nullptr);

// The policy when one is found, otherwise the defaults: for commands that need only its review
// settings (approve, explain --payload), which a reviewer's clone rarely holds. Throws
// PolicyError for a policy that is found but malformed.
Policy policy_or_defaults(const GlobalOptions& options, const git::Repository* repo);

// The commits the repository's decision log says break-glass let in (an empty set when it has
// no log), for the commands that describe history as it stands (check, explain, audit). Lines
// that cannot be read are skipped and counted in a warning on stderr naming `command`.
// Throws host::DecisionLogError when the log exists but cannot be read.
std::unordered_set<std::string> logged_break_glass(const git::Repository& repo,
                                                   const Policy& policy, std::string_view command);

// Opens --repo, or the repository containing the current directory.
git::Repository open_repository(const GlobalOptions& options);

// Whether to color output for a stream that is `fd`.
bool use_color(const GlobalOptions& options, int fd);

// SHA-256 of `bytes` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view bytes);

// Thrown when standard output is a pipe or socket whose reader has gone (`trailgate audit |
// head -1`): the command stops, and report_exception prints nothing for it, since the reader
// chose to stop reading (docs/hook.md, "Output whose reader has gone").
class ReaderGone : public std::runtime_error {
 public:
  ReaderGone() : std::runtime_error("the reader of standard output has gone") {}
};

// True when `fd` is a pipe or socket whose reader has gone, so that writing to it fails with
// EPIPE. Never blocks.
bool reader_gone(int fd);

// Writes `text` to standard output whole, after whatever std::cout holds. Returns false when
// it could not; the first such error is kept for stdout_error().
bool write_stdout(std::string_view text);

// The errno of the first write_stdout that failed, or 0.
int stdout_error();

// Classifies the current exception: writes "trailgate: <prefix>: <what>" (plus details) to
// `out` (stderr by default) and returns the exit code (kUsage for policy/input errors,
// kInternal otherwise). ReaderGone prints nothing and returns kInternal.
// REQUIRES: called from a catch block.
int report_exception(const std::string& prefix, std::ostream& out = std::cerr);

}  // namespace trailgate::cli
