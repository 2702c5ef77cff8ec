#include "pipeline/pipeline.h"
#include "pipeline/blast_radius.h"

#include <fmt/format.h>
#include <algorithm>
#include <set>
#include <unordered_set>

#include "git/notes.h"
#include "git/tree_changes.h"
#include "pipeline/notes_push.h"
#include "policy/strictness.h"
#include "review/note_approval.h"
#include "util/escape.h"
#include "util/hex_id.h"

namespace trailgate {

namespace {

bool is_plausible_refname(std::string_view ref) {
  if (ref.rfind("refs/", 0) != 0 || ref.size() == 5)
    return false;
  return std::none_of(ref.begin(), ref.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f || c == ' ';
  });
}

// Shows untrusted input inside "..." in a message (util::escape_to_ascii), capped so a huge
// line stays readable.
std::string escaped(std::string_view s) {
  return util::escape_to_ascii(s, 200);
}

void validate(const RefUpdate& u, const std::string& where) {
  if (!util::is_object_id(u.old_id) || !util::is_object_id(u.new_id) ||
      u.old_id.size() != u.new_id.size())
    throw InputError(
        fmt::format("{}: expected \"<old-id> <new-id> <refname>\" with full "
                    "lowercase hex object ids, got \"{}\"",
                    where, escaped(u.old_id + " " + u.new_id + " " + u.ref)));
  if (!is_plausible_refname(u.ref))
    throw InputError(fmt::format("{}: \"{}\" is not a refname under refs/", where, escaped(u.ref)));
  if (git::is_zero_id(u.old_id) && git::is_zero_id(u.new_id))
    throw InputError(fmt::format("{}: both object ids are zero for \"{}\"", where, escaped(u.ref)));
}

}  // namespace

std::vector<RefUpdate> parse_ref_updates(std::string_view input) {
  std::vector<RefUpdate> updates;
  int line_no = 0;
  while (!input.empty()) {
    std::size_t eol = input.find('\n');
    std::string_view line = input.substr(0, eol);
    input.remove_prefix(eol == std::string_view::npos ? input.size() : eol + 1);
    ++line_no;
    if (line.empty())
      continue;
    std::string where = fmt::format("stdin line {}", line_no);
    std::size_t sp1 = line.find(' ');
    std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos)
      throw InputError(fmt::format("{}: expected \"<old-id> <new-id> <refname>\", got \"{}\"",
                                   where, escaped(line)));
    RefUpdate u{std::string(line.substr(0, sp1)), std::string(line.substr(sp1 + 1, sp2 - sp1 - 1)),
                std::string(line.substr(sp2 + 1))};
    validate(u, where);
    updates.push_back(std::move(u));
  }
  if (updates.empty())
    throw InputError("stdin holds no ref updates; git always sends at least one line");
  return updates;
}

RefUpdate make_ref_update(const std::string& ref, const std::string& old_id,
                          const std::string& new_id) {
  RefUpdate u{old_id, new_id, ref};
  validate(u, "arguments");
  return u;
}

std::vector<std::string> baseline_tips(const git::Repository& repo, const Policy& policy) {
  if (!policy.baseline.commit)
    return {};
  try {
    if (auto commit = repo.peel_to_commit(*policy.baseline.commit))
      return {*commit};
  } catch (const git::GitError& e) {
    // A baseline this repository does not have exempts nothing here; other errors are real.
    if (!e.not_found())
      throw;
  }
  return {};
}

ProtectedState protected_state(const git::Repository& repo, const Policy& policy) {
  ProtectedState state;
  // One pass over the refs; only the protected ones are read further (a server has thousands of
  // refs, a policy protects a few patterns).
  state.symbolic_refs =
      repo.scan_refs([&](std::string_view name) { return policy.rule_for(name) != nullptr; },
                     [&](const git::RefEntry& ref) {
                       const ProtectRule* rule = policy.rule_for(ref.name);
                       // packed-refs records where an annotated tag points; reading only that
                       // object's header is far cheaper than reading every tag object on every
                       // push.
                       if (!ref.peeled.empty() && repo.is_commit(ref.peeled))
                         state.tips.push_back(ProtectedTip{ref.name, ref.peeled, rule});
                       else if (auto commit = repo.peel_to_commit(ref.target))
                         state.tips.push_back(ProtectedTip{ref.name, *commit, rule});
                     });
  state.baseline = baseline_tips(repo, policy);
  return state;
}

ProtectedState known_protected_state(const git::Repository& repo, const Policy& policy) {
  if (repo.is_bare())
    return protected_state(repo, policy);
  ProtectedState state;
  constexpr std::string_view kRemotes = "refs/remotes/";
  repo.for_each_ref([&](const git::RefEntry& ref) {
    std::string_view name = ref.name;
    if (name.substr(0, kRemotes.size()) != kRemotes)
      return;
    name.remove_prefix(kRemotes.size());
    const std::size_t slash = name.find('/');
    if (slash == std::string_view::npos)
      return;
    const ProtectRule* rule = policy.rule_for("refs/heads/" + std::string(name.substr(slash + 1)));
    if (!rule)
      return;
    if (auto commit = repo.peel_to_commit(ref.target))
      state.tips.push_back(ProtectedTip{ref.name, *commit, rule});
  });
  state.baseline = baseline_tips(repo, policy);
  return state;
}

std::vector<std::string> refs_moved_by(
    const std::string& ref, const std::vector<std::pair<std::string, std::string>>& symbolic_refs) {
  // git follows at most this many symbolic refs (refs/refs-internal.h SYMREF_MAXDEPTH).
  constexpr int kMaxDepth = 5;
  auto target_of = [&](const std::string& name) -> const std::string* {
    auto it = std::lower_bound(symbolic_refs.begin(), symbolic_refs.end(),
                               std::make_pair(name, std::string()));
    return it != symbolic_refs.end() && it->first == name ? &it->second : nullptr;
  };
  // Where a name's chain ends: the ref git writes.
  auto written = [&](std::string name, std::vector<std::string>* chain) {
    for (int depth = 0; depth < kMaxDepth; ++depth) {
      const std::string* next = target_of(name);
      if (!next)
        break;
      name = *next;
      if (chain)
        chain->push_back(name);
    }
    return name;
  };
  std::vector<std::string> moved{ref};
  const std::string end = written(ref, &moved);
  for (const auto& [name, target] : symbolic_refs) {
    std::vector<std::string> chain{name};
    if (written(name, &chain) == end)
      moved.insert(moved.end(), chain.begin(), chain.end());
  }
  std::sort(moved.begin(), moved.end());
  moved.erase(std::unique(moved.begin(), moved.end()), moved.end());
  return moved;
}

namespace {

constexpr std::string_view kReplacePrefix = "refs/replace/";

Finding replace_ref_finding(const std::string& ref) {
  return Finding{
      rules::kReplaceRef,
      ref,
      "",
      "",
      fmt::format("{} would make git show another commit in place of an existing one (in git log, "
                  "git archive, checkouts and clones), which trailgate does not judge",
                  ref),
      "Replace refs are refused on a repository trailgate protects. Push the change as a commit "
      "to a branch instead; an admin who needs a replace ref creates it on the server."};
}

Finding non_commit_finding(const std::string& ref, const std::string& new_id) {
  return Finding{
      rules::kNonCommitRef,
      ref,
      "",
      "",
      fmt::format("protected ref {} would point at {}, which is not a commit (a tree or blob, "
                  "perhaps through a tag); git archive and checkouts would ship it unjudged",
                  ref, short_id(new_id)),
      "A protected ref must point at a commit, or at a tag of one. Tag the commit instead, or "
      "use a name no [[protect]] rule covers."};
}

Finding rewrite_finding(const std::string& ref, const std::string& old_commit) {
  return Finding{
      rules::kRewriteRef,
      ref,
      "",
      "",
      fmt::format("this push rewrites the history of protected ref {} (not a fast-forward of {})",
                  ref, short_id(old_commit)),
      fmt::format("Protected history cannot be rewritten. Rebase your work onto the current {} "
                  "(git pull --rebase) and push again without --force.",
                  ref)};
}

Finding delete_finding(const std::string& ref) {
  return Finding{rules::kDeleteRef,
                 ref,
                 "",
                 "",
                 fmt::format("deleting protected ref {} is not allowed", ref),
                 "Protected refs cannot be deleted by a push. If this is intended, an admin must "
                 "set allow_delete = true for this ref in the policy."};
}

// The RefChecks of one update: one per distinct rule among the refs it moves.
void plan_update(const git::Repository& repo, const Policy& policy, const RefUpdate& update,
                 const ProtectedState& before, std::vector<RefCheck>& checks) {
  if (update.ref.rfind(kReplacePrefix, 0) == 0 && !update.deletes()) {
    RefCheck check{update, nullptr, update.ref, {replace_ref_finding(update.ref)}, {}, {}, {}, {}};
    checks.push_back(std::move(check));
    return;
  }
  std::vector<std::pair<const ProtectRule*, std::string>> governing;
  for (const std::string& name : refs_moved_by(update.ref, before.symbolic_refs)) {
    const ProtectRule* rule = policy.rule_for(name);
    bool seen = std::any_of(governing.begin(), governing.end(),
                            [&](const auto& g) { return g.first == rule; });
    if (rule && !seen)
      governing.emplace_back(rule, name);
  }
  if (governing.empty()) {
    checks.push_back(RefCheck{update, nullptr, update.ref, {}, {}, {}, {}, {}});
    return;
  }
  // Peeled once for every rule: a tip that peels to a tree or blob brings no commits; a missing
  // object throws.
  std::optional<std::string> new_commit, old_commit;
  if (!update.deletes())
    new_commit = repo.peel_to_commit(update.new_id);
  if (!update.creates())
    old_commit = repo.peel_to_commit(update.old_id);
  for (const auto& [rule, name] : governing) {
    RefCheck check{update, rule, name, {}, {}, {}, {}, old_commit.value_or("")};
    if (update.deletes()) {
      if (!rule->allow_delete)
        check.ref_findings.push_back(delete_finding(name));
    } else if (!new_commit) {
      // Moving a commit tip onto a tree or blob is also a rewrite of its history.
      if (old_commit && !rule->allow_force_push)
        check.ref_findings.push_back(rewrite_finding(name, *old_commit));
      check.ref_findings.push_back(non_commit_finding(name, update.new_id));
    } else {
      // Whether this is a fast-forward is settled while walking (see run()), which saves a
      // second pass over every pushed commit.
      if (old_commit && !rule->allow_force_push)
        check.must_fast_forward_from = *old_commit;
      check.include.push_back(*new_commit);
      check.exclude = before.baseline;
      for (const ProtectedTip& tip : before.tips)
        if (at_least_as_strict(*tip.rule, *rule, policy))
          check.exclude.push_back(tip.commit);
      if (old_commit)
        check.exclude.push_back(*old_commit);
      std::sort(check.exclude.begin(), check.exclude.end());
      check.exclude.erase(std::unique(check.exclude.begin(), check.exclude.end()),
                          check.exclude.end());
    }
    checks.push_back(std::move(check));
  }
}

}  // namespace

std::vector<RefCheck> plan_push(const git::Repository& repo, const Policy& policy,
                                const std::vector<RefUpdate>& updates,
                                const ProtectedState& before) {
  std::vector<RefCheck> checks;
  for (const auto& update : updates)
    plan_update(repo, policy, update, before, checks);
  return checks;
}

detect::MarkerSet compile_markers(const Policy& policy) {
  std::vector<detect::MarkerSpec> specs;
  if (policy.detect.builtin)
    specs = detect::builtin_catalogue();
  specs.insert(specs.end(), policy.detect.markers.begin(), policy.detect.markers.end());
  return detect::MarkerSet(std::move(specs));
}

void waive_break_glass(Report& report, const std::vector<std::string>& refs) {
  for (CommitEvaluation& eval : report.evaluations)
    if (is_violation(eval.verdict) && !eval.findings.empty() &&
        std::find(refs.begin(), refs.end(), eval.findings.front().ref) != refs.end())
      eval.verdict = Verdict::break_glass;
}

std::optional<review::ReviewOutcome> judge_review_note(
    const git::Repository& repo, CommitInfo& commit, const std::optional<std::string>& note,
    const Policy& policy, const std::string& min_level, std::int64_t now) {
  if (!note)
    return std::nullopt;
  if (commit.parent_tree_ids.size() != commit.parent_ids.size()) {
    commit.parent_tree_ids.clear();
    for (const auto& parent : commit.parent_ids)
      commit.parent_tree_ids.push_back(repo.commit_tree_id(parent));
  }
  return review::verify_note(commit, *note, policy, min_level, now);
}

namespace {

// The most new commits a ref's push may bring for its walk to hide only the protected tips they
// reach (git::Repository::tips_reached_by_push). A larger push hides every tip, as it did, which
// costs little beside judging its commits; the limit bounds the commits read twice.
constexpr std::size_t kNewHistoryLimit = 256;

// Judges, for one RefCheck, every commit that enters its ref; owned by run().
class RefJudge {
 public:
  RefJudge(const git::Repository& repo, const Policy& policy, const detect::MarkerSet& markers,
           const RunOptions& options, git::FileCounter& file_counter, const RefCheck& check,
           Report& report, std::size_t& failing_kept)
      : repo_(repo),
        policy_(policy),
        markers_(markers),
        options_(options),
        file_counter_(file_counter),
        check_(check),
        report_(report),
        failing_kept_(failing_kept),
        // Signature payloads bind the parents' trees; only then is the extra read worth it.
        parent_trees_(policy.review.verification == Verification::signature
                          ? git::ParentTrees::read
                          : git::ParentTrees::skip) {}

  // Evaluates commit `id` under the check's rule into `result`; returns its parents.
  // `in_baseline`: the commit is reachable from the policy's baseline commit.
  std::vector<std::string> judge(const std::string& id, RefResult& result,
                                 bool in_baseline = false) {
    CommitInfo commit = repo_.read_commit(id, parent_trees_);
    // What the commit changes is read only if its blast-radius rules need it.
    std::optional<git::ChangeSet> changes;
    auto change_source = [&]() -> const git::ChangeSet& {
      if (!changes) {
        // The commit's tree is known from reading it; its first parent's from the read under
        // signature verification, or else from the parent's commit object.
        std::string parent, parent_tree;
        if (!commit.parent_ids.empty()) {
          parent = commit.parent_ids.front();
          parent_tree = !commit.parent_tree_ids.empty() ? commit.parent_tree_ids.front()
                                                        : repo_.commit_tree_id(parent);
        }
        changes = git::first_parent_changes(repo_, commit.id, commit.tree_id, parent, parent_tree,
                                            file_counter_, counted_share(check_.rule->blast));
      }
      return *changes;
    };
    EvaluationContext context;
    if (!check_.old_commit.empty())
      context.push_changes = [this]() -> const git::ChangeSet& {
        if (!push_changes_)
          push_changes_ =
              git::changes_between(repo_, check_.old_commit, check_.include.front(), file_counter_);
        return *push_changes_;
      };
    const auto& before = policy_.baseline.before;
    // Only a commit already in the protected history can be grandfathered by a date.
    context.dates_may_grandfather = !before || commit.author.time >= *before ||
                                    commit.committer.time >= *before || protected_before(id);
    context.pusher = options_.pusher;
    context.in_baseline = in_baseline;
    // Notes as the repository holds them before the push (pre-receive runs before any ref moves).
    // A note pays review debt on protected history; it never stands in for the trailers of a
    // commit this push brings in.
    // Without a notes ref (most repositories) no note is looked up at all.
    if (has_notes())
      context.late_reviews =
          [&](const std::string& min_level) -> std::optional<review::ReviewOutcome> {
        std::optional<std::string> note = git::read_note(repo_, git::kReviewNotesRef, id);
        if (!note || !protected_before(id))
          return std::nullopt;
        return judge_review_note(repo_, commit, note, policy_, min_level, options_.now);
      };
    context.break_glass = options_.logged_break_glass && options_.logged_break_glass->count(id);
    CommitEvaluation eval = evaluate_commit(commit, check_.judged_as, *check_.rule, policy_,
                                            markers_, options_.now, change_source, context);
    ++result.commits_checked;
    if (options_.on_evaluation)
      options_.on_evaluation(eval);
    if (!eval.passed()) {
      ++result.commits_failed;
      result.failed_commits.push_back(eval.id);
      report_.findings += eval.findings.size();
      if (failing_kept_ <
          std::max(static_cast<std::size_t>(policy_.max_listed_commits), options_.keep_passing)) {
        ++failing_kept_;
        report_.evaluations.push_back(std::move(eval));
      }
    } else if (passing_kept_ < options_.keep_passing) {
      ++passing_kept_;
      report_.evaluations.push_back(std::move(eval));
    }
    return std::move(commit.parent_ids);
  }

 private:
  // True when commit `id` was in the protected history before the push: reachable from a tip of
  // RunOptions::before. Answered from one walk of what those tips hold that this ref's exclusions
  // do not cover, made on the first question (a commit dated before the baseline, or one with a
  // review note).
  // Whether the repository has a review notes ref; resolved once for every commit of the ref.
  bool has_notes() {
    if (!has_notes_)
      has_notes_ = repo_.resolve_ref(git::kReviewNotesRef).has_value();
    return *has_notes_;
  }

  bool protected_before(const std::string& id) {
    if (!protected_before_) {
      protected_before_.emplace();
      std::vector<std::string> tips;
      if (options_.before)
        for (const ProtectedTip& tip : options_.before->tips)
          tips.push_back(tip.commit);
      if (!tips.empty()) {
        git::Walk walk = repo_.walk(tips, check_.exclude);
        while (std::optional<std::string> next = walk.next())
          protected_before_->insert(*next);
      }
    }
    return protected_before_->count(id) > 0;
  }

  const git::Repository& repo_;
  const Policy& policy_;
  const detect::MarkerSet& markers_;
  const RunOptions& options_;
  git::FileCounter& file_counter_;
  const RefCheck& check_;
  Report& report_;
  std::size_t& failing_kept_;
  std::size_t passing_kept_ = 0;
  const git::ParentTrees parent_trees_;
  std::optional<git::ChangeSet> push_changes_;
  std::optional<std::unordered_set<std::string>> protected_before_;
  std::optional<bool> has_notes_;
};

}  // namespace

Report run(const git::Repository& repo, const Policy& policy, const detect::MarkerSet& markers,
           const std::vector<RefCheck>& checks, const RunOptions& options) {
  Report report;
  std::size_t failing_kept = 0;
  git::FileCounter file_counter;  // shared by every commit: consecutive trees share subtrees
  const std::unordered_set<std::string> break_glass(options.break_glass_commits.begin(),
                                                    options.break_glass_commits.end());
  // Commits let in by break-glass already judged under a rule in this run.
  std::set<std::pair<const ProtectRule*, std::string>> break_glass_judged;
  std::vector<const RefCheck*> walked;  // checks whose entering commits were judged
  const std::vector<ProtectedTip> no_tips;
  for (const auto& check : checks) {
    RefResult result{check.update, check.rule, check.judged_as, check.ref_findings, 0, 0, {}};
    const std::string& old_tip = check.must_fast_forward_from;
    // A walked commit whose parent is the old tip proves a fast-forward; otherwise ask git.
    bool fast_forward_seen = old_tip.empty();
    if (check.rule && !check.include.empty()) {
      RefJudge judge(repo, policy, markers, options, file_counter, check, report, failing_kept);
      // What an earlier ref of this push brings in under a rule at least as strict is judged
      // there: a commit entering several refs is judged once per distinct rule.
      std::vector<std::string> exclude = check.exclude;
      for (const RefCheck* earlier : walked)
        if (at_least_as_strict(*earlier->rule, *check.rule, policy))
          exclude.insert(exclude.end(), earlier->include.begin(), earlier->include.end());
      std::set<std::string> break_glass_walked;  // of break_glass below
      // A push of new commits (the usual one) reaches a tip or two of what it must exclude:
      // hiding only those walks the same commits without reading every protected tip.
      if (auto reached = repo.tips_reached_by_push(check.include, exclude, kNewHistoryLimit))
        exclude = std::move(*reached);
      git::Walk walk = repo.walk(check.include, exclude);
      while (std::optional<std::string> id = walk.next()) {
        std::vector<std::string> parents = judge.judge(*id, result);
        if (!fast_forward_seen)
          fast_forward_seen = std::find(parents.begin(), parents.end(), old_tip) != parents.end();
        if (break_glass.count(*id))
          break_glass_walked.insert(*id);
      }
      // A push whose new tip the baseline commit already reaches brings in nothing to judge; the
      // tip itself is reported, grandfathered, so that every push names its verdict.
      if (result.commits_checked == 0 && options.before && !options.before->baseline.empty() &&
          (check.include.front() == options.before->baseline.front() ||
           repo.is_ancestor(check.include.front(), options.before->baseline.front())))
        judge.judge(check.include.front(), result, true);
      // Commits let in by break-glass never count as protected for another ref's rule.
      for (const std::string& id : options.break_glass_commits) {
        if (break_glass_walked.count(id) || break_glass_judged.count({check.rule, id}) ||
            !repo.has_object(id) || !repo.is_ancestor(id, check.include.front()) ||
            (!check.old_commit.empty() && repo.is_ancestor(id, check.old_commit)))
          continue;
        break_glass_judged.emplace(check.rule, id);
        judge.judge(id, result);
      }
      walked.push_back(&check);
    }
    if (!fast_forward_seen && !repo.is_ancestor(old_tip, check.include.front()))
      result.ref_findings.insert(result.ref_findings.begin(),
                                 rewrite_finding(check.judged_as, old_tip));
    if (is_review_notes_ref(check.update.ref)) {
      std::vector<Finding> notes = check_notes_update(
          repo, policy, check.update, options.before ? options.before->tips : no_tips, options.now);
      result.ref_findings.insert(result.ref_findings.end(), notes.begin(), notes.end());
    }
    report.findings += result.ref_findings.size();
    report.commits_checked += result.commits_checked;
    report.commits_failed += result.commits_failed;
    report.refs.push_back(std::move(result));
  }
  return report;
}

}  // namespace trailgate
