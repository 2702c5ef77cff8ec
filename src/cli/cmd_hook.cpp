// `trailgate pre-receive` and `trailgate update`: the hook modes. Fail closed: whatever goes
// wrong, the push is rejected with a message saying why. Every run, decided or not, appends one
// line to the decision log (docs/decision-log.md).
#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <functional>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "host/break_glass.h"
#include "host/decision_log.h"
#include "host/identity.h"
#include "host/push_options.h"
#include "pipeline/pipeline.h"
#include "report/render.h"

namespace trailgate::cli {

namespace {

// A pre-receive input this large is not git talking; refuse rather than buffer it.
constexpr std::size_t kMaxStdin = 64u << 20;

// At most this many ignored push options are mentioned; the rest are not worth the lines.
constexpr std::size_t kMaxNotedOptions = 5;

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

enum class Hook { pre_receive, update };

std::int64_t milliseconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

// The git dir as the log names the repository: absolute, without the trailing '/'.
std::string repository_path(const git::Repository& repo) {
  std::string dir = std::filesystem::absolute(repo.git_dir()).lexically_normal().string();
  while (dir.size() > 1 && dir.back() == '/')
    dir.pop_back();
  return dir;
}

// The ref-level rules and every commit entering a protected ref, judged.
Report judge(const git::Repository& repo, const LoadedPolicy& loaded,
             const std::vector<RefUpdate>& updates, const host::Pusher& pusher) {
  const Policy& policy = loaded.policy;
  // 1. What was protected before this push, and the refs each update moves (symbolic refs).
  const ProtectedState before = protected_state(repo, policy);

  // 2. Ref-level rules and the commits entering each protected ref.
  std::vector<RefCheck> checks = plan_push(repo, policy, updates, before);

  // 3. Every entering commit judged; beyond this point violations are data, not errors.
  RunOptions run_options;
  run_options.now = std::time(nullptr);
  run_options.before = &before;
  // The decision log records the verdict of every commit judged, up to the listing limit.
  run_options.keep_passing = static_cast<std::size_t>(policy.max_listed_commits);
  // Commits that break-glass let in count as protected for no other ref: the log says which.
  const bool judges_commits = std::any_of(
      checks.begin(), checks.end(), [](const RefCheck& c) { return c.rule && !c.include.empty(); });
  if (judges_commits)
    run_options.break_glass_commits =
        host::break_glass_commits(host::log_path(policy.log, repo.git_dir()));
  run_options.pusher = policy.person_by_username(pusher.name);
  if (!run_options.pusher && !pusher.email.empty())
    run_options.pusher = policy.person_by_email(pusher.email);
  return run(repo, policy, loaded.markers, checks, run_options);
}

// What the pusher sees about a log that could not be written, and whether the push must be
// rejected for it: a break-glass acceptance always needs its record; otherwise the policy's
// on_failure decides. A rejection stays a rejection.
struct LogFailureHandling {
  std::string message;
  bool rejects = false;
};

LogFailureHandling handle_log_failure(const std::string& problem, host::PushVerdict verdict,
                                      const host::BreakGlassDecision& break_glass,
                                      const Policy& policy) {
  if (verdict == host::PushVerdict::rejected)
    return {fmt::format("also, the decision log cannot be written: {}", problem), false};
  if (break_glass.honoured())
    return {fmt::format("break-glass is honoured only with a record of it, and the decision log "
                        "cannot be written: {}; the push is rejected",
                        problem),
            true};
  if (policy.log.on_failure == LogFailure::reject)
    return {fmt::format("the push passes, but the decision log cannot be written: {}; it is "
                        "rejected because the policy sets log.on_failure = \"reject\"",
                        problem),
            true};
  return {
      fmt::format("the decision log cannot be written: {}; the push passes trailgate because the "
                  "policy sets log.on_failure = \"warn\"",
                  problem),
      false};
}

std::vector<std::string> option_notes(const std::vector<std::string>& push_options) {
  std::vector<std::string> notes;
  std::vector<std::string> ignored = host::ignored_trailgate_options(push_options);
  for (std::size_t i = 0; i < ignored.size() && i < kMaxNotedOptions; ++i)
    notes.push_back(fmt::format(
        "push option \"{}\" is ignored: trailgate reads only {}, and takes the pusher from the "
        "host, never from the client",
        ignored[i].substr(0, 200), host::kBreakGlassOption));
  if (ignored.size() > kMaxNotedOptions)
    notes.push_back(fmt::format("{} more trailgate.* push options are ignored",
                                ignored.size() - kMaxNotedOptions));
  return notes;
}

int run_hook(const GlobalOptions& options, Hook hook,
             const std::function<std::vector<RefUpdate>()>& read_updates) {
  const auto clock_start = std::chrono::steady_clock::now();
  const host::Environment env = host::current_environment();

  // What the decision log records, filled in as the run goes, so that a run that fails half
  // way is recorded with everything known by then.
  host::DecisionRecord record;
  record.hook = hook == Hook::pre_receive ? "pre-receive" : "update";
  record.time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  record.protocol = host::detect_protocol(env);
  record.host_repository = host::host_repository(env);
  record.pusher = host::identify_pusher(env, Policy{});

  std::optional<git::Repository> repo;
  std::optional<LoadedPolicy> loaded;
  PolicySeen policy_seen;
  std::optional<Report> report;
  host::BreakGlassDecision break_glass;
  bool logged = false;
  std::string text;
  int code = kInternal;
  try {
    repo.emplace(options.repo.empty() ? git::Repository::open_for_hook()
                                      : git::Repository::discover(options.repo));
    record.repository = repository_path(*repo);
    record.updates = read_updates();
    loaded.emplace(load_policy(options, &*repo, &policy_seen));
    const Policy& policy = loaded->policy;
    record.policy = policy.source;
    record.policy_sha256 = loaded->sha256;
    record.pusher = host::identify_pusher(env, policy);
    // git gives push options to pre-receive only; the update hook never sees them.
    const std::vector<std::string> push_options =
        hook == Hook::pre_receive ? host::read_push_options(env) : std::vector<std::string>{};

    report.emplace(judge(*repo, *loaded, record.updates, record.pusher));
    break_glass =
        host::decide_break_glass(host::break_glass_claims(push_options), record.pusher, *report);
    if (break_glass.honoured())
      waive_break_glass(*report, break_glass.refs);
    host::PushVerdict verdict = host::push_verdict(*report, break_glass);
    code = verdict == host::PushVerdict::rejected ? kViolations : kPassed;

    record.report = &*report;
    record.break_glass = &break_glass;
    record.verdict = verdict;
    record.exit_code = code;
    record.duration_ms = milliseconds_since(clock_start);
    const std::string path = host::log_path(policy.log, repo->git_dir());
    const std::string problem = host::append_log_line(path, host::build_log_line(record));
    logged = true;

    report::TextOptions text_options{report::Audience::push, false, policy.source, false};
    text_options.pusher = host::describe(record.pusher);
    text_options.log_path = path;
    text_options.notes = option_notes(push_options);
    if (break_glass.claimed()) {
      text_options.break_glass =
          report::BreakGlassView{break_glass.honoured(), break_glass.refusals, break_glass.reason,
                                 break_glass.refs, break_glass.commits.size()};
    }
    if (!problem.empty()) {
      LogFailureHandling handling = handle_log_failure(problem, verdict, break_glass, policy);
      text_options.log_problem = handling.message;
      if (handling.rejects) {
        verdict = host::PushVerdict::rejected;
        code = kInternal;
      }
    }
    switch (verdict) {
      case host::PushVerdict::accepted:
        text_options.outcome = report::Outcome::accepted;
        break;
      case host::PushVerdict::accepted_break_glass:
        text_options.outcome = report::Outcome::accepted_break_glass;
        break;
      case host::PushVerdict::rejected:
        text_options.outcome = report::Outcome::rejected;
        break;
    }
    text = report::render_text(*report, text_options);
  } catch (...) {
    std::ostringstream error;
    code = report_exception("push rejected", error);
    text = error.str();
    if (!logged && repo) {
      // Recorded too, with what was known when it failed; best effort, since the push is
      // rejected whatever happens to the log.
      try {
        record.report = nullptr;
        record.break_glass = nullptr;
        record.verdict = host::PushVerdict::rejected;
        record.error = std::string(host::trim(text));
        record.exit_code = code;
        record.duration_ms = milliseconds_since(clock_start);
        const std::string path =
            host::log_path(loaded ? loaded->policy.log : LogSettings{}, repo->git_dir());
        const std::string problem = host::append_log_line(path, host::build_log_line(record));
        if (!problem.empty())
          text += fmt::format("trailgate: also, the decision log cannot be written: {}\n",
                              report::sanitize(problem));
      } catch (...) {
        text += "trailgate: also, the decision log could not be written\n";
      }
    }
  }
  // Every message, acceptances included, starts by naming the policy file and its digest.
  text = policy_line(policy_seen) + text;
  // GitLab shows a hook's output in its web UI only on lines marked as errors.
  if (code != kPassed && host::is_gitlab(env))
    text = report::prefix_lines(text, "GL-HOOK-ERR: ");
  std::cerr << text;
  return code;
}

}  // namespace

int run_pre_receive(const GlobalOptions& options) {
  try {
    return run_hook(options, Hook::pre_receive, [] { return parse_ref_updates(read_stdin()); });
  } catch (...) {
    return report_exception("push rejected");
  }
}

int run_update(const GlobalOptions& options, const std::string& ref, const std::string& old_id,
               const std::string& new_id) {
  try {
    return run_hook(options, Hook::update,
                    [&] { return std::vector<RefUpdate>{make_ref_update(ref, old_id, new_id)}; });
  } catch (...) {
    return report_exception("push rejected");
  }
}

}  // namespace trailgate::cli
