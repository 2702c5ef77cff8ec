// `trailgate check`: the hook's verdicts from the command line, before pushing (by hand, or from
// git's pre-push hook) or in CI on a pull or merge request (docs/ci.md).
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli.h"
#include "cli/commands.h"
#include "git/tree_changes.h"
#include "pipeline/pipeline.h"
#include "policy/policy_loader.h"
#include "report/ci_formats.h"
#include "report/render.h"
#include "util/hex_id.h"
#include "version.h"

namespace trailgate::cli {

namespace {

const std::string kZeroId(40, '0');
constexpr std::string_view kDefaultPolicyPath = ".trailgate.toml";
// As read_policy_file's cap on a policy file.
constexpr std::size_t kMaxPolicyBytes = 4u << 20;

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

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

// The policy as commit REV holds it at PATH (--policy-rev REV[:PATH]), never the work tree's.
LoadedPolicy load_policy_at(const git::Repository& repo, const std::string& spec,
                            report::PolicyOrigin& origin) {
  const std::size_t colon = spec.find(':');
  origin.revision = spec.substr(0, colon);
  origin.path =
      colon == std::string::npos ? std::string(kDefaultPolicyPath) : spec.substr(colon + 1);
  if (origin.revision.empty())
    throw InputError(
        fmt::format("--policy-rev \"{}\": name a commit, e.g. origin/main or "
                    "origin/main:.trailgate.toml",
                    report::sanitize(spec)));
  if (origin.path.empty() || origin.path.front() == '/' || origin.path.back() == '/')
    throw InputError(
        fmt::format("--policy-rev \"{}\": the path must be a file's path from the "
                    "repository's root, e.g. .trailgate.toml",
                    report::sanitize(spec)));
  try {
    origin.commit = repo.resolve_commit(origin.revision);
  } catch (const git::GitError& e) {
    if (!e.not_found())
      throw;
    throw NoPolicyError(
        fmt::format("--policy-rev: \"{}\" names no commit in this repository "
                    "(fetch it first?): {}",
                    report::sanitize(origin.revision), e.what()));
  }
  std::optional<git::Repository::BlobAt> blob;
  try {
    blob = repo.blob_at(origin.commit, origin.path, kMaxPolicyBytes);
  } catch (const git::GitError& e) {
    if (e.kind() != git::GitError::Kind::invalid)
      throw;
    throw NoPolicyError(fmt::format("--policy-rev: the policy cannot be read: {}", e.what()));
  }
  if (!blob)
    throw NoPolicyError(fmt::format(
        "--policy-rev: commit {} ({}) has no file {}; name the policy's path with "
        "--policy-rev REV:PATH",
        origin.commit, report::sanitize(origin.revision), report::sanitize(origin.path)));
  origin.blob = blob->id;
  origin.source = origin.commit + ":" + origin.path;
  Policy policy = parse_policy(blob->bytes, origin.source);
  try {
    detect::MarkerSet markers = compile_markers(policy);
    std::string digest = sha256_hex(blob->bytes);
    return LoadedPolicy{std::move(policy), std::move(markers), std::move(blob->bytes),
                        std::move(digest)};
  } catch (const std::invalid_argument& e) {
    throw PolicyError({PolicyDiagnostic{policy.source, 0, 0, e.what()}});
  }
}

// Whether some update's head holds another policy file than the one read (or none).
void note_policy_change(const git::Repository& repo, const std::vector<RefUpdate>& updates,
                        report::PolicyOrigin& origin) {
  for (const auto& update : updates) {
    if (git::is_zero_id(update.new_id))
      continue;
    const std::optional<std::string> id = repo.entry_id_at(update.new_id, origin.path);
    if (id != origin.blob) {
      origin.changed = true;
      origin.head_blob = id.value_or("");
      return;
    }
  }
}

// Whether a branch called `name` exists here, as refs/heads/<name> or refs/remotes/*/<name>.
bool branch_exists(const git::Repository& repo, const std::string& name) {
  if (repo.resolve_ref("refs/heads/" + name))
    return true;
  bool found = false;
  repo.for_each_ref([&](const git::RefEntry& ref) {
    constexpr std::string_view kRemotes = "refs/remotes/";
    std::string_view rest = ref.name;
    if (found || !starts_with(rest, kRemotes))
      return;
    rest.remove_prefix(kRemotes.size());
    const std::size_t slash = rest.find('/');
    found = slash != std::string_view::npos && rest.substr(slash + 1) == name;
  });
  return found;
}

// A ref as the user or forge names it, as git would push it: "refs/..." as it is, "heads/x" and
// "tags/x" under refs/, and a short name as the branch refs/heads/<name>, unless no such branch
// exists here and a tag refs/tags/<name> does.
std::string full_ref(const git::Repository& repo, const std::string& name) {
  if (starts_with(name, "refs/"))
    return name;
  if (starts_with(name, "heads/") || starts_with(name, "tags/"))
    return "refs/" + name;
  if (!branch_exists(repo, name) && repo.resolve_ref("refs/tags/" + name))
    return "refs/tags/" + name;
  return "refs/heads/" + name;
}

// Whether `ref` (full) names something here: the ref itself, or for a branch a remote-tracking
// branch of the same name.
bool ref_exists(const git::Repository& repo, const std::string& ref) {
  if (repo.resolve_ref(ref))
    return true;
  constexpr std::string_view kHeads = "refs/heads/";
  return starts_with(ref, kHeads) && branch_exists(repo, ref.substr(kHeads.size()));
}

// One changed file of each failing commit, for the locations of the CI formats.
std::unordered_map<std::string, std::string> changed_files(const git::Repository& repo,
                                                           const Report& report) {
  std::unordered_map<std::string, std::string> files;
  git::FileCounter counter;
  for (const auto& evaluation : report.evaluations) {
    if (evaluation.passed() || files.count(evaluation.id))
      continue;
    try {
      const git::ChangeSet changes = git::first_parent_changes(repo, evaluation.id, counter);
      const git::FileChange* chosen = nullptr;
      for (const auto& change : changes.changes)
        if (!chosen ||
            (chosen->kind == git::ChangeKind::deleted && change.kind != git::ChangeKind::deleted))
          chosen = &change;
      if (chosen)
        files.emplace(evaluation.id, chosen->path());
    } catch (const git::GitError&) {
      // A tree too deep to read: the finding is located at the policy file instead.
    }
  }
  return files;
}

// Parses git's pre-push hook input: "<local ref> SP <local sha> SP <remote ref> SP <remote sha>"
// lines (githooks(5)). Throws InputError naming the first bad line.
struct PrePushLine {
  std::string local_ref, local_id, remote_ref, remote_id;
};
std::vector<PrePushLine> parse_pre_push(const std::string& input) {
  std::vector<PrePushLine> lines;
  std::istringstream in(input);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line.empty())
      continue;
    std::istringstream fields(line);
    PrePushLine p;
    std::string extra;
    fields >> p.local_ref >> p.local_id >> p.remote_ref >> p.remote_id;
    const bool ids_ok = util::is_object_id(p.local_id) && util::is_object_id(p.remote_id) &&
                        p.local_id.size() == p.remote_id.size();
    if (p.remote_id.empty() || (fields >> extra) || !ids_ok || !starts_with(p.remote_ref, "refs/"))
      throw InputError(fmt::format(
          "pre-push input line {} is not \"<local ref> <local id> <remote ref> <remote id>\": {}",
          number, report::sanitize(line)));
    lines.push_back(std::move(p));
  }
  return lines;
}

// Where the refs and commits under check come from, as a line for people.
struct Plan {
  std::vector<RefUpdate> updates;
  bool ref_moves = false;          // a real ref move (pre-push): ref findings apply
  bool exclude_remote = false;     // a new branch: the remote's protected history is excluded
  std::string remote;              // pre-push: the remote's name
  std::vector<std::string> notes;  // what the text output says about where this came from
};

Plan pre_push_plan(const git::Repository& repo, const CheckOptions& check) {
  if (check.ranges.size() > 2)
    throw InputError("--pre-push takes at most git's two hook arguments, <remote name> <URL>");
  if (!check.ref.empty() || !check.base.empty() || !check.head.empty())
    throw InputError(
        "--pre-push reads the refs from git's hook input; --ref, --base and --head "
        "cannot be combined with it");
  Plan plan;
  plan.ref_moves = true;
  plan.exclude_remote = true;
  if (!check.ranges.empty())
    plan.remote = check.ranges.front();
  const std::string input(std::istreambuf_iterator<char>(std::cin), {});
  for (const PrePushLine& line : parse_pre_push(input)) {
    if (git::is_zero_id(line.local_id)) {
      plan.notes.push_back(fmt::format("{}: a delete, not checked locally (the server decides)",
                                       report::sanitize(line.remote_ref)));
      continue;
    }
    // A remote tip this clone does not have (pushed since the last fetch) cannot be walked: the
    // push is judged as a new branch, against the remote's protected history known here.
    std::string old_id = line.remote_id;
    if (!git::is_zero_id(old_id) && !repo.has_object(old_id)) {
      plan.notes.push_back(fmt::format(
          "{}: the remote's tip {} is not in this clone (git fetch); judged as a new branch",
          report::sanitize(line.remote_ref), old_id));
      old_id = std::string(old_id.size(), '0');
    }
    plan.updates.push_back(RefUpdate{old_id, line.local_id, line.remote_ref});
  }
  return plan;
}

int write_output(const std::string& format, const Report& report, const LoadedPolicy& loaded,
                 const report::PolicyOrigin& origin, const git::Repository& repo,
                 const std::string& policy_location, bool color) {
  const Policy& policy = loaded.policy;
  if (format == "json") {
    write_stdout(report::render_json(report, policy, &origin));
  } else if (format == "text") {
    write_stdout(report::render_text(report, {report::Audience::check, color, policy.source,
                                              policy.review.verification == Verification::roster}));
  } else {
    report::CiContext context;
    context.tool_version = kVersion;
    context.policy = origin;
    context.policy_location = policy_location;
    context.changed_file = changed_files(repo, report);
    if (format == "sarif") {
      write_stdout(report::render_sarif(report, context));
    } else if (format == "junit") {
      write_stdout(report::render_junit(report, context));
    } else if (format == "gitlab") {
      write_stdout(report::render_gitlab(report, context));
    } else {
      write_stdout(report::render_github(report, context));
      if (const char* summary = std::getenv("GITHUB_STEP_SUMMARY"); summary && *summary) {
        std::ofstream file(summary, std::ios::app | std::ios::binary);
        file << report::render_github_summary(report, context);
        file.flush();
        if (!file)
          std::cerr << fmt::format("trailgate: check: cannot append to $GITHUB_STEP_SUMMARY {}\n",
                                   report::sanitize(summary));
      }
    }
  }
  return report.passed() ? kPassed : kViolations;
}

}  // namespace

ForgeRange forge_range_from_env(const std::function<const char*(const char*)>& getenv) {
  auto var = [&](const char* name) {
    const char* value = getenv(name);
    return value ? std::string(value) : std::string();
  };
  ForgeRange range;
  if (!var("PRE_COMMIT_REMOTE_BRANCH").empty() || !var("PRE_COMMIT_TO_REF").empty()) {
    range.forge = "pre-commit";
    range.origin = "PRE_COMMIT_REMOTE_BRANCH, PRE_COMMIT_FROM_REF, PRE_COMMIT_TO_REF";
    range.ref = var("PRE_COMMIT_REMOTE_BRANCH");
    range.base = var("PRE_COMMIT_FROM_REF");
    range.head = var("PRE_COMMIT_TO_REF");
    return range;
  }
  if (!var("CI_MERGE_REQUEST_TARGET_BRANCH_NAME").empty() ||
      !var("CI_MERGE_REQUEST_DIFF_BASE_SHA").empty()) {
    range.forge = "GitLab";
    range.ref = var("CI_MERGE_REQUEST_TARGET_BRANCH_NAME");
    range.base = var("CI_MERGE_REQUEST_DIFF_BASE_SHA");
    // In a merged results pipeline CI_COMMIT_SHA is GitLab's merge commit; the change itself
    // ends at the source branch's tip.
    range.head = var("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA");
    range.origin =
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME, CI_MERGE_REQUEST_DIFF_BASE_SHA, " +
        std::string(range.head.empty() ? "CI_COMMIT_SHA" : "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA");
    if (range.head.empty())
      range.head = var("CI_COMMIT_SHA");
    return range;
  }
  const std::string event_path = var("GITHUB_EVENT_PATH");
  if (event_path.empty() && var("GITHUB_BASE_REF").empty())
    return range;
  range.forge = "GitHub";
  range.ref = var("GITHUB_BASE_REF");
  range.origin = "GITHUB_BASE_REF";
  if (event_path.empty())
    return range;
  std::ifstream file(event_path, std::ios::binary);
  if (!file)
    throw InputError(
        fmt::format("GITHUB_EVENT_PATH {} cannot be read", report::sanitize(event_path)));
  nlohmann::json event = nlohmann::json::parse(file, nullptr, false);
  if (event.is_discarded() || !event.is_object())
    throw InputError(
        fmt::format("GITHUB_EVENT_PATH {} is not a JSON object", report::sanitize(event_path)));
  auto text = [](const nlohmann::json& object, const char* key) {
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (auto pr = event.find("pull_request"); pr != event.end() && pr->is_object()) {
    const nlohmann::json empty = nlohmann::json::object();
    const nlohmann::json& base =
        pr->contains("base") && (*pr)["base"].is_object() ? (*pr)["base"] : empty;
    const nlohmann::json& head =
        pr->contains("head") && (*pr)["head"].is_object() ? (*pr)["head"] : empty;
    range.base = text(base, "sha");
    range.head = text(head, "sha");
    if (range.ref.empty())
      range.ref = text(base, "ref");
    range.origin =
        "GITHUB_EVENT_PATH (pull_request.base.sha, pull_request.head.sha), " + range.origin;
    if (range.base.empty() || range.head.empty())
      throw InputError(
          fmt::format("GITHUB_EVENT_PATH {}: the pull_request has no base.sha or "
                      "head.sha",
                      report::sanitize(event_path)));
  } else if (event.contains("after") && range.ref.empty()) {
    // A push event: the ref moved from `before` to `after`.
    range.ref = text(event, "ref");
    range.base = text(event, "before");
    range.head = text(event, "after");
    if (util::is_object_id(range.base) && git::is_zero_id(range.base))
      range.base.clear();
    range.origin = "GITHUB_EVENT_PATH (push: ref, before, after)";
  }
  return range;
}

int run_check(const GlobalOptions& options, const CheckOptions& check) {
  try {
    static const char* const kFormats[] = {"text", "json", "sarif", "github", "junit", "gitlab"};
    if (std::find(std::begin(kFormats), std::end(kFormats), check.format) == std::end(kFormats))
      throw InputError(fmt::format(
          "--format must be text, json, sarif, github, junit or gitlab, not \"{}\"", check.format));
    if (!check.policy_rev.empty() && !options.policy.empty())
      throw InputError("--policy and --policy-rev name two policies; give one");
    if (!check.ranges.empty() && !check.pre_push && (!check.base.empty() || !check.head.empty()))
      throw InputError("give a range or --base/--head, not both");
    git::Repository repo = open_repository(options);

    report::PolicyOrigin origin;
    LoadedPolicy loaded = check.policy_rev.empty() ? load_policy(options, &repo)
                                                   : load_policy_at(repo, check.policy_rev, origin);
    const Policy& policy = loaded.policy;
    if (origin.commit.empty())
      origin.source = policy.source;
    const bool text = check.format == "text";
    std::vector<std::string> lines;  // said before the report in text output
    if (!origin.commit.empty())
      lines.push_back(fmt::format("trailgate: policy read from commit {} ({}), path {}",
                                  origin.commit, report::sanitize(origin.revision),
                                  report::sanitize(origin.path)));

    Plan plan;
    std::string ref;
    if (check.pre_push) {
      plan = pre_push_plan(repo, check);
    } else {
      ForgeRange forge;
      if (check.ranges.empty() || check.ref.empty())
        forge = forge_range_from_env([](const char* name) { return std::getenv(name); });
      // Each of ref, base and head: the command line, else the forge's environment.
      std::string base = check.base, head = check.head;
      const bool from_flags = !base.empty() || !head.empty();
      if (check.ranges.empty() && !from_flags) {
        base = forge.base;
        head = forge.head;
      }
      ref = check.ref.empty() ? forge.ref : check.ref;
      if (!forge.forge.empty() && (check.ref.empty() || (check.ranges.empty() && !from_flags)))
        lines.push_back(fmt::format("trailgate: defaults from {} ({})", forge.forge, forge.origin));
      // The upstream is only consulted for what the command line and environment leave out.
      std::optional<git::Repository::Upstream> upstream;
      const bool have_range = !check.ranges.empty() || !base.empty() || !head.empty();
      if (ref.empty() || !have_range)
        upstream = repo.head_upstream();
      if (ref.empty() && upstream)
        ref = upstream->remote_ref;
      if (ref.empty())
        throw InputError(
            "no --ref given and the current branch has no upstream; say which ref the commits "
            "would enter, e.g. trailgate check --ref main --base origin/main --head HEAD");
      ref = full_ref(repo, ref);
      if (!check.ranges.empty()) {
        for (const auto& range : check.ranges)
          plan.updates.push_back(range_update(repo, range, ref));
      } else if (have_range) {
        plan.updates.push_back(RefUpdate{base.empty() ? kZeroId : repo.resolve_commit(base),
                                         repo.resolve_commit(head.empty() ? "HEAD" : head), ref});
        // With no base, what the target already has is the remote's protected history.
        plan.exclude_remote = base.empty();
      } else {
        if (!upstream)
          throw InputError(
              "no range given and the current branch has no upstream; give one, e.g. trailgate "
              "check --ref " +
              ref + " --base origin/main --head HEAD");
        // As if pushing HEAD to the upstream: the upstream's tip is what the server has.
        plan.updates.push_back(RefUpdate{upstream->tip, repo.resolve_commit("HEAD"), ref});
      }
      // A ref no rule protects must at least exist: a misspelt or short name must never pass.
      if (!policy.rule_for(ref)) {
        if (!ref_exists(repo, ref))
          throw InputError(fmt::format(
              "{} matches no protected ref of policy {} and names no branch here (nor any "
              "refs/remotes/*/ branch); check --ref, or fetch the target branch",
              report::sanitize(ref), report::sanitize(policy.source)));
        lines.push_back(
            fmt::format("trailgate: {} is not protected by policy {}; nothing to check.",
                        report::sanitize(ref), report::sanitize(policy.source)));
      }
    }
    if (!origin.commit.empty()) {
      note_policy_change(repo, plan.updates, origin);
      if (origin.changed)
        lines.push_back(fmt::format(
            "trailgate: warning: the change under check modifies the policy file {}; it is "
            "judged by the policy of commit {}, not by its own",
            report::sanitize(origin.path), origin.commit));
    }
    for (const auto& note : plan.notes)
      lines.push_back("trailgate: " + note);

    // Locally, protected history is what the range excludes (and the baseline), not the
    // clone's own branches, which may hold exactly the commits being checked. A new branch with
    // no base excludes what the server's protected refs had when last fetched (pre-push: that
    // remote's), which is what a push there would not bring in.
    const ProtectedState history = known_protected_state(repo, policy);
    ProtectedState before;
    before.baseline = baseline_tips(repo, policy);
    if (plan.exclude_remote)
      for (const auto& tip : history.tips)
        if (plan.remote.empty() || starts_with(tip.ref, "refs/remotes/" + plan.remote + "/"))
          before.tips.push_back(tip);
    std::vector<RefCheck> checks = plan_push(repo, policy, plan.updates, before);
    // A range is a set of commits, not a ref move: it cannot delete or rewrite.
    if (!plan.ref_moves)
      for (auto& c : checks) {
        c.ref_findings.clear();
        c.must_fast_forward_from.clear();
      }

    // The records every entry point consults (docs/architecture.md): dates grandfather only
    // commits the repository's protected refs already reach, notes pay review late, and the
    // decision log (on a server) says what break-glass let in.
    const std::unordered_set<std::string> logged = logged_break_glass(repo, policy, "check");
    RunOptions run_options;
    run_options.now = std::time(nullptr);
    run_options.before = &history;
    run_options.logged_break_glass = &logged;
    const bool color = use_color(options, STDOUT_FILENO);
    if (text)
      for (const auto& line : lines)
        write_stdout(line + "\n");
    else
      for (const auto& line : lines)
        std::cerr << line << "\n";
    // Machine formats are one document, so they keep every commit; text shows each commit as it
    // is judged, which keeps memory bounded however long the range is.
    run_options.keep_passing = text ? 0 : std::numeric_limits<std::size_t>::max();
    if (text)
      run_options.on_evaluation = [color](const CommitEvaluation& evaluation) {
        write_stdout(report::render_check_commit(evaluation, color));
      };
    Report report = run(repo, policy, loaded.markers, checks, run_options);
    // The verdict is decided; output that cannot be written (a reader that has gone, a full
    // disk) is dealt with when trailgate exits (cli.cpp).
    const std::string location =
        origin.commit.empty() ? std::string(kDefaultPolicyPath) : origin.path;
    return write_output(check.format, report, loaded, origin, repo, location, color);
  } catch (...) {
    return report_exception("check failed");
  }
}

}  // namespace trailgate::cli
