// `trailgate check`: the hook's verdicts from the command line, before pushing or in CI.
#include <unistd.h>

#include <fmt/format.h>
#include <ctime>
#include <iostream>
#include <limits>

#include "cli/cli.h"
#include "cli/commands.h"
#include "pipeline/pipeline.h"
#include "report/render.h"

namespace trailgate::cli {

namespace {

const std::string kZeroId(40, '0');

// Turns "A..B" or "B" into the update it stands for: B entering the ref, A already there.
RefUpdate range_update(const git::Repository& repo, const std::string& range,
                       const std::string& ref) {
  if (range.find("...") != std::string::npos)
    throw InputError(
        fmt::format("\"{}\": symmetric ranges (A...B) are not supported; use A..B", range));
  std::size_t dots = range.find("..");
  if (dots == std::string::npos)
    return RefUpdate{kZeroId, repo.resolve_commit(range), ref};
  std::string from = range.substr(0, dots), to = range.substr(dots + 2);
  return RefUpdate{repo.resolve_commit(from.empty() ? "HEAD" : from),
                   repo.resolve_commit(to.empty() ? "HEAD" : to), ref};
}

}  // namespace

int run_check(const GlobalOptions& options, const CheckOptions& check) {
  try {
    if (check.format != "text" && check.format != "json")
      throw InputError(fmt::format("--format must be text or json, not \"{}\"", check.format));
    git::Repository repo = open_repository(options);
    LoadedPolicy loaded = load_policy(options, &repo);
    const Policy& policy = loaded.policy;

    // The upstream is only consulted for what the command line leaves out.
    std::optional<git::Repository::Upstream> upstream;
    if (check.ref.empty() || check.ranges.empty())
      upstream = repo.head_upstream();
    std::string ref = check.ref;
    if (ref.empty() && upstream)
      ref = upstream->remote_ref;
    if (ref.empty())
      throw InputError(
          "no --ref given and the current branch has no upstream; say which ref the commits "
          "would enter, e.g. trailgate check --ref refs/heads/main origin/main..HEAD");

    std::vector<RefUpdate> updates;
    if (check.ranges.empty()) {
      if (!upstream)
        throw InputError(
            "no range given and the current branch has no upstream; give a range, "
            "e.g. trailgate check --ref " +
            ref + " origin/main..HEAD");
      // As if pushing HEAD to the upstream: the upstream's tip is what the server has.
      updates.push_back(RefUpdate{upstream->tip, repo.resolve_commit("HEAD"), ref});
    } else {
      for (const auto& range : check.ranges)
        updates.push_back(range_update(repo, range, ref));
    }

    if (!policy.rule_for(ref)) {
      std::cout << fmt::format("trailgate: {} is not protected by policy {}; nothing to check.\n",
                               ref, policy.source);
      return kPassed;
    }

    // Locally, protected history is what the range excludes (and the baseline), not the
    // clone's own branches, which may hold exactly the commits being checked.
    ProtectedState before;
    before.baseline = baseline_tips(repo, policy);
    std::vector<RefCheck> checks = plan_push(repo, policy, updates, before);
    // An explicit range is a set of commits, not a ref move: it cannot delete or rewrite.
    if (!check.ranges.empty())
      for (auto& c : checks) {
        c.ref_findings.clear();
        c.must_fast_forward_from.clear();
      }

    // The records every entry point consults (docs/architecture.md): dates grandfather only
    // commits the repository's protected refs already reach, notes pay review late, and the
    // decision log (on a server) says what break-glass let in.
    const ProtectedState history = known_protected_state(repo, policy);
    const std::unordered_set<std::string> logged = logged_break_glass(repo, policy, "check");
    RunOptions run_options;
    run_options.now = std::time(nullptr);
    run_options.before = &history;
    run_options.logged_break_glass = &logged;
    const bool json = check.format == "json";
    const bool color = use_color(options, STDOUT_FILENO);
    // JSON is one document, so it keeps every commit; text shows each commit as it is judged,
    // which keeps memory bounded however long the range is.
    run_options.keep_passing = json ? std::numeric_limits<std::size_t>::max() : 0;
    if (!json)
      run_options.on_evaluation = [color](const CommitEvaluation& evaluation) {
        write_stdout(report::render_check_commit(evaluation, color));
      };
    Report report = run(repo, policy, loaded.markers, checks, run_options);
    // The verdict is decided; output that cannot be written (a reader that has gone, a full
    // disk) is dealt with when trailgate exits (cli.cpp).
    if (json)
      write_stdout(report::render_json(report, policy));
    else
      write_stdout(
          report::render_text(report, {report::Audience::check, color, policy.source,
                                       policy.review.verification == Verification::roster}));
    return report.passed() ? kPassed : kViolations;
  } catch (...) {
    return report_exception("check failed");
  }
}

}  // namespace trailgate::cli
