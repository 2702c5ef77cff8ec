// Fuzzes src/git's own pack reader (git/packs.h), which reads pushed packs in the hook: any bytes
// after the first are the entries of a pack (the first picks what is done with them). Nothing
// may crash, hang or allocate without bound, and what is read must keep the reader's promises:
// a delta's result has the size it announced, and reading twice (the second time from the cache)
// gives the same object.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "git/error.h"
#include "git/packs.h"

namespace git = trailgate::git;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2)
    return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    // A delta and its base: the base is the first data[0] / 2 bytes.
    const std::size_t split = std::min<std::size_t>(rest.size(), data[0] / 2);
    try {
      const std::string out = git::apply_delta(rest.substr(0, split), rest.substr(split));
      (void)out;
    } catch (const git::GitError&) {
    }
    return 0;
  }
  // A pack of these entries, read at its first entry and at a few offsets the bytes choose.
  std::string pack("PACK\0\0\0\2\0\0\0\1", 12);
  pack.append(rest);
  pack.append(20, '\0');
  auto packs = git::PackSet::from_bytes(pack);
  git::PackReader reader(packs, std::size_t{1} << 20);
  for (std::size_t i = 0; i < 4 && i < rest.size(); ++i) {
    const std::uint64_t offset = i == 0 ? 12 : 12 + static_cast<std::uint8_t>(rest[i]);
    try {
      git::PackReader::Object first = reader.read_at(0, offset);
      git::PackReader::Object again = reader.read_at(0, offset);
      if (static_cast<bool>(first.bytes) != static_cast<bool>(again.bytes) ||
          (first.bytes && (*first.bytes != *again.bytes || first.type != again.type)))
        std::abort();
    } catch (const git::GitError&) {
    }
  }
  return 0;
}
