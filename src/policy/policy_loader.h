// Reading a policy file: TOML in, Policy out, or every error with file:line:column.
//
// Unknown keys are errors, because a typo must never silently weaken a policy. The loader
// reports all problems it finds in one go. It reads only the file it is given; finding which
// file to read is policy_locator.h's job.
//
// Inside, in layers: policy_file.cpp reads the bytes; toml_reader.h is the TOML layer (typed
// getters, unknown keys, positions); policy_builder.h has one loader per section, each in its
// own load_<section>.cpp.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.h"

namespace trailgate {

// One problem in a policy file.
struct PolicyDiagnostic {
  std::string file;
  int line = 0;         // 1-based; 0 when the problem has no position (e.g. unreadable file)
  int column = 0;       // 1-based
  std::string message;  // names the key, e.g. "protect[1].min_level: unknown level \"sr\""
  // Renders "file:line:column: message".
  std::string to_string() const;
};

// Thrown when a policy cannot be used. what() lists every diagnostic, one per line.
class PolicyError : public std::runtime_error {
 public:
  explicit PolicyError(std::vector<PolicyDiagnostic> diagnostics);
  const std::vector<PolicyDiagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<PolicyDiagnostic> diagnostics_;
};

// Parses policy `text`; `source_name` is used in diagnostics and stored in Policy::source.
// Throws PolicyError listing every problem, in file order (line, then column). A TOML syntax
// error is the only diagnostic, since parsing stops there. docs/policy.md gives the rules.
// Roster keys are parsed with ssh::parse_public_key; a key that fails is an error.
Policy parse_policy(std::string_view text, const std::string& source_name);

// Reads the policy file at `path` whole, in one pass, and returns its bytes. Only a regular
// file (after following symbolic links) is read; anything else is refused before it is opened
// and again after (a FIFO or device is never read, and opening never blocks). Throws
// PolicyError (one diagnostic with line 0, "cannot read the policy file: <reason>") when it
// does not exist, is a dangling symbolic link, a directory, FIFO, device or socket, cannot be
// read, or is larger than 4 MiB.
std::string read_policy_file(const std::string& path);

// read_policy_file, then parse_policy. When `bytes` is not null it receives exactly the bytes
// that were parsed (also when parsing throws), so that a caller can record or fingerprint the
// very policy that judged, even while the file is being rewritten.
Policy load_policy_file(const std::string& path, std::string* bytes = nullptr);

// Things in a loaded policy that are allowed but probably not meant, for `trailgate policy
// check` to show: under verification = "signature", each person at or above the lowest
// min_level of any [[protect]] rule or [[protect.author_level]] entry who has no keys (their
// reviews cannot count yet), at the
// person's line; then a baseline.date, which trusts commit dates that the pusher writes (no
// position). Empty when there is nothing to say. Pure: reads only `policy`.
std::vector<PolicyDiagnostic> policy_warnings(const Policy& policy);

}  // namespace trailgate
