// The subcommands. Each returns an ExitCode (cli.h) and never throws.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "cli/context.h"

namespace trailgate::cli {

// `trailgate pre-receive`: reads <old> <new> <ref> lines on stdin, in git's hook environment;
// names the pusher from the host's variables, honours or refuses a break-glass push option,
// and appends one line to the decision log (docs/hook.md, docs/decision-log.md).
int run_pre_receive(const GlobalOptions& options);

// `trailgate update <ref> <old> <new>`: the same check for one ref, logged the same way. git
// gives the update hook no push options, so break-glass cannot be claimed through it.
int run_update(const GlobalOptions& options, const std::string& ref, const std::string& old_id,
               const std::string& new_id);

struct CheckOptions {
  // --ref; a short name ("main") is refs/heads/main (docs/ci.md). Empty = the forge's target
  // branch, else the upstream's ref.
  std::string ref;
  std::string format = "text";  // text | json | sarif | github | junit | gitlab
  // A..B or B; empty = --base/--head, else the forge's range, else @{upstream}..HEAD. With
  // --pre-push: git's pre-push hook arguments, <remote name> [<remote URL>].
  std::vector<std::string> ranges;
  std::string base;        // --base REV: what the target ref already has (the range's A)
  std::string head;        // --head REV: the change under check (the range's B); default HEAD
  std::string policy_rev;  // --policy-rev REV[:PATH]: read the policy from a commit's file
  bool pre_push = false;   // --pre-push: read git's pre-push hook lines on stdin
};
// `trailgate check`: the hook's verdicts, from the command line, before pushing (--pre-push) or
// in CI (docs/ci.md).
int run_check(const GlobalOptions& options, const CheckOptions& check);

// What a forge's (or the pre-commit framework's) environment says about the change under check:
// the target ref, and the range. Fields the environment does not give are empty.
struct ForgeRange {
  std::string forge;   // "pre-commit", "GitLab", "GitHub"; "" when no forge's variables are set
  std::string origin;  // which variables said so, for people
  std::string ref;     // the target branch or ref, as the forge names it ("main", "refs/heads/x")
  std::string base;    // a revision the target already has; "" = none (a new branch)
  std::string head;    // the change's tip
};
// Reads the forge's variables through `getenv` (docs/ci.md, "Defaults from the environment"),
// first match wins: the pre-commit framework (PRE_COMMIT_REMOTE_BRANCH, PRE_COMMIT_FROM_REF,
// PRE_COMMIT_TO_REF), GitLab merge request pipelines (CI_MERGE_REQUEST_TARGET_BRANCH_NAME,
// CI_MERGE_REQUEST_DIFF_BASE_SHA, CI_MERGE_REQUEST_SOURCE_BRANCH_SHA else CI_COMMIT_SHA), GitHub
// Actions (GITHUB_EVENT_PATH's pull_request.base.sha and head.sha, or a push event's before and
// after; GITHUB_BASE_REF). Throws InputError when GITHUB_EVENT_PATH is set but cannot be read
// as JSON.
ForgeRange forge_range_from_env(const std::function<const char*(const char*)>& getenv);

struct ExplainOptions {
  std::string ref;       // --ref; empty = the upstream's, else refs/heads/main
  std::string rev;       // the commit
  bool payload = false;  // --payload: print exactly the bytes a reviewer signs, nothing else
  std::string reviewer;  // --reviewer EMAIL for --payload; empty = the only Reviewed-by
};
// `trailgate explain [--ref REF] [--payload [--reviewer EMAIL]] REV`: why a commit is or isn't
// AI-assisted and reviewed, or its canonical review payload.
int run_explain(const GlobalOptions& options, const ExplainOptions& explain);

struct AuditOptions {
  std::vector<std::string> revisions;  // empty = the policy's protected refs (or HEAD)
  std::string ref;                     // --ref: whose rule judges the revisions
  std::string since;                   // --since YYYY-MM-DD (UTC, inclusive); "" = no bound
  std::string until;                   // --until YYYY-MM-DD (UTC, the whole day); "" = no bound
  std::string format = "text";         // text | json | jsonl | csv | md | html
  std::string output;                  // -o FILE; "" = stdout
  bool fail_on_violations = false;     // exit 1 when any commit is a violation
  bool stats = false;                  // --stats: cache hits and judged commits on stderr
  bool no_cache = false;               // --no-cache: neither read nor write the cache
  unsigned threads = 0;                // --threads; 0 = one per core
};
// `trailgate audit [REVISION...]`: judges history like the hook and reports; exit 0 unless
// --fail-on-violations finds one (then 1); 2 on usage or policy errors, 3 on git errors.
int run_audit(const GlobalOptions& options, const AuditOptions& audit);

// `trailgate policy check [FILE]`: validates a policy file.
int run_policy_check(const GlobalOptions& options, const std::string& file);

struct ApproveOptions {
  std::string range;   // empty = HEAD; otherwise A..HEAD (or HEAD)
  std::string key;     // --key; empty = git config user.signingKey
  std::string as;      // --as "Name <email>"; empty = user.name and user.email
  bool note = false;   // --note: append approvals to refs/notes/trailgate, rewrite nothing
  std::string ref;     // --ref: the ref whose rule judges the review; empty = the upstream's,
                       // else refs/heads/main
  bool force = false;  // --force: sign even when the policy says the review will not count
};
// `trailgate approve [RANGE]`: signs and adds review trailers, rewriting only messages; with
// --note, stores the signed approvals as git notes instead (review/note_approval.h). With a
// policy found, first refuses (exit 1, nothing changed) a review the policy would not count on
// the target ref, unless --force.
int run_approve(const GlobalOptions& options, const ApproveOptions& approve);

struct InstallOptions {
  // --hook: pre-receive and/or update. Empty = pre-receive; with --uninstall, every hook
  // trailgate installed at the target.
  std::vector<std::string> hooks;
  std::string hooks_dir;        // --hooks-dir DIR: a core.hooksPath directory, not --repo's hooks/
  std::string pre_receive_d;    // --pre-receive-d DIR: a pre-receive.d directory the host runs
  bool gitlab = false;          // --gitlab: --repo's custom_hooks/<hook>.d/
  bool gitea = false;           // --gitea, --forgejo: --repo's hooks/<hook>.d/
  bool gitolite = false;        // --gitolite: the site's $LOCAL_CODE/hooks/common/pre-receive
  std::string gitolite_home;    // --gitolite-home DIR: the site's home; empty = $HOME
  bool gitolite_admin = false;  // --gitolite-admin: judge pushes to gitolite-admin too
  bool pre_push = false;        // --pre-push: git's pre-push hook in --repo (a developer's clone)
  bool verify = false;          // --verify: check that git runs trailgate, change nothing
  std::string under;            // --under DIR: --verify every bare repository under DIR
  bool uninstall = false;       // --uninstall: put back what was there before
  bool force = false;           // --force: go ahead over a trailgate file edited by hand
  bool dry_run = false;         // --dry-run: print what would be done, change nothing
};
// `trailgate install`: puts the hook where git or the host runs it, chaining an existing
// hook; with --uninstall, takes it out and restores what was there; with --verify, checks
// for each repository of the target that the hook git runs leads to trailgate with a policy
// that loads, exiting 1 when one does not (docs/install.md).
int run_install(const GlobalOptions& options, const InstallOptions& install);

}  // namespace trailgate::cli
