#include "cli/cli.h"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <utility>

#include "cli/command_line.h"
#include "cli/commands.h"
#include "version.h"

namespace trailgate::cli {

namespace {

// SIGTERM's handler: one message, then the default action. Only async-signal-safe calls.
extern "C" void say_terminated(int signal) {
  static const char kMessage[] =
      "trailgate: stopped by SIGTERM before finishing (a host's hook timeout?); nothing was "
      "decided, and a push is rejected\n";
  (void)!::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
  ::raise(signal);  // delivered, at its default action, when this handler returns
}

// Makes the process safe to run under any parent, before anything else runs:
// - descriptors 0, 1 and 2 are open (on /dev/null when the parent closed them, as `2>&-`
//   does), so that no file trailgate opens, the decision log above all, can become "stderr"
//   and receive its messages;
// - SIGPIPE is ignored: a hook whose stderr reader has gone still reaches its verdict and
//   logs it, and a write to a dead pipe fails with EPIPE instead of killing the process;
// - SIGXFSZ is ignored: a write past the file size limit (ulimit -f) fails with EFBIG, which
//   the decision log reports like a full disk, instead of killing the hook.
// - SIGTERM (what a host's hook timeout sends first) still ends the process, but after saying
//   so on stderr, which git relays to the pusher; git then rejects the push as before.
// Children (ssh-keygen) get every one of these signals back at its default.
void prepare_process() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF)
      continue;
    int null = ::open("/dev/null", O_RDWR);
    if (null >= 0 && null != fd) {
      ::dup2(null, fd);
      ::close(null);
    }
  }
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGXFSZ, SIG_IGN);
  struct sigaction on_term {};
  on_term.sa_handler = say_terminated;
  on_term.sa_flags = SA_RESETHAND;  // the raise() below then ends the process
  sigemptyset(&on_term.sa_mask);
  ::sigaction(SIGTERM, &on_term, nullptr);
}

// Flushes standard output and turns a failure into the exit code: when the reader has gone
// (`trailgate check | head -c1`), quietly `code`, the status already decided; any other
// failure (a full disk) is an error with a message.
int finish_stdout(int code) {
  std::cout.flush();
  errno = 0;
  const bool failed =
      std::fflush(stdout) != 0 || std::ferror(stdout) || !std::cout || stdout_error() != 0;
  const int error = stdout_error() != 0 ? stdout_error() : errno;
  if (!failed || reader_gone(STDOUT_FILENO))
    return code;
  std::cerr << fmt::format("trailgate: cannot write to standard output: {}\n",
                           error != 0 ? std::strerror(error) : "write error");
  return kInternal;
}

int dispatch(int argc, char** argv);

}  // namespace

int run(int argc, char** argv) {
  prepare_process();
  return finish_stdout(dispatch(argc, argv));
}

CommandLine parse_command_line(int argc, const char* const* argv, std::ostream& out,
                               std::ostream& err) {
  CommandLine line;
  CLI::App app{
      "trailgate: verifies that AI-assisted commits carry a senior's review before they "
      "enter protected refs.",
      "trailgate"};
  app.set_version_flag("--version", fmt::format("trailgate {} (git {})", kVersion, kGitRevision));
  app.require_subcommand(1);
  app.fallthrough();

  app.add_option("--repo", line.global.repo,
                 "Repository to work on (default: the hook's or the "
                 "current directory's)");
  app.add_option("--policy", line.global.policy,
                 "Policy file (default: looked up, see docs/policy.md)");
  app.add_option("--color", line.global.color, "Color output: auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));

  // The table of commands: each is a thin driver in cmd_*.cpp.
  auto* pre_receive = app.add_subcommand(
      "pre-receive", "Hook mode: read <old> <new> <ref> lines on stdin; exit 0 accepts the push");

  auto* update = app.add_subcommand("update", "Hook mode for one ref: update <ref> <old> <new>");
  update->add_option("ref", line.update_ref, "Ref being updated")->required();
  update->add_option("old", line.update_old, "Old object id")->required();
  update->add_option("new", line.update_new, "New object id")->required();

  auto* check = app.add_subcommand(
      "check", "Check commits as if pushed to a ref (default: @{upstream}..HEAD to the upstream)");
  check->add_option("--ref", line.check.ref,
                    "Ref whose rules apply; a short name is a branch (default: the forge's "
                    "target branch, else the upstream's)");
  check
      ->add_option("--format", line.check.format,
                   "Output format: text, json, sarif, github, junit or gitlab")
      ->check(CLI::IsMember({"text", "json", "sarif", "github", "junit", "gitlab"}));
  check->add_option("--base", line.check.base,
                    "What the ref already has: judge --base..--head (default: the forge's)");
  check->add_option("--head", line.check.head,
                    "The change's tip (default: the forge's, else HEAD)");
  check
      ->add_option("--policy-rev", line.check.policy_rev,
                   "Read the policy from a commit, REV[:PATH] (PATH default .trailgate.toml), "
                   "never from the work tree")
      ->type_name("REV[:PATH]");
  check->add_flag("--pre-push", line.check.pre_push,
                  "Read git's pre-push hook input on stdin and judge each pushed ref; the "
                  "positional arguments are then the hook's <remote name> [<URL>]");
  check->add_option("range", line.check.ranges, "Revision ranges, A..B or B");
  check->footer("See docs/ci.md for CI use: the environment defaults, formats and exit codes.");

  auto* pre_push = app.add_subcommand(
      "pre-push",
      "git's pre-push hook in a clone: check what `git push` sends as the server would (check "
      "--pre-push, with the policy read from the remote's default branch)");
  pre_push->add_option("remote", line.check.ranges, "The hook's <remote name> [<URL>]")->required();
  pre_push
      ->add_option("--policy-rev", line.check.policy_rev,
                   "Read the policy from REV[:PATH] (default: refs/remotes/<remote>/HEAD:"
                   ".trailgate.toml, unless --policy is given)")
      ->type_name("REV[:PATH]");

  auto* explain = app.add_subcommand(
      "explain", "Show why a commit is or isn't AI-assisted and reviewed, or its review payload");
  explain->add_option("--ref", line.explain.ref, "Ref whose rules apply (default: the upstream's)");
  explain->add_flag("--payload", line.explain.payload,
                    "Print exactly the bytes a reviewer signs for this commit");
  explain->add_option("--reviewer", line.explain.reviewer,
                      "Reviewer email for --payload (default: the only Reviewed-by)");
  explain->add_option("rev", line.explain.rev, "The commit")->required();

  auto* approve = app.add_subcommand(
      "approve", "Sign a review of HEAD (or A..HEAD) and add Reviewed-by and Review-Signature");
  approve->add_option("range", line.approve.range,
                      "HEAD (default) or A..HEAD; with --note, any commit or range A..B");
  approve->add_option("--key", line.approve.key,
                      "SSH key to sign with (default: git config user.signingKey)");
  approve->add_option("--as", line.approve.as,
                      "Reviewer \"Name <email>\" (default: user.name and user.email)");
  approve->add_flag("--note", line.approve.note,
                    "Store the approvals as notes under refs/notes/trailgate instead of "
                    "rewriting commits (for history already on a protected ref)");
  approve->add_option("--ref", line.approve.ref,
                      "Ref whose rule judges the review (default: the upstream's, else "
                      "refs/heads/main)");
  approve->add_flag("--force", line.approve.force,
                    "Sign even when the policy says the review will not count");

  auto* audit = app.add_subcommand(
      "audit", "Judge history like the hook and report (default: the protected refs)");
  audit->add_option("revision", line.audit.revisions,
                    "Commits to scan with their history (default: every protected ref)");
  audit->add_option("--ref", line.audit.ref, "Ref whose rule judges the revisions given");
  audit->add_option("--since", line.audit.since,
                    "Only commits authored on or after this day (YYYY-MM-DD, UTC)");
  audit->add_option("--until", line.audit.until,
                    "Only commits authored on or before this day (YYYY-MM-DD, UTC)");
  audit->add_option("--format", line.audit.format, "text, json, jsonl, csv, md or html")
      ->check(CLI::IsMember({"text", "json", "jsonl", "csv", "md", "html"}));
  audit->add_option("-o,--output", line.audit.output, "Write the report to FILE (atomically)");
  audit->add_flag("--fail-on-violations", line.audit.fail_on_violations,
                  "Exit 1 when any commit is a violation");
  audit->add_flag("--stats", line.audit.stats,
                  "Print how many commits came from the cache to stderr");
  audit->add_flag("--no-cache", line.audit.no_cache, "Neither read nor write the cache");
  audit->add_option("--threads", line.audit.threads, "Worker threads (default: one per core)");

  auto* policy = app.add_subcommand("policy", "Work with policy files");
  policy->require_subcommand(1);
  auto* policy_check = policy->add_subcommand("check", "Validate a policy file");
  policy_check->add_option("file", line.policy_file, "Policy file (default: looked up)");

  auto* install = app.add_subcommand(
      "install",
      "Install the hook where git or the host runs it, chaining any hook already there; or "
      "--uninstall it");
  install
      ->add_option("--hook", line.install.hooks,
                   "pre-receive (default) and/or update; --uninstall: default both")
      ->check(CLI::IsMember({"pre-receive", "update"}));
  auto* hooks_dir = install->add_option(
      "--hooks-dir", line.install.hooks_dir,
      "Install into DIR, a directory repositories use as core.hooksPath, not --repo's hooks/");
  hooks_dir->type_name("DIR");
  auto* pre_receive_d = install->add_option(
      "--pre-receive-d", line.install.pre_receive_d,
      "Add trailgate to DIR, a pre-receive.d directory whose every hook the host runs "
      "(GitLab's global server hooks)");
  pre_receive_d->type_name("DIR");
  auto* gitlab = install->add_flag(
      "--gitlab", line.install.gitlab,
      "Add trailgate to --repo's GitLab server hooks: custom_hooks/<hook>.d/trailgate");
  auto* gitea = install->add_flag("--gitea,--forgejo", line.install.gitea,
                                  "Add trailgate to --repo's Gitea or Forgejo hooks: "
                                  "hooks/<hook>.d/trailgate, beside Gitea's own");
  auto* gitolite = install->add_flag(
      "--gitolite", line.install.gitolite,
      "Install for every repository of a gitolite site, from gitolite's own site-wide hooks "
      "($LOCAL_CODE/hooks/common/pre-receive), which `gitolite setup` keeps");
  install
      ->add_option("--gitolite-home", line.install.gitolite_home,
                   "The gitolite site's home, where .gitolite.rc is (default: $HOME)")
      ->type_name("DIR")
      ->needs(gitolite);
  install
      ->add_flag("--gitolite-admin", line.install.gitolite_admin,
                 "Judge pushes to gitolite-admin too (by default gitolite's administration "
                 "repository is left to gitolite)")
      ->needs(gitolite);
  auto* pre_push_hook = install->add_flag(
      "--pre-push", line.install.pre_push,
      "Install git's pre-push hook in --repo, a developer's clone: `git push` runs trailgate "
      "pre-push first, which stops a push the server would reject");
  pre_push_hook->excludes(pre_receive_d)->excludes(gitlab)->excludes(gitea)->excludes(gitolite);
  hooks_dir->excludes(pre_receive_d)->excludes(gitlab)->excludes(gitea)->excludes(gitolite);
  pre_receive_d->excludes(gitlab)->excludes(gitea)->excludes(gitolite);
  gitlab->excludes(gitea)->excludes(gitolite);
  gitea->excludes(gitolite);
  auto* verify = install->add_flag(
      "--verify", line.install.verify,
      "Change nothing; check that the hook git runs leads to trailgate with a policy that loads, "
      "for the target's repositories; exit 1 when one is not protected");
  install
      ->add_option("--under", line.install.under, "With --verify: every bare repository under DIR")
      ->type_name("DIR")
      ->needs(verify);
  install
      ->add_flag("--uninstall", line.install.uninstall,
                 "Take trailgate out and put back exactly what was there before")
      ->excludes(verify);
  install->add_flag("--force", line.install.force,
                    "Go ahead over a trailgate hook file that was edited by hand (the edits "
                    "are lost)");
  install->add_flag("--dry-run", line.install.dry_run, "Print what would be done; change nothing");
  install->footer(
      "Without a target option, installs into the hooks/ directory of --repo (default: the "
      "current repository). See docs/install.md for what each target writes, how an existing "
      "hook is chained and restored, and the checks install makes.");

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    line.exit_code = app.exit(e, out, err);
    return line;
  } catch (const CLI::ParseError& e) {
    app.exit(e, out, err);
    line.exit_code = kUsage;
    return line;
  }

  if (pre_push->parsed()) {
    // git's pre-push hook: the server's policy, as the remote's default branch has it, unless
    // the hook names one.
    line.check.pre_push = true;
    if (line.check.policy_rev.empty() && line.global.policy.empty())
      line.check.policy_rev = fmt::format("refs/remotes/{}/HEAD", line.check.ranges.front());
    line.command = Command::check;
    return line;
  }
  const std::pair<const CLI::App*, Command> table[] = {
      {pre_receive, Command::pre_receive},   {update, Command::update},   {check, Command::check},
      {explain, Command::explain},           {approve, Command::approve}, {audit, Command::audit},
      {policy_check, Command::policy_check}, {install, Command::install}};
  for (const auto& [subcommand, command] : table) {
    if (subcommand->parsed()) {
      line.command = command;
      return line;
    }
  }
  err << app.help();
  line.exit_code = kUsage;
  return line;
}

namespace {

int dispatch(int argc, char** argv) {
  const CommandLine line = parse_command_line(argc, argv, std::cout, std::cerr);
  switch (line.command) {
    case Command::none:
      return line.exit_code;
    case Command::pre_receive:
      return run_pre_receive(line.global);
    case Command::update:
      return run_update(line.global, line.update_ref, line.update_old, line.update_new);
    case Command::check:
      return run_check(line.global, line.check);
    case Command::explain:
      return run_explain(line.global, line.explain);
    case Command::approve:
      return run_approve(line.global, line.approve);
    case Command::audit:
      return run_audit(line.global, line.audit);
    case Command::policy_check:
      return run_policy_check(line.global, line.policy_file);
    case Command::install:
      return run_install(line.global, line.install);
  }
  return kUsage;
}

}  // namespace

}  // namespace trailgate::cli
