#include "policy/policy_builder.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace trailgate::policy_load {

void PolicyBuilder::read_levels(const toml::table& root) {
  if (!root.contains("levels"))
    return;
  std::optional<std::vector<Located>> levels = r_.strings(root, "levels", "");
  if (!levels) {
    levels_known_ = false;
    return;
  }
  if (levels->empty()) {
    r_.error(root.get("levels")->source(), "levels", "must list at least one level");
    levels_known_ = false;
    return;
  }
  std::vector<std::string> names;
  for (std::size_t i = 0; i < levels->size(); ++i) {
    const Located& level = (*levels)[i];
    const std::string path = element_path("levels", i);
    if (level.value.empty() || has_space_or_control(level.value)) {
      r_.error(level.where, path, "a level is a non-empty name without spaces");
      levels_known_ = false;
    } else if (auto it = std::find(names.begin(), names.end(), level.value); it != names.end()) {
      r_.error(level.where, path,
               fmt::format("{} is listed twice (also levels[{}])", quoted(level.value),
                           it - names.begin()));
      levels_known_ = false;
    }
    names.push_back(level.value);
  }
  if (levels_known_)
    policy_.levels = std::move(names);
}

bool PolicyBuilder::check_level(const Located& level, std::string_view path) {
  if (!levels_known_ || policy_.level_rank(level.value) >= 0)
    return true;
  r_.error(level.where, path,
           fmt::format("unknown level {} (levels: {})", quoted(level.value), list(policy_.levels)));
  return false;
}

}  // namespace trailgate::policy_load
