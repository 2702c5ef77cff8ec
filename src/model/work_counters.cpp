#include "model/work_counters.h"

namespace trailgate::work {

namespace {

constexpr auto kCounters = static_cast<std::size_t>(Counter::kCount);
std::array<std::atomic<std::uint64_t>, kCounters> counters{};

}  // namespace

std::string_view to_string(Counter counter) {
  switch (counter) {
    case Counter::signature_verifications:
      return "signature_verifications";
    case Counter::payload_digests:
      return "payload_digests";
    case Counter::ancestry_walks:
      return "ancestry_walks";
    case Counter::evaluations:
      return "evaluations";
    case Counter::tree_reads:
      return "tree_reads";
    case Counter::kCount:
      break;
  }
  return "unknown";
}

void add(Counter counter, std::uint64_t n) {
  counters[static_cast<std::size_t>(counter)].fetch_add(n, std::memory_order_relaxed);
}

std::uint64_t value(Counter counter) {
  return counters[static_cast<std::size_t>(counter)].load(std::memory_order_relaxed);
}

}  // namespace trailgate::work
