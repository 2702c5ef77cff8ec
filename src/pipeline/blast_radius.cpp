#include "pipeline/blast_radius.h"

#include <algorithm>

#include <fmt/format.h>

#include "util/utf8.h"

namespace trailgate {

namespace {

using git::ChangeKind;
using git::FileChange;

constexpr std::size_t kMaxShownPathBytes = 200;  // a path in a message is cut after this

// `path` quoted for a message, cut (at a character boundary) when very long.
std::string quoted(const std::string& path) {
  // fmt, not "\"" + std::string: GCC 12 at -O3 warns falsely (-Wrestrict) about that operator+.
  if (path.size() <= kMaxShownPathBytes)
    return fmt::format("\"{}\"", path);
  return fmt::format("\"{}...\"", std::string_view(path).substr(0, util::utf8_boundary_at_or_before(
                                                                       path, kMaxShownPathBytes)));
}

// True when `path` lies under directory `dir` ("" is the root, under which every path lies).
bool is_under(const std::string& path, const std::string& dir) {
  return !path.empty() && (dir.empty() || (path.size() > dir.size() && path[dir.size()] == '/' &&
                                           path.compare(0, dir.size(), dir) == 0));
}

std::string directory_name(const std::string& directory) {
  return directory.empty() ? std::string("the whole tree") : "directory " + quoted(directory + "/");
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// "25" for 0.25, "33.3" for 1/3: a share as people read percentages.
std::string percent(double share) {
  return fmt::format("{:.3g}%", share * 100.0);
}

std::string rule_name(const char* table, int source_line) {
  return source_line > 0 ? fmt::format("{} at line {}", table, source_line) : std::string(table);
}

std::string asks(const Requirement& r) {
  return fmt::format("{} by {} or above",
                     plural(static_cast<std::size_t>(r.approvals), "approval", "approvals"),
                     r.min_level);
}

// How a path took part in a change, for the message: `"infra/a.tf" (renamed from "a.tf")`.
std::string label(const FileChange& change, bool old_side) {
  const std::string& path = old_side ? change.old_path : change.new_path;
  switch (change.kind) {
    case ChangeKind::added:
      return quoted(path) + " (added)";
    case ChangeKind::deleted:
      return quoted(path) + " (deleted)";
    case ChangeKind::modified:
      return quoted(path) + " (modified)";
    case ChangeKind::renamed:
      return old_side ? quoted(path) + " (renamed to " + quoted(change.new_path) + ")"
                      : quoted(path) + " (renamed from " + quoted(change.old_path) + ")";
  }
  return quoted(path);
}

const PathGlob* first_match(const SensitiveRule& rule, const std::string& path) {
  for (const PathGlob& glob : rule.paths)
    if (glob.matches(path))
      return &glob;
  return nullptr;
}

std::optional<BlastReason> sensitive_reason(const git::ChangeSet& changes,
                                            const SensitiveRule& rule, const Requirement& asked) {
  BlastReason reason;
  reason.kind = BlastReasonKind::sensitive_path;
  reason.requirement = asked;
  reason.source_line = rule.source_line;
  for (const FileChange& change : changes.changes) {
    for (bool old_side : {true, false}) {
      const std::string& path = old_side ? change.old_path : change.new_path;
      // A modification lists the same path on both sides; count it once.
      if (path.empty() || (!old_side && change.kind == ChangeKind::modified))
        continue;
      const PathGlob* glob = first_match(rule, path);
      if (!glob)
        continue;
      if (reason.paths.size() < kMaxListedPaths)
        reason.paths.emplace_back(label(change, old_side), glob->pattern());
      ++reason.matching_paths;
    }
  }
  if (reason.matching_paths == 0)
    return std::nullopt;
  std::string listed;
  for (const auto& [path, pattern] : reason.paths)
    listed += fmt::format("{}{} matches \"{}\"", listed.empty() ? "" : ", ", path, pattern);
  if (reason.matching_paths > reason.paths.size())
    listed += fmt::format(" and {} more {}", reason.matching_paths - reason.paths.size(),
                          reason.matching_paths - reason.paths.size() == 1 ? "path" : "paths");
  reason.message =
      fmt::format("sensitive path{}: {} ({}: {})", reason.matching_paths == 1 ? "" : "s", listed,
                  rule_name("[[protect.sensitive]]", rule.source_line), asks(asked));
  return reason;
}

// True when a file of directory `dir` in the parent is still there, as the same file: not
// deleted, not moved out of `dir`, and not rewritten beyond recognition.
bool survives(const FileChange& change, const std::string& dir) {
  switch (change.kind) {
    case ChangeKind::added:
    case ChangeKind::deleted:
      return false;
    case ChangeKind::modified:
      // -1 (not measured, e.g. a submodule) gives the change the benefit of the doubt.
      return change.similarity < 0 || change.similarity >= kRewriteSimilarity;
    case ChangeKind::renamed:
      return is_under(change.new_path, dir);
  }
  return false;
}

void mass_change_reasons(const git::ChangeSet& changes, const MassChangeRule& rule,
                         const Requirement& asked, std::vector<BlastReason>* out) {
  const std::string name = rule.source_line > 0
                               ? rule_name("[protect.mass_change]", rule.source_line)
                               : std::string("the default [protect.mass_change] limits");
  auto reason = [&](BlastReasonKind kind) {
    BlastReason r;
    r.kind = kind;
    r.requirement = asked;
    r.source_line = rule.source_line;
    r.deleted = changes.deleted;
    r.parent_files = changes.parent_files.value_or(0);
    return r;
  };

  if (changes.deleted > rule.deleted_files) {
    BlastReason r = reason(BlastReasonKind::deleted_files);
    r.message = fmt::format("deletes {}, more than deleted_files = {} ({}: {})",
                            plural(changes.deleted, "file", "files"), rule.deleted_files, name,
                            asks(asked));
    out->push_back(std::move(r));
  }
  const std::size_t parent_files = changes.parent_files.value_or(0);
  if (changes.deleted > 0 && parent_files > 0 &&
      static_cast<double>(changes.deleted) >
          rule.deleted_share * static_cast<double>(parent_files)) {
    BlastReason r = reason(BlastReasonKind::deleted_share);
    r.message = fmt::format(
        "deletes {} of the {} files its first parent has ({}), more than deleted_share = {} ({}: "
        "{})",
        changes.deleted, parent_files,
        percent(static_cast<double>(changes.deleted) / static_cast<double>(parent_files)),
        percent(rule.deleted_share), name, asks(asked));
    out->push_back(std::move(r));
  }

  if (rule.recreated_dir_files == 0)
    return;
  std::vector<std::string> reported;
  for (const git::ReplacedDirectory& dir : changes.replaced_directories) {
    if (dir.files < rule.recreated_dir_files)
      continue;
    // Only the outermost: a recreated env/ need not also list env/prod/.
    if (std::any_of(reported.begin(), reported.end(),
                    [&](const std::string& outer) { return is_under(dir.path, outer); }))
      continue;
    std::size_t before = 0, survivors = 0, after = 0;
    for (const FileChange& change : changes.changes) {
      if (is_under(change.old_path, dir.path)) {
        ++before;
        survivors += survives(change, dir.path);
      }
      if (change.kind != ChangeKind::deleted && is_under(change.new_path, dir.path))
        ++after;
    }
    // Every file of the directory gone or rewritten (the ChangeSet guarantees each one is in a
    // change), and files in it again: recreated. Gone with nothing back is a deletion, which the
    // deletion limits judge.
    if (before != dir.files || survivors > 0 || after == 0)
      continue;
    BlastReason r = reason(BlastReasonKind::recreated_directory);
    r.directory = dir.path;
    r.files_before = dir.files;
    r.files_after = after;
    r.message = fmt::format(
        "deletes and recreates {}: none of its {} files is left as it was (each one deleted, "
        "moved out or rewritten, under {}% similar) and it has {} again ({}: {})",
        directory_name(dir.path), dir.files, kRewriteSimilarity, plural(after, "file", "files"),
        name, asks(asked));
    out->push_back(std::move(r));
    reported.push_back(dir.path);
  }
}

}  // namespace

double counted_share(const BlastRules& rules) {
  return rules.mass_change.enabled ? rules.mass_change.deleted_share : 1.0;
}

bool needs_changes(const BlastRules& rules, const CommitClass& commit) {
  if (commit.review_required && !rules.sensitive.empty())
    return true;
  const MassChangeRule& mass = rules.mass_change;
  return mass.enabled && (commit.ai_assisted || mass.applies_to == MassChangeScope::all);
}

BlastRadius assess_blast_radius(const git::ChangeSet& changes, const BlastRules& rules,
                                const CommitClass& commit, const Requirement& base,
                                const Policy& policy,
                                const std::optional<std::string>& rule_level) {
  BlastRadius radius;
  radius.required = base;
  auto resolve = [&](int approvals, const std::optional<std::string>& level) {
    return Requirement{approvals, level.value_or(rule_level.value_or(base.min_level))};
  };

  if (commit.review_required) {
    for (const SensitiveRule& rule : rules.sensitive) {
      if (auto reason = sensitive_reason(changes, rule, resolve(rule.approvals, rule.min_level)))
        radius.reasons.push_back(std::move(*reason));
    }
  }
  const MassChangeRule& mass = rules.mass_change;
  if (mass.enabled && (commit.ai_assisted || mass.applies_to == MassChangeScope::all))
    mass_change_reasons(changes, mass, resolve(mass.approvals, mass.min_level), &radius.reasons);

  // The strictest: each maximum on its own, so "3 by senior" and "2 by principal" make
  // "3 by principal".
  for (const BlastReason& reason : radius.reasons) {
    radius.required.approvals = std::max(radius.required.approvals, reason.requirement.approvals);
    if (policy.level_rank(reason.requirement.min_level) >
        policy.level_rank(radius.required.min_level))
      radius.required.min_level = reason.requirement.min_level;
  }
  return radius;
}

std::string describe_reasons(const BlastRadius& radius) {
  std::string out;
  for (const BlastReason& reason : radius.reasons)
    out += (out.empty() ? "" : "; ") + reason.message;
  return out;
}

}  // namespace trailgate
