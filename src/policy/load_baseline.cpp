#include "policy/policy_builder.h"

#include <fmt/format.h>

#include <algorithm>

namespace trailgate::policy_load {

namespace {

constexpr std::string_view kBaselineKeys[] = {"commit", "date"};

bool is_hex_id(std::string_view id) {
  return id.size() == 40 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

}  // namespace

void PolicyBuilder::read_baseline(const toml::table& baseline) {
  r_.reject_unknown_keys(baseline, "baseline", kBaselineKeys);
  if (!baseline.contains("commit") && !baseline.contains("date")) {
    r_.error(baseline.source(), "baseline",
             "set commit, date or both (or remove the [baseline] table)");
    return;
  }
  if (auto commit = r_.string(baseline, "commit", "baseline")) {
    if (is_hex_id(commit->value)) {
      policy_.baseline.commit = lowercase(commit->value);
    } else {
      r_.error(commit->where, "baseline.commit",
               fmt::format("{} is not a full commit id (40 hexadecimal digits, as printed by "
                           "git rev-parse)",
                           quoted(commit->value)));
    }
  }
  if (auto date = r_.instant(baseline, "date", "baseline"))
    policy_.baseline.before = *date;
}

}  // namespace trailgate::policy_load
