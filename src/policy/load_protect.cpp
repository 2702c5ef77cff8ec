#include "policy/policy_builder.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace trailgate::policy_load {

namespace {

constexpr std::string_view kProtectKeys[] = {"refs",
                                             "approvals",
                                             "min_level",
                                             "allow_delete",
                                             "allow_force_push",
                                             "review_all",
                                             "require_declaration",
                                             "break_glass",
                                             "sensitive",
                                             "mass_change",
                                             "agent_approvals",
                                             "author_level"};

// Why `pattern` can never name a ref git accepts (git check-ref-format), or nullopt. Such a
// pattern protects nothing, and a policy that looks stricter than it is must not load.
std::optional<std::string> ref_pattern_problem(std::string_view pattern) {
  if (!pattern.starts_with("refs/")) {
    return "must start with \"refs/\" (e.g. \"refs/heads/main\")";
  }
  if (has_space_or_control(pattern))
    return "contains a space or control character";
  for (char c : {'~', '^', ':', '\\'}) {
    if (pattern.find(c) != std::string_view::npos) {
      return fmt::format("contains '{}', which git does not allow in ref names", c);
    }
  }
  if (pattern.find('[') != std::string_view::npos) {
    return "contains '[': only '*' and '?' are wildcards, and git does not allow '[' in ref names";
  }
  if (pattern.find("..") != std::string_view::npos ||
      pattern.find("@{") != std::string_view::npos) {
    return "contains \"..\" or \"@{\", which git does not allow in ref names";
  }
  if (pattern.find("//") != std::string_view::npos)
    return "contains an empty path component";
  if (pattern.ends_with('/'))
    return "ends with '/'; to protect everything below, end with \"/*\"";
  if (pattern.ends_with('.'))
    return "ends with '.', which git does not allow in ref names";
  std::size_t start = 0;
  while (start < pattern.size()) {
    std::size_t end = pattern.find('/', start);
    if (end == std::string_view::npos)
      end = pattern.size();
    std::string_view component = pattern.substr(start, end - start);
    if (component.starts_with('.'))
      return "has a path component starting with '.'";
    if (component.ends_with(".lock"))
      return "has a path component ending in \".lock\"";
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace

void PolicyBuilder::read_protect(const toml::table& root) {
  if (!root.contains("protect")) {
    // A hook whose policy protects nothing would let every push through while looking
    // installed.
    r_.error(root.source(), "protect",
             "no [[protect]] entries, so no ref would be protected; add one, e.g. "
             "[[protect]] with refs = [\"refs/heads/main\"]");
    return;
  }
  struct Pattern {
    std::string text;
    std::size_t rule;
    int line;
  };
  std::vector<Pattern> earlier;  // patterns of the rules before the current one
  std::vector<const toml::table*> entries = r_.tables(root, "protect", "");
  if (entries.empty() && root.get("protect")->is_array()) {
    r_.error(root.get("protect")->source(), "protect",
             "is empty, so no ref would be protected; add at least one rule");
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i] == nullptr)
      continue;
    const toml::table& entry = *entries[i];
    const std::string path = element_path("protect", i);
    r_.reject_unknown_keys(entry, path, kProtectKeys);
    ProtectRule rule;
    rule.source_line = static_cast<int>(entry.source().begin.line);

    std::vector<Pattern> mine;
    if (!entry.contains("refs")) {
      r_.missing(entry, path, "refs", "list the ref patterns, e.g. [\"refs/heads/main\"]");
    } else if (auto refs = r_.strings(entry, "refs", path)) {
      if (refs->empty()) {
        r_.error(entry.get("refs")->source(), child_path(path, "refs"),
                 "must list at least one ref pattern, e.g. \"refs/heads/main\"");
      }
      for (std::size_t j = 0; j < refs->size(); ++j) {
        const Located& ref = (*refs)[j];
        const std::string ref_path = element_path(child_path(path, "refs"), j);
        if (auto problem = ref_pattern_problem(ref.value)) {
          r_.error(ref.where, ref_path, fmt::format("{} {}", quoted(ref.value), *problem));
          continue;
        }
        // The first matching rule wins, so a pattern an earlier rule covers is dead: its
        // stricter (or looser) settings would silently never apply.
        auto shadow = std::find_if(earlier.begin(), earlier.end(), [&](const Pattern& p) {
          return ref_pattern_covers(p.text, ref.value);
        });
        if (shadow != earlier.end()) {
          r_.error(
              ref.where, ref_path,
              fmt::format("{} never applies: protect[{}] (line {}) comes first and its "
                          "pattern {} matches every ref this one does; the first "
                          "matching [[protect]] wins, so put the more specific rule first",
                          quoted(ref.value), shadow->rule, shadow->line, quoted(shadow->text)));
        }
        rule.refs.push_back(ref.value);
        mine.push_back({ref.value, i, rule.source_line});
      }
    }
    earlier.insert(earlier.end(), mine.begin(), mine.end());

    if (auto approvals = r_.integer(entry, "approvals", path, 1))
      rule.approvals = *approvals;
    if (auto level = r_.string(entry, "min_level", path)) {
      if (check_level(*level, child_path(path, "min_level")))
        rule.min_level = level->value;
    } else if (!entry.contains("min_level") && levels_known_ &&
               policy_.level_rank(rule.min_level) < 0) {
      r_.error(entry.source(), child_path(path, "min_level"),
               fmt::format("not set, and the default {} is not one of the levels ({}); set it",
                           quoted(rule.min_level), list(policy_.levels)));
    }
    if (auto approvals = r_.integer(entry, "agent_approvals", path, 1))
      rule.agent_approvals = *approvals;
    read_author_levels(entry, path, rule);
    if (auto value = r_.boolean(entry, "allow_delete", path))
      rule.allow_delete = *value;
    if (auto value = r_.boolean(entry, "allow_force_push", path))
      rule.allow_force_push = *value;
    if (auto value = r_.boolean(entry, "review_all", path))
      rule.review_all = *value;
    if (auto value = r_.boolean(entry, "require_declaration", path)) {
      rule.require_declaration = *value;
    }
    read_break_glass(entry, path, rule);
    read_blast(entry, path, rule);
    policy_.protect.push_back(std::move(rule));
  }
}

// [[protect.author_level]]: requirements by author level. Every level at most once across the
// rule's entries, each one of the policy's levels; approvals and agent_approvals at least 1, so
// that no level is exempt from review.
void PolicyBuilder::read_author_levels(const toml::table& entry, const std::string& path,
                                       ProtectRule& rule) {
  static constexpr std::string_view kAuthorLevelKeys[] = {"levels", "approvals", "min_level",
                                                          "agent_approvals"};
  const std::string list_path = child_path(path, "author_level");
  struct Listed {
    std::string level;
    std::string where;  // "protect[0].author_level[0].levels[1]"
    int line;
  };
  std::vector<Listed> listed;
  std::vector<const toml::table*> entries = r_.tables(entry, "author_level", path);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i] == nullptr)
      continue;
    const toml::table& table = *entries[i];
    const std::string here = element_path(list_path, i);
    r_.reject_unknown_keys(table, here, kAuthorLevelKeys);
    AuthorLevelRule by_level;
    by_level.source_line = static_cast<int>(table.source().begin.line);
    if (!table.contains("levels")) {
      r_.missing(table, here, "levels",
                 fmt::format("list the author levels this entry applies to, e.g. [\"{}\"]",
                             policy_.levels.empty() ? "senior" : policy_.levels.back()));
    } else if (auto levels = r_.strings(table, "levels", here)) {
      if (levels->empty())
        r_.error(table.get("levels")->source(), child_path(here, "levels"),
                 "must list at least one level; an entry for no level never applies");
      for (std::size_t j = 0; j < levels->size(); ++j) {
        const Located& level = (*levels)[j];
        const std::string level_path = element_path(child_path(here, "levels"), j);
        if (!check_level(level, level_path))
          continue;
        auto twice = std::find_if(listed.begin(), listed.end(),
                                  [&](const Listed& l) { return l.level == level.value; });
        if (twice != listed.end()) {
          r_.error(level.where, level_path,
                   fmt::format("{} is listed twice: {} (line {}) already lists it, and only the "
                               "first entry that lists a level applies",
                               quoted(level.value), twice->where, twice->line));
          continue;
        }
        listed.push_back({level.value, level_path, static_cast<int>(level.where.begin.line)});
        by_level.levels.push_back(level.value);
      }
    }
    if (auto approvals = r_.integer(table, "approvals", here, 1))
      by_level.approvals = *approvals;
    if (auto approvals = r_.integer(table, "agent_approvals", here, 1))
      by_level.agent_approvals = *approvals;
    if (auto level = r_.string(table, "min_level", here))
      if (check_level(*level, child_path(here, "min_level")))
        by_level.min_level = level->value;
    rule.author_levels.push_back(std::move(by_level));
  }
}

// [[protect]] break_glass: host usernames, like [[person]] usernames.
void PolicyBuilder::read_break_glass(const toml::table& entry, const std::string& path,
                                     ProtectRule& rule) {
  std::optional<std::vector<Located>> names = r_.strings(entry, "break_glass", path);
  if (!names)
    return;
  const std::string list_path = child_path(path, "break_glass");
  for (std::size_t j = 0; j < names->size(); ++j) {
    const Located& name = (*names)[j];
    const std::string name_path = element_path(list_path, j);
    if (name.value.empty() || has_space_or_control(name.value)) {
      r_.error(name.where, name_path,
               "a host username is non-empty, without spaces (as the host sets it in "
               "GL_USERNAME, REMOTE_USER, ...)");
      continue;
    }
    if (rule.allows_break_glass(name.value)) {
      r_.error(
          name.where, name_path,
          fmt::format("{} is listed twice (usernames compare ignoring case)", quoted(name.value)));
      continue;
    }
    rule.break_glass.push_back(name.value);
  }
}

}  // namespace trailgate::policy_load
