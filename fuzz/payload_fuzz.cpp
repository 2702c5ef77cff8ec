// Fuzzes the payload canonicaliser: the input is split into a commit's fields. The payload is
// built or refused with std::invalid_argument; it is deterministic, and the payload
// format line starts it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "review/payload.h"

namespace {

// Takes the next field: bytes up to a 0x01 separator.
std::string take(std::string_view& in) {
  std::size_t cut = in.find('\x01');
  std::string field(in.substr(0, cut));
  in.remove_prefix(cut == std::string_view::npos ? in.size() : cut + 1);
  return field;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  trailgate::CommitInfo commit;
  commit.tree_id = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
  commit.author.name = take(in);
  commit.author.email = take(in);
  commit.author.time = 1'700'000'000;
  std::string reviewer = take(in);
  commit.message = std::string(in);
  trailgate::ReviewSettings settings;
  trailgate::review::PayloadContext context = trailgate::review::payload_context(commit, settings);
  try {
    std::string payload = trailgate::review::review_payload(commit, context, reviewer);
    if (payload != trailgate::review::review_payload(commit, context, reviewer))
      std::abort();
    if (payload.rfind(trailgate::review::kPayloadFormat, 0) != 0)
      std::abort();
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
