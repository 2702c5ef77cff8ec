// `trailgate pre-receive` and `trailgate update`: the hook modes. Fail closed: whatever goes
// wrong, the push is rejected with a message saying why.
#include <ctime>
#include <iostream>
#include <iterator>

#include "cli/cli.h"
#include "cli/commands.h"
#include "pipeline/pipeline.h"
#include "report/render.h"

namespace trailgate::cli {

namespace {

// A pre-receive input this large is not git talking; refuse rather than buffer it.
constexpr std::size_t kMaxStdin = 64u << 20;

std::string read_stdin() {
  std::string input;
  char buf[65536];
  while (std::cin.read(buf, sizeof buf) || std::cin.gcount() > 0) {
    input.append(buf, static_cast<std::size_t>(std::cin.gcount()));
    if (input.size() > kMaxStdin)
      throw InputError("stdin is larger than 64 MiB; that is not a pre-receive ref list");
  }
  return input;
}

int judge_push(const GlobalOptions& options, const std::vector<RefUpdate>& updates) {
  git::Repository repo = options.repo.empty() ? git::Repository::open_for_hook()
                                              : git::Repository::discover(options.repo);
  LoadedPolicy loaded = load_policy(options, &repo);
  const Policy& policy = loaded.policy;

  // 1. What was already protected before this push (only read when a protected ref moves).
  bool touches_protected = false;
  for (const auto& u : updates)
    touches_protected = touches_protected || policy.rule_for(u.ref);
  std::vector<std::string> already_protected;
  if (touches_protected)
    already_protected = protected_tips(repo, policy);

  // 2. Ref-level rules and the commits entering each protected ref.
  std::vector<RefCheck> checks = plan_push(repo, policy, updates, already_protected);

  // 3. Every entering commit judged; beyond this point violations are data, not errors.
  RunOptions run_options;
  run_options.now = std::time(nullptr);
  Report report = run(repo, policy, loaded.markers, checks, run_options);

  std::cerr << report::render_text(report, {report::Audience::push, false, policy.source});
  return report.passed() ? kPassed : kViolations;
}

}  // namespace

int run_pre_receive(const GlobalOptions& options) {
  try {
    std::vector<RefUpdate> updates = parse_ref_updates(read_stdin());
    return judge_push(options, updates);
  } catch (...) {
    return report_exception("push rejected");
  }
}

int run_update(const GlobalOptions& options, const std::string& ref, const std::string& old_id,
               const std::string& new_id) {
  try {
    return judge_push(options, {make_ref_update(ref, old_id, new_id)});
  } catch (...) {
    return report_exception("push rejected");
  }
}

}  // namespace trailgate::cli
