// Fuzzes the one commit reader (git/commit_object.h): any bytes are a commit object (or, after
// the first byte, an identity line). They must never crash, and the readers must agree: what
// parse_commit_object reads, parse_commit_links and parse_commit_tree read the same way, and a
// well-formed verdict holds up to what it promises.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "git/commit_object.h"
#include "git/error.h"

namespace git = trailgate::git;

namespace {

const std::string kId(40, 'a');

template <typename Fn>
auto attempt(Fn fn) -> std::optional<decltype(fn())> {
  try {
    return fn();
  } catch (const git::GitError&) {
    return std::nullopt;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  const auto problems = git::commit_object_problems(raw);
  // A commit with no problems has no NUL byte and starts with its tree line.
  if (problems.empty() && (raw.find('\0') != std::string_view::npos || !raw.starts_with("tree ")))
    std::abort();
  const git::GitIdent ident = git::git_ident(raw);
  // git's email never holds the '>' that ends it; its name never holds a '<'.
  if (ident.ok &&
      (ident.email.find('>') != std::string::npos || ident.name.find('<') != std::string::npos))
    std::abort();
  (void)git::fsck_ident_problem(raw);

  const auto commit = attempt([&] { return git::parse_commit_object(kId, raw); });
  const auto links = attempt([&] { return git::parse_commit_links(kId, raw); });
  const auto tree = attempt([&] { return git::parse_commit_tree(kId, raw); });
  // The walk reads a commit exactly when the full reader does, and sees the same links.
  if (commit.has_value() != links.has_value())
    std::abort();
  if (commit) {
    if (!tree || *tree != commit->tree_id || links->parent_ids != commit->parent_ids ||
        links->committer_time != commit->committer.time || commit->malformed != problems)
      std::abort();
    // Ids are 40 lowercase hex digits; the message and names hold no NUL byte.
    auto is_id = [](const std::string& id) {
      return id.size() == 40 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
    };
    if (!is_id(commit->tree_id))
      std::abort();
    for (const auto& parent : commit->parent_ids)
      if (!is_id(parent))
        std::abort();
    for (const std::string* text : {&commit->message, &commit->author.name, &commit->author.email,
                                    &commit->committer.name, &commit->committer.email})
      if (text->find('\0') != std::string::npos)
        std::abort();
  }
  return 0;
}
