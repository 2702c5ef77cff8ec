// Fuzzes the commit-object checks: any bytes are a commit object (or, after the first byte, an
// identity line). They must never crash; a well-formed verdict must hold up to what it promises.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "model/commit.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  const auto problems = trailgate::commit_object_problems(raw);
  // A commit with no problems has no NUL byte and starts with its tree line.
  if (problems.empty() && (raw.find('\0') != std::string_view::npos || !raw.starts_with("tree ")))
    std::abort();
  const trailgate::GitIdent ident = trailgate::git_ident(raw);
  // git's email never holds the '>' that ends it; its name never holds a '<'.
  if (ident.ok &&
      (ident.email.find('>') != std::string::npos || ident.name.find('<') != std::string::npos))
    std::abort();
  (void)trailgate::fsck_ident_problem(raw);
  return 0;
}
