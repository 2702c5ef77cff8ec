#include "policy/policy_builder.h"

#include <fmt/format.h>

#include <optional>
#include <utility>
#include <vector>

#include "policy/path_glob.h"

namespace trailgate::policy_load {

// [[protect.sensitive]] entries and the [protect.mass_change] table (docs/blast-radius.md).
void PolicyBuilder::read_blast(const toml::table& entry, const std::string& path,
                               ProtectRule& rule) {
  static constexpr std::string_view kSensitiveKeys[] = {"paths", "approvals", "min_level"};
  static constexpr std::string_view kMassChangeKeys[] = {
      "enabled",   "deleted_files", "deleted_share", "recreated_dir_files",
      "approvals", "min_level",     "applies_to"};
  const std::string sensitive_path = child_path(path, "sensitive");
  std::vector<const toml::table*> entries = r_.tables(entry, "sensitive", path);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i] == nullptr)
      continue;
    const toml::table& table = *entries[i];
    const std::string here = element_path(sensitive_path, i);
    r_.reject_unknown_keys(table, here, kSensitiveKeys);
    SensitiveRule sensitive;
    sensitive.source_line = static_cast<int>(table.source().begin.line);
    if (!table.contains("paths")) {
      r_.missing(table, here, "paths", "list path patterns, e.g. [\"infra/**\", \"**/*.tf\"]");
    } else if (auto paths = r_.strings(table, "paths", here)) {
      if (paths->empty())
        r_.error(table.get("paths")->source(), child_path(here, "paths"),
                 "must list at least one path pattern, e.g. \"infra/**\"");
      for (std::size_t j = 0; j < paths->size(); ++j) {
        const Located& pattern = (*paths)[j];
        PathGlobError error;
        if (auto glob = PathGlob::compile(pattern.value, &error))
          sensitive.paths.push_back(std::move(*glob));
        else
          r_.error(pattern.where, element_path(child_path(here, "paths"), j),
                   fmt::format("{}: {}", quoted(pattern.value), error.message));
      }
    }
    if (auto approvals = r_.integer(table, "approvals", here, 1))
      sensitive.approvals = *approvals;
    if (auto level = r_.string(table, "min_level", here))
      if (check_level(*level, child_path(here, "min_level")))
        sensitive.min_level = level->value;
    rule.blast.sensitive.push_back(std::move(sensitive));
  }

  const toml::table* mass = r_.table(entry, "mass_change", path);
  if (mass == nullptr)
    return;
  const std::string here = child_path(path, "mass_change");
  r_.reject_unknown_keys(*mass, here, kMassChangeKeys);
  MassChangeRule& rule_mass = rule.blast.mass_change;
  rule_mass.source_line = static_cast<int>(mass->source().begin.line);
  if (auto value = r_.boolean(*mass, "enabled", here))
    rule_mass.enabled = *value;
  if (auto value = r_.integer(*mass, "deleted_files", here, 0))
    rule_mass.deleted_files = static_cast<std::size_t>(*value);
  if (auto value = r_.integer(*mass, "recreated_dir_files", here, 0))
    rule_mass.recreated_dir_files = static_cast<std::size_t>(*value);
  if (auto value = r_.integer(*mass, "approvals", here, 1))
    rule_mass.approvals = *value;
  if (auto level = r_.string(*mass, "min_level", here))
    if (check_level(*level, child_path(here, "min_level")))
      rule_mass.min_level = level->value;
  if (const toml::node* share = mass->get("deleted_share")) {
    std::optional<double> value;
    if (const auto* f = share->as_floating_point())
      value = f->get();
    else if (const auto* n = share->as_integer())
      value = static_cast<double>(n->get());
    if (!value || !(*value >= 0.0 && *value <= 1.0))
      r_.error(share->source(), child_path(here, "deleted_share"),
               "expected a number from 0 to 1 (the share of the parent's files), e.g. 0.25");
    else
      rule_mass.deleted_share = *value;
  }
  if (auto scope = r_.string(*mass, "applies_to", here)) {
    if (scope->value == "ai-assisted")
      rule_mass.applies_to = MassChangeScope::ai_assisted;
    else if (scope->value == "all")
      rule_mass.applies_to = MassChangeScope::all;
    else
      r_.error(scope->where, child_path(here, "applies_to"),
               fmt::format("{} is not \"ai-assisted\" or \"all\"", quoted(scope->value)));
  }
}

}  // namespace trailgate::policy_load
