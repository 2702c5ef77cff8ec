// Fuzzes the pre-receive stdin parser: any bytes are what git (or an attacker) sends. The
// parser returns well-formed updates or throws InputError; nothing else.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pipeline/pipeline.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  try {
    auto updates = trailgate::parse_ref_updates(input);
    if (updates.empty())
      std::abort();
    for (const auto& u : updates)
      if (u.old_id.size() != u.new_id.size() || u.ref.rfind("refs/", 0) != 0 ||
          (u.creates() && u.deletes()))
        std::abort();
  } catch (const trailgate::InputError& e) {
    if (std::string_view(e.what()).empty())
      std::abort();
  }
  return 0;
}
