#include "policy/policy_builder.h"

#include <string_view>

namespace trailgate::policy_load {

namespace {

// Every key the schema knows, per table. Anything else is an error: a misspelt key that was
// silently ignored would leave its setting at the default, which may be weaker. Each section's
// keys are listed beside its loader.
constexpr std::string_view kTopKeys[] = {
    "levels", "max_listed_commits", "review", "detect", "baseline", "person", "protect", "host",
    "log"};

}  // namespace

void PolicyBuilder::build(const toml::table& root) {
  r_.reject_unknown_keys(root, "", kTopKeys);
  // Levels first: person and protect entries are checked against them.
  read_levels(root);
  if (auto value = r_.integer(root, "max_listed_commits", "", 1)) {
    policy_.max_listed_commits = *value;
  }
  read_review(root);
  if (const toml::table* detect = r_.table(root, "detect", ""))
    read_detect(*detect);
  if (const toml::table* baseline = r_.table(root, "baseline", ""))
    read_baseline(*baseline);
  read_people(root);
  read_protect(root);
  if (const toml::table* host = r_.table(root, "host", ""))
    read_host(*host);
  if (const toml::table* log = r_.table(root, "log", ""))
    read_log(*log);
}

}  // namespace trailgate::policy_load
