#include "policy/policy_builder.h"

#include <fmt/format.h>

#include <algorithm>

namespace trailgate::policy_load {

namespace {

constexpr std::string_view kLogKeys[] = {"decisions", "on_failure"};

}  // namespace

void PolicyBuilder::read_log(const toml::table& log) {
  r_.reject_unknown_keys(log, "log", kLogKeys);
  if (auto path = r_.nonempty_string(log, "decisions", "log")) {
    const bool control = std::any_of(path->value.begin(), path->value.end(), [](char c) {
      const auto byte = static_cast<unsigned char>(c);
      return byte < 0x20 || byte == 0x7F;
    });
    if (control) {
      r_.error(path->where, "log.decisions",
               fmt::format("{} contains a control character", quoted(path->value)));
    } else if (path->value.ends_with('/')) {
      r_.error(path->where, "log.decisions",
               fmt::format("{} names a directory; name the file, e.g. "
                           "\"trailgate/decisions.jsonl\"",
                           quoted(path->value)));
    } else if (path->value.starts_with('~')) {
      r_.error(path->where, "log.decisions",
               fmt::format("{}: '~' is not expanded; write an absolute path, or one relative "
                           "to the repository's git dir",
                           quoted(path->value)));
    } else {
      policy_.log.decisions = path->value;
    }
  }
  if (auto mode = r_.string(log, "on_failure", "log")) {
    if (mode->value == "reject") {
      policy_.log.on_failure = LogFailure::reject;
    } else if (mode->value == "warn") {
      policy_.log.on_failure = LogFailure::warn;
    } else {
      r_.error(
          mode->where, "log.on_failure",
          fmt::format("unknown value {} (expected \"reject\" or \"warn\")", quoted(mode->value)));
    }
  }
}

}  // namespace trailgate::policy_load
