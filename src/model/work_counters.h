// Counts of the expensive steps trailgate takes, so that tests can assert that the work grows
// linearly with the input, whatever the input (docs/hook.md "Limits"). The hook writes them to
// its decision log line as "work"; nothing decides anything from them.
//
// Process-wide, relaxed atomics: the audit's workers count into the same counters.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

namespace trailgate::work {

enum class Counter {
  signature_verifications,  // SSHSIG signatures checked against a key (one public-key operation)
  payload_digests,          // review payloads hashed for a signature check
  ancestry_walks,           // is-ancestor queries and revision walks started
  evaluations,              // evaluate_commit calls
  tree_reads,               // tree objects read to find what a commit or a push changes
  kCount,
};

// Stable name, as the decision log writes it: "signature_verifications", ...
std::string_view to_string(Counter counter);

// Adds `n` to `counter`.
void add(Counter counter, std::uint64_t n = 1);

// The current value of `counter`.
std::uint64_t value(Counter counter);

}  // namespace trailgate::work
