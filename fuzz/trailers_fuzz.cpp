// Fuzzes the trailer parser: any bytes are a commit message. It must never crash, and the block
// it returns must describe the message it was given.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "trailers/trailers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view message(reinterpret_cast<const char*>(data), size);
  trailgate::trailers::TrailerBlock block = trailgate::trailers::parse(message);
  // Invariants: the block lies inside the message; one span per trailer, in order, inside it.
  if (block.start > block.end || block.end > message.size())
    std::abort();
  if (block.spans.size() != block.trailers.size())
    std::abort();
  std::size_t previous_end = block.start;
  for (const auto& span : block.spans) {
    if (span.begin < previous_end || span.begin >= span.end || span.end > block.end)
      std::abort();
    previous_end = span.end;
  }
  // Rendering is total too.
  (void)trailgate::trailers::format_like_git_log(block.trailers);
  return 0;
}
