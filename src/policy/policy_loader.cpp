#include "policy/policy_loader.h"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <algorithm>
#include <cstddef>
#include <limits>
#include <utility>

#include "policy/policy_builder.h"
#include "policy/toml_reader.h"
#include "util/escape.h"

namespace trailgate {

std::string PolicyDiagnostic::to_string() const {
  if (line <= 0)
    return fmt::format("{}: {}", file, message);
  if (column <= 0)
    return fmt::format("{}:{}: {}", file, line, message);
  return fmt::format("{}:{}:{}: {}", file, line, column, message);
}

namespace {

std::string render_all(const std::vector<PolicyDiagnostic>& diagnostics) {
  std::string out;
  for (const PolicyDiagnostic& d : diagnostics) {
    if (!out.empty())
      out += '\n';
    out += d.to_string();
  }
  return out;
}

}  // namespace

PolicyError::PolicyError(std::vector<PolicyDiagnostic> diagnostics)
    : std::runtime_error(render_all(diagnostics)), diagnostics_(std::move(diagnostics)) {}

Policy parse_policy(std::string_view text, const std::string& source_name) {
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(source_name));
  } catch (const toml::parse_error& e) {
    // toml++ stops at the first syntax error, so this is the only diagnostic there can be.
    PolicyDiagnostic d;
    d.file = source_name;
    d.line = static_cast<int>(e.source().begin.line);
    d.column = static_cast<int>(e.source().begin.column);
    d.message = fmt::format("not valid TOML: {}", util::escape_control_bytes_toml(e.description()));
    throw PolicyError({std::move(d)});
  }

  policy_load::TomlReader reader(source_name);
  Policy policy;
  policy.source = source_name;
  policy_load::PolicyBuilder(reader, policy).build(root);
  if (!reader.ok())
    throw PolicyError(reader.take());
  return policy;
}

std::vector<PolicyDiagnostic> policy_warnings(const Policy& policy) {
  std::vector<PolicyDiagnostic> warnings;
  auto warn = [&](int line, std::string message) {
    warnings.push_back(PolicyDiagnostic{policy.source, line, 0, std::move(message)});
  };

  if (policy.review.verification == Verification::signature && !policy.protect.empty()) {
    // Whoever reaches the lowest min_level could approve somewhere, if they had a key.
    int lowest = std::numeric_limits<int>::max();
    for (const ProtectRule& rule : policy.protect) {
      lowest = std::min(lowest, policy.level_rank(rule.min_level));
      for (const AuthorLevelRule& by_level : rule.author_levels)
        if (by_level.min_level)
          lowest = std::min(lowest, policy.level_rank(*by_level.min_level));
    }
    for (std::size_t i = 0; i < policy.people.size(); ++i) {
      const Person& person = policy.people[i];
      if (!person.keys.empty() || policy.level_rank(person.level) < lowest)
        continue;
      warn(person.source_line,
           fmt::format("person[{}] ({}): no keys; under verification = \"signature\" their "
                       "reviews cannot count (add their SSH public key to keys)",
                       i, util::escape_control_bytes_toml(person.name)));
    }
  }

  if (policy.baseline.before) {
    warn(0,
         "baseline.date trusts commit dates, which the pusher writes; prefer baseline.commit "
         "for the hook");
  }
  return warnings;
}

}  // namespace trailgate
