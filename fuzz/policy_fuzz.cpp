// Fuzzes the policy loader: any bytes are a policy file. It either returns a policy or throws
// PolicyError with positioned diagnostics; nothing else may escape, and it must never crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "policy/policy_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    trailgate::Policy policy = trailgate::parse_policy(text, "fuzz.toml");
    (void)trailgate::policy_warnings(policy);
    // A loaded policy is internally consistent: every rule's level is a known level.
    for (const auto& rule : policy.protect)
      if (policy.level_rank(rule.min_level) < 0)
        std::abort();
  } catch (const trailgate::PolicyError& e) {
    if (e.diagnostics().empty())
      std::abort();
    for (const auto& d : e.diagnostics())
      if (d.line < 0 || d.column < 0 || d.message.empty())
        std::abort();
  }
  return 0;
}
