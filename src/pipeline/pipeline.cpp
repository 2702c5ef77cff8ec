#include "pipeline/pipeline.h"

#include <fmt/format.h>
#include <algorithm>

#include "git/tree_changes.h"
#include "pipeline/notes_push.h"

namespace trailgate {

namespace {

bool is_hex_id(std::string_view s) {
  return (s.size() == 40 || s.size() == 64) &&
         s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

bool is_plausible_refname(std::string_view ref) {
  if (ref.rfind("refs/", 0) != 0 || ref.size() == 5)
    return false;
  return std::none_of(ref.begin(), ref.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f || c == ' ';
  });
}

// Shows untrusted input inside "..." in a message: printable ASCII as is, '"' and backslash
// escaped with a backslash, other bytes as \xNN; capped so a huge line stays readable.
std::string escaped(std::string_view s) {
  constexpr std::size_t kMax = 200;
  std::string out;
  for (char c : s.substr(0, kMax)) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\')
      out += std::string("\\") + c;
    else if (u >= 0x20 && u < 0x7f)
      out += c;
    else
      out += fmt::format("\\x{:02x}", u);
  }
  if (s.size() > kMax)
    out += "...";
  return out;
}

void validate(const RefUpdate& u, const std::string& where) {
  if (!is_hex_id(u.old_id) || !is_hex_id(u.new_id) || u.old_id.size() != u.new_id.size())
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

bool RefUpdate::creates() const {
  return git::is_zero_id(old_id);
}
bool RefUpdate::deletes() const {
  return git::is_zero_id(new_id);
}

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
    if (e.code() != GIT_ENOTFOUND)
      throw;
  }
  return {};
}

std::vector<std::string> protected_tips(const git::Repository& repo, const Policy& policy) {
  std::vector<std::string> tips;
  repo.for_each_ref([&](const git::RefEntry& ref) {
    if (!policy.rule_for(ref.name))
      return;
    // packed-refs records where an annotated tag points; reading only that object's header is
    // far cheaper than reading every tag object on every push.
    if (!ref.peeled.empty() && repo.is_commit(ref.peeled))
      tips.push_back(ref.peeled);
    else if (auto commit = repo.peel_to_commit(ref.target))
      tips.push_back(*commit);
  });
  std::vector<std::string> baseline = baseline_tips(repo, policy);
  tips.insert(tips.end(), baseline.begin(), baseline.end());
  std::sort(tips.begin(), tips.end());
  tips.erase(std::unique(tips.begin(), tips.end()), tips.end());
  return tips;
}

std::vector<RefCheck> plan_push(const git::Repository& repo, const Policy& policy,
                                const std::vector<RefUpdate>& updates,
                                const std::vector<std::string>& already_protected) {
  std::vector<RefCheck> checks;
  for (const auto& update : updates) {
    RefCheck check{update, policy.rule_for(update.ref), {}, {}, {}, {}};
    const ProtectRule* rule = check.rule;
    if (rule && update.deletes()) {
      if (!rule->allow_delete)
        check.ref_findings.push_back(Finding{
            rules::kDeleteRef, update.ref, "", "",
            fmt::format("deleting protected ref {} is not allowed", update.ref),
            "Protected refs cannot be deleted by a push. If this is intended, an admin must set "
            "allow_delete = true for this ref in the policy."});
    } else if (rule) {
      // A tip that peels to a tree or blob brings no commits; a missing object throws.
      std::optional<std::string> new_commit = repo.peel_to_commit(update.new_id);
      std::optional<std::string> old_commit;
      if (!update.creates())
        old_commit = repo.peel_to_commit(update.old_id);
      // Whether this is a fast-forward is settled while walking (see run()), which saves a
      // second pass over every pushed commit.
      if (old_commit && new_commit && !rule->allow_force_push)
        check.must_fast_forward_from = *old_commit;
      if (new_commit) {
        check.include.push_back(*new_commit);
        check.exclude = already_protected;
        if (old_commit)
          check.exclude.push_back(*old_commit);
      }
    }
    checks.push_back(std::move(check));
  }
  return checks;
}

detect::MarkerSet compile_markers(const Policy& policy) {
  std::vector<detect::MarkerSpec> specs;
  if (policy.detect.builtin)
    specs = detect::builtin_catalogue();
  specs.insert(specs.end(), policy.detect.markers.begin(), policy.detect.markers.end());
  return detect::MarkerSet(std::move(specs));
}

namespace {

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

}  // namespace

bool Report::has_ref_findings() const {
  return std::any_of(refs.begin(), refs.end(),
                     [](const RefResult& r) { return !r.ref_findings.empty(); });
}

Report run(const git::Repository& repo, const Policy& policy, const detect::MarkerSet& markers,
           const std::vector<RefCheck>& checks, const RunOptions& options) {
  Report report;
  std::size_t failing_kept = 0;
  // Signature payloads bind the parents' trees; only then is the extra read worth it.
  const git::ParentTrees parent_trees = policy.review.verification == Verification::signature
                                            ? git::ParentTrees::read
                                            : git::ParentTrees::skip;
  git::FileCounter file_counter;  // shared by every commit: consecutive trees share subtrees
  for (const auto& check : checks) {
    RefResult result{check.update, check.rule, check.ref_findings, 0, 0, {}};
    const std::string& old_tip = check.must_fast_forward_from;
    // A walked commit whose parent is the old tip proves a fast-forward; otherwise ask git.
    bool fast_forward_seen = old_tip.empty();
    if (check.rule && !check.include.empty()) {
      git::Walk walk = repo.walk(check.include, check.exclude);
      while (std::optional<std::string> id = walk.next()) {
        CommitInfo commit = repo.read_commit(*id, parent_trees);
        if (!fast_forward_seen)
          fast_forward_seen = std::find(commit.parent_ids.begin(), commit.parent_ids.end(),
                                        old_tip) != commit.parent_ids.end();
        // What the commit changes is read only if its blast-radius rules need it.
        std::optional<git::ChangeSet> changes;
        auto change_source = [&]() -> const git::ChangeSet& {
          if (!changes)
            changes = git::first_parent_changes(repo, commit.id, file_counter);
          return *changes;
        };
        CommitEvaluation eval =
            evaluate_commit(commit, check.update.ref, *check.rule, policy, markers, options.now,
                            change_source, options.pusher);
        ++result.commits_checked;
        if (options.on_evaluation)
          options.on_evaluation(eval);
        if (!eval.passed()) {
          ++result.commits_failed;
          result.failed_commits.push_back(eval.id);
          report.findings += eval.findings.size();
          if (options.keep_passing ||
              failing_kept < static_cast<std::size_t>(policy.max_listed_commits)) {
            ++failing_kept;
            report.evaluations.push_back(std::move(eval));
          }
        } else if (options.keep_passing) {
          report.evaluations.push_back(std::move(eval));
        }
      }
    }
    if (!fast_forward_seen && !repo.is_ancestor(old_tip, check.include.front()))
      result.ref_findings.insert(result.ref_findings.begin(),
                                 rewrite_finding(check.update.ref, old_tip));
    if (is_review_notes_ref(check.update.ref)) {
      std::vector<Finding> notes = check_notes_update(repo, policy, check.update, options.now);
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
