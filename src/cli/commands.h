// The subcommands. Each returns an ExitCode (cli.h) and never throws.
#pragma once

#include <string>
#include <vector>

#include "cli/context.h"

namespace trailgate::cli {

// `trailgate pre-receive`: reads <old> <new> <ref> lines on stdin, in git's hook environment.
int run_pre_receive(const GlobalOptions& options);

// `trailgate update <ref> <old> <new>`: the same check for one ref.
int run_update(const GlobalOptions& options, const std::string& ref, const std::string& old_id,
               const std::string& new_id);

struct CheckOptions {
  std::string ref;                  // --ref; empty = the upstream's ref
  std::string format = "text";      // text | json
  std::vector<std::string> ranges;  // A..B or B; empty = @{upstream}..HEAD
};
// `trailgate check`: the hook's verdicts, from the command line.
int run_check(const GlobalOptions& options, const CheckOptions& check);

struct ExplainOptions {
  std::string ref;       // --ref; empty = the upstream's, else refs/heads/main
  std::string rev;       // the commit
  bool payload = false;  // --payload: print exactly the bytes a reviewer signs, nothing else
  std::string reviewer;  // --reviewer EMAIL for --payload; empty = the only Reviewed-by
};
// `trailgate explain [--ref REF] [--payload [--reviewer EMAIL]] REV`: why a commit is or isn't
// AI-assisted and reviewed, or its canonical review payload.
int run_explain(const GlobalOptions& options, const ExplainOptions& explain);

// `trailgate policy check [FILE]`: validates a policy file.
int run_policy_check(const GlobalOptions& options, const std::string& file);

struct ApproveOptions {
  std::string range;  // empty = HEAD; otherwise A..HEAD (or HEAD)
  std::string key;    // --key; empty = git config user.signingKey
  std::string as;     // --as "Name <email>"; empty = user.name and user.email
};
// `trailgate approve [RANGE]`: signs and adds review trailers, rewriting only messages.
int run_approve(const GlobalOptions& options, const ApproveOptions& approve);

struct InstallOptions {
  std::vector<std::string> hooks = {"pre-receive"};  // pre-receive and/or update
  bool dry_run = false;
};
// `trailgate install`: writes the hook into --repo's hooks directory.
int run_install(const GlobalOptions& options, const InstallOptions& install);

}  // namespace trailgate::cli
